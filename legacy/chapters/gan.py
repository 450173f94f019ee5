"""golbin 09/01 GAN, and with ``--conditional`` his 09/02 conditional GAN, on MNIST.

09/01: G noise 128 N(0, 1) -> 256 ReLU -> 784 sigmoid, D 784 -> 256 ReLU ->
1 sigmoid, weights N(0, 0.01); ``loss_D = mean(log D(x) + log(1 - D(G(z))))``
and ``loss_G = mean(log D(G(z)))`` maximised by two Adam(2e-4), each over its
own network's variables; 100 epochs of batch 100, a D step then a G step per
batch with the same noise.
09/02 (``--conditional``): noise 128 U(-1, 1) and the one-hot label into G,
the image and the label into D (a logit), sigmoid cross-entropy, two
Adam(0.001), 100 epochs.

The two steps are the loop's two phases (TrainGraph.phases): the loop runs
D's step then G's with the same feed, and records both losses per epoch.
Prints golbin's ``Epoch: 0000 D loss: -0.4 G loss: -2.1`` (the epoch counted
from 0, the last batch's losses) and ``최적화 완료!``. Sample grids (10 x 10;
conditional: one row per digit 0-9) at the first epoch and every
``--sample_every`` epochs, from the same fixed noise each time, and the
D/G loss curves are PNGs in the run folder.

Example: python scripts/gan.py --conditional --epochs=100
"""
import os

import numpy as np

from legacy import run_config
from legacy.chapters import pictures
from legacy.data.mnist import batch_dataflow, load_for_training
from legacy.graph import Phase, TrainGraph
from legacy.models.layers import mode_inputs
from legacy.hooks import Hook
from legacy.inputs import make_input
from legacy.chapters.unsupervised import conditional_gan, gan
from legacy.optim import make_optimizer
from legacy.chapters.tracks import EpochLine, run_loop, run_rows
from legacy.tf import tf
from legacy.chapters.chapter_config import ChapterConfig

EXPERIMENT = "gan"
GRID = 10  # a 10 x 10 grid of samples

run_config.define_data_flags()
run_config.define_epoch_flags(100, 100)
run_config.define_input_flag("graph")
run_config.define("float", "learning_rate", None,
                  "Adam's learning rate for D and G (default: 0.0002, or 0.001 with --conditional, as golbin).")
run_config._check("learning_rate", lambda v: v > 0, "must be > 0")
run_config.define("bool", "conditional", False, "golbin 09/02: G and D also take the digit's one-hot label.")
run_config.define("integer", "sample_every", 10, "Save a sample grid every N epochs (and after the first).")
run_config._check("sample_every", lambda v: v > 0, "must be a positive number of epochs")
run_config.define_run_flags(EXPERIMENT)


def build_gan(x, y, conditional, learning_rate):
    """The TrainGraph with D's and G's steps as its two phases."""
    mode_inputs()
    model = conditional_gan(x, y) if conditional else gan(x)
    overlap = set(model.d_vars) & set(model.g_vars)
    assert not overlap, "D and G share variables: %s" % overlap
    model_variables = tf.global_variables()
    with tf.name_scope("optimizer"):
        global_step = tf.Variable(0, trainable=False, name="global_step", dtype=tf.int64)
        with tf.name_scope("D"):
            train_d = make_optimizer("adam", learning_rate).minimize(model.d_objective, var_list=model.d_vars)
        with tf.name_scope("G"):
            train_g = make_optimizer("adam", learning_rate).minimize(model.g_objective, var_list=model.g_vars,
                                                                    global_step=global_step)
    phases = [Phase("d_loss", train_d, model.d_loss), Phase("g_loss", train_g, model.g_loss)]
    net = TrainGraph(x, y, model.samples, model.d_loss, None, None, train_g, global_step,
                     model_variables, phases)
    return net, model


class SampleGrids(Hook):
    """A grid of G's samples after the first epoch and every ``every`` epochs,
    all from one fixed noise (and, conditional, labels 0-9 by row)."""

    def __init__(self, net, conditional, seed, every):
        self.net, self.conditional, self.every = net, conditional, every
        self.z = net.logits.graph.get_tensor_by_name("Z:0")
        rng = np.random.RandomState(seed + 12345)
        shape = (GRID * GRID, int(self.z.shape[-1]))
        self.noise = (rng.uniform(-1, 1, shape) if conditional else rng.normal(size=shape)).astype(np.float32)
        self.labels = np.eye(10, dtype=np.float32)[np.repeat(np.arange(GRID) % 10, GRID)]
        self.sess = self.run_dir = None

    def begin(self, sess, net):
        self.sess = sess

    def samples(self):
        feeds = {self.z: self.noise}
        if self.conditional:
            feeds[self.net.y] = self.labels
        return run_rows(self.sess, self.net.logits, feeds)

    def save(self, name):
        images = self.samples()
        return pictures.image_grid(os.path.join(self.run_dir, name),
                                   [images[i * GRID:(i + 1) * GRID] for i in range(GRID)], size=0.6)

    def after_epoch(self, record):
        if record.epoch == 1 or record.epoch % self.every == 0:
            self.save("samples_%03d.png" % record.epoch)


def main(_):
    config = run_config.build(kind=ChapterConfig)
    learning_rate = config.learning_rate or (0.001 if config.conditional else 0.0002)
    config = config._replace(learning_rate=learning_rate)
    experiment = EXPERIMENT + ("_conditional" if config.conditional else "")
    data = load_for_training(config.data_dir, config.download, config.train_limit, config.batch_size)
    inputs = make_input(config.input, batch_dataflow(data.train, config.batch_size, seed=config.seed), (784,))

    def build():
        x, y = inputs.tensors(num_classes=10)
        net, model = build_gan(x, y, config.conditional, learning_rate)
        return net

    def hooks(net):
        return [SampleGrids(net, config.conditional, config.seed, config.sample_every)]

    def line(record, loop):
        # golbin: print('Epoch:', '%04d' % epoch, 'D loss: {:.4}'.format(..), 'G loss: {:.4}'.format(..))
        return "Epoch: %04d D loss: %s G loss: %s" % (record.epoch - 1, "{:.4}".format(loop.step_costs["d_loss"]),
                                                     "{:.4}".format(loop.step_costs["g_loss"]))

    def finish(sess, net, loop, run_dir):
        print("최적화 완료!")
        grid = SampleGrids(net, config.conditional, config.seed, config.sample_every)
        grid.sess, grid.run_dir = sess, run_dir
        final = grid.save("samples_final.png")
        history = loop.history
        curve = None
        if history:
            curve = pictures.curves(os.path.join(run_dir, "losses.png"),
                                    {"D loss (epoch mean)": [r.phase_costs["d_loss"] for r in history],
                                     "G loss (epoch mean)": [r.phase_costs["g_loss"] for r in history]},
                                    "%s: D and G losses (as golbin printed them)" % experiment)
        print("samples in %s; loss curves in %s" % (final, curve))
        return {"final_samples_png": final, "losses_png": curve,
                "last_batch_losses": {k: float(v) for k, v in loop.step_costs.items()}}

    run_loop(experiment, config, inputs, build, config.epochs, lines=[EpochLine(line)], hooks=hooks, finish=finish)
