"""--input=graph trains on exactly the batches of --input=feed, and to the same result."""
import functools

import numpy as np
import pytest

from conftest import run_config
from legacy.data.mnist import batch_dataflow
from legacy.runners.mnist_classifier import run_mnist
from legacy.inputs import FeedInput, GraphInput
from legacy.models.cnn import cnn
from legacy.models.mlp import mlp
from legacy.tf import tf
from legacy.hooks import Hook


def _batches(input_cls, split, seed, epochs):
    """Every (images, labels) batch ``input_cls`` puts into x and y."""
    tf.reset_default_graph()
    inputs = input_cls(batch_dataflow(split, 100, seed=seed), [784])
    x, y = inputs.tensors(num_classes=10)
    out = []
    with tf.Session() as sess:
        inputs.start(sess)
        for _ in range(epochs):
            for feed in inputs.epoch():
                out.append(sess.run([x, y], feed))
    return out


def test_graph_input_gives_the_feed_batches(mnist):
    split = mnist.train._replace(images=mnist.train.images[:1000], labels=mnist.train.labels[:1000])
    fed = _batches(FeedInput, split, seed=5, epochs=2)
    graph = _batches(GraphInput, split, seed=5, epochs=2)
    assert len(fed) == len(graph) == 20
    for (fx, fy), (gx, gy) in zip(fed, graph):
        np.testing.assert_array_equal(fx, gx)
        np.testing.assert_array_equal(fy, gy)
    # The two epochs differ (reshuffled), and another seed gives other batches.
    assert not np.array_equal(fed[0][0], fed[10][0])
    other = _batches(GraphInput, split, seed=6, epochs=1)
    assert not np.array_equal(other[0][0], graph[0][0])


def test_graph_input_skips_batches_like_a_resumed_run(mnist):
    tf.reset_default_graph()
    split = mnist.train._replace(images=mnist.train.images[:500], labels=mnist.train.labels[:500])
    inputs = GraphInput(batch_dataflow(split, 100, seed=3), [784])
    inputs.tensors(num_classes=10)
    whole = list(inputs.epoch_rows())
    inputs.dataflow.ds.reset_state()  # the RNG back at the epoch's start, as a checkpoint restores it
    resumed = list(inputs.epoch_rows(skip=2))
    assert len(resumed) == 3
    for a, b in zip(whole[2:], resumed):
        np.testing.assert_array_equal(a, b)


def test_training_is_the_same_under_both_inputs(tmp_path):
    # The whole run_mnist path: dropout, Adam, validation and test accuracy.
    runs = {}
    for name in ("feed", "graph"):
        config = run_config(output=str(tmp_path / (name + ".json")), input=name, optimizer="adam",
                       learning_rate=0.001, keep_prob=0.8, seed=2)
        runs[name] = run_mnist("test", functools.partial(mlp, hidden=[256, 256]), config)
    feed, graph = runs["feed"], runs["graph"]
    assert graph["steps_per_epoch"] == feed["steps_per_epoch"] == 20
    assert feed["epoch_avg_cost"][1] < feed["epoch_avg_cost"][0]
    # Same batches, same initial weights and dropout masks (see GraphInput):
    # on TF 1.15.5 the costs agree to the last bit; allow float noise.
    np.testing.assert_allclose(graph["epoch_avg_cost"], feed["epoch_avg_cost"], rtol=1e-6)
    np.testing.assert_allclose(graph["validation_accuracy"], feed["validation_accuracy"], atol=2e-4)
    assert abs(graph["test_accuracy"] - feed["test_accuracy"]) <= 2e-4


