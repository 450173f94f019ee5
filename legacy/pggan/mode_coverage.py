"""Which MNIST digits a generator draws: its samples classified by the
project's own trained CNN (a mode-coverage figure in the spirit of Karras et
al. 2018, Appendix E, where a trained classifier counts the modes a GAN covers).

The classifier is golbin's CNN (``scripts/mnist_cnn.py --variant=golbin``,
99.0 % on the test set after its 15 epochs; a few epochs come close) trained
once into ``<folder>/classifier``. Samples are uint8 images, 28x28 or the
32x32 of MNIST-32 (2 px of zero padding each side, which is cropped).
"""
import json
import os
import subprocess
import sys

import numpy as np

from legacy import REPO
from legacy.errors import UsageError

CLASSIFIER_EPOCHS = 2
SHARE_THAT_COUNTS = 0.01  # a class is covered when it holds at least 1 % of the samples


def train_classifier(folder, python=None, epochs=CLASSIFIER_EPOCHS, seed=0, log=print):
    """The run folder of a trained golbin CNN in ``folder/classifier``
    (trained now unless its results JSON says it finished)."""
    run_dir = os.path.join(folder, "classifier")
    out = os.path.join(folder, "classifier.json")
    if os.path.exists(out):
        with open(out) as handle:
            record = json.load(handle)
        if record.get("status") == "ok" and record.get("flags", {}).get("epochs") == epochs:
            return run_dir, record
    args = [python or sys.executable, os.path.join(REPO, "scripts", "mnist_cnn.py"), "--variant=golbin",
            "--epochs=%d" % epochs, "--seed=%d" % seed, "--logdir=" + run_dir, "--output=" + out]
    if os.path.exists(os.path.join(run_dir, "checkpoint")):
        args.append("--resume")
    log("mode coverage: " + " ".join(args))
    with open(os.path.join(folder, "classifier.log"), "w") as handle:
        code = subprocess.call(args, cwd=REPO, stdout=handle, stderr=subprocess.STDOUT)
    if code != 0:
        raise UsageError("mode coverage: the classifier's training failed (exit %d); see %s"
                         % (code, os.path.join(folder, "classifier.log")))
    with open(out) as handle:
        return run_dir, json.load(handle)


def as_mnist(images):
    """uint8 [N, 32, 32, 1] (MNIST-32) or [N, 28, 28(, 1)] -> float [N, 784] in [0, 1]."""
    images = np.asarray(images)
    if images.ndim == 4:
        images = images[..., 0]
    if images.shape[1:] == (32, 32):
        images = images[:, 2:30, 2:30]
    if images.shape[1:] != (28, 28):
        raise ValueError("samples of shape %s are not MNIST-sized (28x28 or 32x32)" % (images.shape[1:],))
    return images.reshape(len(images), 784).astype(np.float32) / 255.0


def classify(run_dir, images):
    """Digit predicted by the CNN in ``run_dir`` for each image."""
    from legacy import checkpoints
    from legacy.models.cnn import cnn
    from legacy.tf import tf
    prefix = checkpoints.resolve(run_dir, "--classifier")
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 784], name="X")
        logits = cnn(x, variant="golbin")
        with tf.Session() as sess:
            checkpoints.restore(sess, prefix, tf.global_variables(), "--classifier")
            return np.concatenate([np.argmax(sess.run(logits, {x: batch}), 1)
                                   for batch in np.array_split(as_mnist(images), max(len(images) // 256, 1))])


def coverage(classes):
    """Counts per digit, and how many digits hold at least 1 % of the samples."""
    counts = np.bincount(np.asarray(classes), minlength=10)
    return {"samples": int(len(classes)), "counts": counts.tolist(),
            "classes_present": int(np.sum(counts >= SHARE_THAT_COUNTS * len(classes)))}
