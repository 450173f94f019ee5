#!/usr/bin/env python
"""Which digits a trained GAN draws, and how far its samples are from MNIST.

    tools/gan_classes.py --gan=RUN_FOLDER --classifier=RUN_FOLDER [--samples=1000] [--output=x.json]

``--gan``: a run folder (or checkpoint prefix) of scripts/gan.py, with or
without --conditional. ``--classifier``: a run folder of the project's CNN,
``scripts/mnist_cnn.py --variant=golbin`` (the classifier of the PGGAN
study's mode coverage, legacy/pggan/mode_coverage.py); with
``--classifier_model=rnn`` a run folder of scripts/rnn_mnist.py instead.

Draws ``--samples`` samples from a seeded noise (the conditional GAN: the
same number of each digit) and prints:
- how many the classifier puts in each class and the number of classes
  holding at least 1 % of them (mode_coverage.coverage); for the
  conditional GAN also the fraction classified as the digit asked for;
- the sliced Wasserstein distance (legacy/pggan/swd.py, x 10^3 per
  level 32 and 16, and their mean) between the samples and as many MNIST
  test images, both as uint8 and zero-padded 28 -> 32 as the PGGAN path's
  MNIST-32 (legacy/pggan/images.py pad_mnist); beside it the same figure for
  as many *training* images against those test images, the floor that
  real digits reach (``swd_train_vs_test``).
Writes the figures as JSON with --output.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
from absl import flags  # noqa: E402

from legacy import checkpoints, cli, fileio  # noqa: E402
from legacy.tf import tf  # noqa: E402

flags.DEFINE_string("gan", "", "Run folder (or checkpoint prefix) of scripts/gan.py.")
flags.DEFINE_string("classifier", "", "Run folder (or checkpoint prefix) of the classifier.")
flags.DEFINE_enum("classifier_model", "cnn", ["cnn", "rnn"],
                  "cnn: scripts/mnist_cnn.py --variant=golbin (the project's CNN); rnn: scripts/rnn_mnist.py.")
flags.DEFINE_integer("samples", 1000, "Samples to draw (a multiple of 10 for the conditional GAN).")
flags.DEFINE_integer("seed", 0, "Seed of the noise, and of the test and training images SWD compares.")
flags.DEFINE_bool("swd", True, "Also measure the sliced Wasserstein distance to MNIST's test images.")
flags.DEFINE_string("data_dir", "data/mnist", "MNIST folder (for SWD).")
flags.DEFINE_string("output", "", "Write the figures to this JSON file.")
FLAGS = flags.FLAGS


def _flags_of(run):
    folder = run if os.path.isdir(run) else os.path.dirname(run)
    path = os.path.join(folder, "flags.json")
    if not os.path.exists(path):
        return {}
    with open(path) as handle:
        return json.load(handle)


def draw(prefix, conditional, n, seed):
    """``n`` samples of the GAN at ``prefix``, float [n, 784] in [0, 1], and their labels (conditional)."""
    from legacy.chapters.unsupervised import conditional_gan, gan
    rng = np.random.RandomState(seed)
    labels = np.repeat(np.arange(10), n // 10) if conditional else None
    graph = tf.Graph()
    with graph.as_default():
        x, y = tf.placeholder(tf.float32, [None, 784]), tf.placeholder(tf.float32, [None, 10])
        model = conditional_gan(x, y) if conditional else gan(x)
        noise = rng.uniform(-1, 1, (n, 128)) if conditional else rng.normal(size=(n, 128))
        with tf.Session() as sess:
            checkpoints.restore(sess, prefix, model.g_vars, "--gan")
            feed = {model.z: noise.astype(np.float32)}
            if conditional:
                feed[y] = np.eye(10, dtype=np.float32)[labels]
            return sess.run(model.samples, feed), labels


def classify_rnn(prefix, images):
    from legacy.chapters.rnn import rnn_mnist
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 784], name="X")
        logits = rnn_mnist(x)
        with tf.Session() as sess:
            checkpoints.restore(sess, prefix, tf.global_variables(), "--classifier")
            return np.argmax(sess.run(logits, {x: images}), 1)


def mnist32(images):
    """float [N, 784] in [0, 1] -> uint8 [N, 32, 32, 1], zero-padded as MNIST-32."""
    from legacy.pggan.images import pad_mnist
    from legacy.pggan.swd import to_uint8
    digits = to_uint8(np.asarray(images).reshape(-1, 28, 28), drange=(0.0, 1.0))
    return pad_mnist(b"\0" * 16 + digits.tobytes())  # pad_mnist reads IDX bytes: a 16-byte header, then pixels


def swd_figures(samples32, data_dir, seed):
    """SWD (x1e3) of the samples and of as many training images, each against as many test images."""
    from legacy.data.mnist import load_mnist
    from legacy.pggan import swd
    data = load_mnist(data_dir, download=False)
    n = len(samples32)
    rng = np.random.RandomState(seed + 777)
    test = mnist32(data.test.images[rng.choice(len(data.test.images), n, replace=False)])
    train = mnist32(data.train.images[rng.choice(len(data.train.images), n, replace=False)])
    real_desc = swd.set_descriptors(test, np.random.RandomState(seed))
    return (swd.swd(test, samples32, seed=seed, real_descriptors=real_desc),
            swd.swd(test, train, seed=seed, real_descriptors=real_desc))


def main(_):
    if not FLAGS.gan or not FLAGS.classifier:
        cli.fail("pass --gan=RUN_FOLDER (scripts/gan.py) and --classifier=RUN_FOLDER "
                 "(scripts/mnist_cnn.py --variant=golbin, or scripts/rnn_mnist.py with --classifier_model=rnn)")
    if FLAGS.samples < 10 or FLAGS.samples % 10:
        cli.fail("--samples=%d: give a positive multiple of 10" % FLAGS.samples)
    if FLAGS.output:
        fileio.check_writable_path(FLAGS.output)
    gan_prefix = checkpoints.resolve(FLAGS.gan, "--gan")
    classifier_prefix = checkpoints.resolve(FLAGS.classifier, "--classifier")
    conditional = bool(_flags_of(FLAGS.gan).get("conditional", False))
    images, labels = draw(gan_prefix, conditional, FLAGS.samples, FLAGS.seed)
    samples32 = mnist32(images)
    if FLAGS.classifier_model == "cnn":
        from legacy.pggan import mode_coverage
        classes = mode_coverage.classify(FLAGS.classifier, samples32)
    else:
        classes = classify_rnn(classifier_prefix, images)
    from legacy.pggan.mode_coverage import coverage
    record = {"gan": gan_prefix, "classifier": classifier_prefix, "classifier_model": FLAGS.classifier_model,
              "conditional": conditional, "seed": FLAGS.seed}
    record.update(coverage(classes))
    print("%s GAN %s: %d samples classified by %s (%s)" % ("conditional" if conditional else "unconditional",
                                                          gan_prefix, FLAGS.samples, classifier_prefix,
                                                          FLAGS.classifier_model))
    print("per digit 0-9: %s" % " ".join(str(c) for c in record["counts"]))
    print("classes with >= 1%% of the samples: %d of 10" % record["classes_present"])
    if conditional:
        record["label_agreement"] = float(np.mean(classes == labels))
        print("classified as the digit asked for: %.3f" % record["label_agreement"])
    if FLAGS.swd:
        record["swd"], record["swd_train_vs_test"] = swd_figures(samples32, FLAGS.data_dir, FLAGS.seed)
        print("SWD x1e3 vs %d test images (32, 16, mean): samples %s; training images %s" % (
            FLAGS.samples, " ".join("%.2f" % record["swd"][k] for k in ("SWDx1e3_32", "SWDx1e3_16", "SWDx1e3_avg")),
            " ".join("%.2f" % record["swd_train_vs_test"][k] for k in ("SWDx1e3_32", "SWDx1e3_16", "SWDx1e3_avg"))))
    if FLAGS.output:
        fileio.write_json(FLAGS.output, record)


if __name__ == "__main__":
    cli.run(main)