def test_cnn_steps_are_the_same_under_both_inputs(mnist):
    """The swu CNN (dropout after every block): a few steps, no evaluation."""
    from legacy.graph import build_classifier
    from legacy.train import train
    split = mnist.train._replace(images=mnist.train.images[:400], labels=mnist.train.labels[:400])
    costs = {}
    for input_cls in (FeedInput, GraphInput):
        tf.reset_default_graph()
        tf.set_random_seed(1)
        inputs = input_cls(batch_dataflow(split, 100, seed=1), [784])
        x, y = inputs.tensors(num_classes=10)
        net = build_classifier(functools.partial(cnn, variant="swu"), x, y, "adam", 0.001)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            recorder = _CostRecorder()
            train(sess, net, inputs, 2, keep_prob=0.7, hooks=[recorder])
        costs[input_cls.name] = recorder.costs
    assert len(costs["feed"]) == 8
    np.testing.assert_allclose(costs["graph"], costs["feed"], rtol=1e-6)


class _CostRecorder(Hook):
    def __init__(self):
        self.costs = []

    def after_step(self, step, cost):
        self.costs.append(float(cost))


def test_evaluation_pads_the_last_chunk(mnist):
    """Test and validation sizes need not divide by the batch: 130 images in
    chunks of 100 count 130, not 200 or 100."""
    from legacy.graph import build_classifier
    from legacy.train import evaluate
    tf.reset_default_graph()
    split = mnist.train._replace(images=mnist.train.images[:300], labels=mnist.train.labels[:300])
    inputs = GraphInput(batch_dataflow(split, 100, seed=0), [784])
    x, y = inputs.tensors(num_classes=10)
    net = build_classifier(functools.partial(mlp, hidden=[32]), x, y, "gd", 0.1)
    part = mnist.test._replace(images=mnist.test.images[:130], labels=mnist.test.labels[:130])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        logits = sess.run(net.logits, {net.x: part.images[:100]})
        logits = np.concatenate([logits, sess.run(net.logits, {net.x: np.concatenate(
            [part.images[100:], np.zeros((70, 784), np.float32)])})[:30]])
        expected = np.mean(np.argmax(logits, 1) == np.argmax(part.labels, 1))
        assert evaluate(sess, net, part) == pytest.approx(expected)


def test_graph_input_gathers_the_rows_epoch_rows_names(mnist):
    """Each step feeds only its row numbers; x and y are those rows of the
    split (copied into the session once), over an epoch's end and after a
    skip; the RNG is drawn once per epoch however far the epoch ran, so a
    checkpoint's RNG state at an epoch's start stays right; and the tables
    stay out of checkpoints."""
    tf.reset_default_graph()
    split = mnist.train._replace(images=mnist.train.images[:500], labels=mnist.train.labels[:500])
    inputs = GraphInput(batch_dataflow(split, 100, seed=4), [784])
    x, y = inputs.tensors(num_classes=10)
    assert x.shape.as_list() == [100, 784] and y.shape.as_list() == [100, 10]  # static: Grappler folds shapes
    assert not tf.global_variables()  # local variables: no Saver and no initial-weights hash sees them
    start = inputs.rng_state()
    rows = list(inputs.epoch_rows()) + list(inputs.epoch_rows())
    inputs.set_rng_state(start)
    epochs = [list(inputs.epoch()), list(inputs.epoch())]
    after_two = inputs.rng_state()
    assert set(epochs[0][0]) == {inputs.index}  # nothing else is fed
    with tf.Session() as sess:
        inputs.start(sess)
        for feed, index in zip(epochs[0] + epochs[1], rows):
            images, labels = sess.run([x, y], feed)
            np.testing.assert_array_equal(images, split.images[index])
            np.testing.assert_array_equal(labels, split.labels[index])
    assert not np.array_equal(rows[0], rows[5])  # the second epoch is reshuffled

    inputs.set_rng_state(start)
    partial = inputs.epoch()
    next(partial)
    partial.close()  # a run stopped after one step of the epoch
    resumed = list(inputs.epoch(skip=3))  # the next epoch, resumed after 3 of its 5 steps
    assert inputs.rng_state() == after_two
    assert len(resumed) == 2
    for a, b in zip(epochs[1][3:], resumed):
        np.testing.assert_array_equal(a[inputs.index], b[inputs.index])
