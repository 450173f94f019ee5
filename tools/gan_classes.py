#!/usr/bin/env python
"""Which digits a trained GAN draws: classify its samples with a trained MNIST classifier.

    tools/gan_classes.py --gan=RUN_FOLDER --classifier=RUN_FOLDER [--samples=1000]

``--gan``: a run folder of scripts/gan.py (with or without --conditional);
``--classifier``: a run folder of scripts/rnn_mnist.py (golbin's RNN, 97 %
on the test set after its 30 epochs). Draws ``--samples`` samples from a
seeded noise (the conditional GAN: the same number of each digit), prints
how many the classifier puts in each class, the number of classes holding
at least 1 % of them, and, for the conditional GAN, the fraction classified
as the digit it was asked for. Writes the figures as JSON with --output.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
from absl import flags  # noqa: E402

from legacy import checkpoints, cli, fileio  # noqa: E402
from legacy.tf import tf  # noqa: E402

flags.DEFINE_string("gan", "", "Run folder (or checkpoint prefix) of scripts/gan.py.")
flags.DEFINE_string("classifier", "", "Run folder (or checkpoint prefix) of scripts/rnn_mnist.py.")
flags.DEFINE_integer("samples", 1000, "Samples to draw (a multiple of 10 for the conditional GAN).")
flags.DEFINE_integer("seed", 0, "Seed of the noise.")
flags.DEFINE_string("output", "", "Write the figures to this JSON file.")
FLAGS = flags.FLAGS


def _flags_of(run):
    folder = run if os.path.isdir(run) else os.path.dirname(run)
    path = os.path.join(folder, "flags.json")
    if not os.path.exists(path):
        return {}
    import json
    with open(path) as handle:
        return json.load(handle)


def draw(prefix, conditional, n, seed):
    from legacy.models.unsupervised import conditional_gan, gan
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


def classify(prefix, images):
    from legacy.models.rnn import rnn_mnist
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 784], name="X")
        logits = rnn_mnist(x, 1.0, False)
        with tf.Session() as sess:
            checkpoints.restore(sess, prefix, tf.global_variables(), "--classifier")
            return np.argmax(sess.run(logits, {x: images}), 1)


def main(_):
    if not FLAGS.gan or not FLAGS.classifier:
        cli.fail("pass --gan=RUN_FOLDER (scripts/gan.py) and --classifier=RUN_FOLDER (scripts/rnn_mnist.py)")
    if FLAGS.samples < 10 or FLAGS.samples % 10:
        cli.fail("--samples=%d: give a positive multiple of 10" % FLAGS.samples)
    if FLAGS.output:
        fileio.check_writable_path(FLAGS.output)
    gan_prefix = checkpoints.resolve(FLAGS.gan, "--gan")
    classifier_prefix = checkpoints.resolve(FLAGS.classifier, "--classifier")
    conditional = bool(_flags_of(FLAGS.gan).get("conditional", False))
    images, labels = draw(gan_prefix, conditional, FLAGS.samples, FLAGS.seed)
    classes = classify(classifier_prefix, images)
    counts = np.bincount(classes, minlength=10)
    present = int(np.sum(counts >= 0.01 * FLAGS.samples))
    print("%s GAN %s: %d samples classified by %s" % ("conditional" if conditional else "unconditional",
                                                     gan_prefix, FLAGS.samples, classifier_prefix))
    print("per digit 0-9: %s" % " ".join(str(c) for c in counts))
    print("classes with >= 1%% of the samples: %d of 10" % present)
    record = {"gan": gan_prefix, "classifier": classifier_prefix, "conditional": conditional,
              "samples": FLAGS.samples, "seed": FLAGS.seed, "counts": counts.tolist(), "classes_present": present}
    if conditional:
        record["label_agreement"] = float(np.mean(classes == labels))
        print("classified as the digit asked for: %.3f" % record["label_agreement"])
    if FLAGS.output:
        fileio.write_json(FLAGS.output, record)


if __name__ == "__main__":
    cli.run(main)
