"""The originals' last figure: the first ten test digits in a 2x5 grid, each
titled with the label the trained network predicts (golbin 06/02, and the
study's ``dropoutjuyae.py`` and ``(mnistdata).py``).

The prediction uses the run's evaluation keep_prob, as the originals did: the
study's ``(mnistdata).py`` predicted with keep_prob 0.8, so its titles came
from a network with dropout still on; ``--eval_keep_prob=0.8`` reproduces that.
"""
import numpy as np

from legacy.models.layers import find_dropout_seed, mode_inputs

COUNT = 10
PREDICT_SALT = 4000000  # the dropout seed's salt for these predictions (see legacy/train.py)


def predict_first(sess, net, split, eval_keep_prob=1.0, step=0, count=COUNT):
    """Predicted labels of the first ``count`` images of ``split``.
    ``eval_keep_prob`` < 1 predicts with dropout on, as the original's figure did.

    An input with a static batch dimension (``--input=graph``) takes exactly
    that many rows; the rest of the chunk is the following test images.
    """
    static = net.x.shape[0].value if net.x.shape.ndims else None
    images = split.images[:static or count]
    if len(images) < (static or count):
        images = np.concatenate([images, np.zeros((static - len(images),) + images.shape[1:], images.dtype)])
    feed = {net.x: images, mode_inputs(net.cost.graph).keep_prob: eval_keep_prob}
    seed_t = find_dropout_seed(net.cost.graph)
    if seed_t is not None:
        feed[seed_t] = [step, PREDICT_SALT]
    logits = sess.run(net.logits, feed)
    return [int(i) for i in np.argmax(logits[:count], 1)]


def plot(path, images, labels, title=None):
    """The originals' 2x5 figure, written to ``path`` instead of ``plt.show()``."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig = plt.figure()
    for i in range(COUNT):
        subplot = fig.add_subplot(2, 5, i + 1)
        subplot.set_xticks([])
        subplot.set_yticks([])
        subplot.set_title("%d" % labels[i])
        subplot.imshow(images[i].reshape((28, 28)), cmap=plt.cm.gray_r)
    if title:
        fig.suptitle(title, fontsize=9)
    fig.savefig(path, dpi=80)
    plt.close(fig)
