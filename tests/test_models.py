"""Graph builders: layer shapes, batch norm's moving statistics, dropout."""
import functools

import numpy as np
import pytest

from legacy.graph import build_classifier
from legacy.models import layers
from legacy.models.mlp import mlp
from legacy.optim import OPTIMIZERS
from legacy.tf import tf


def _build(hidden, batch_norm=False, optimizer="gd"):
    tf.reset_default_graph()
    tf.set_random_seed(0)
    x = tf.placeholder(tf.float32, [None, 784])
    y = tf.placeholder(tf.float32, [None, 10])
    return build_classifier(functools.partial(mlp, hidden=hidden, batch_norm=batch_norm), x, y, optimizer, 0.1)


@pytest.mark.parametrize("hidden", [[256, 256, 256], [32], [64, 16, 8, 4]])
def test_layer_shapes_follow_hidden(hidden):
    net = _build(hidden)
    weights = [v.shape.as_list() for v in tf.trainable_variables()]
    widths = [784] + hidden + [10]
    assert weights == [[a, b] for a, b in zip(widths, widths[1:])]  # no biases, as in the study
    assert net.logits.shape.as_list() == [None, 10]
    assert net.logits.name == "output/logits:0"


def test_batch_norm_adds_update_ops_and_moving_statistics():
    net = _build([32, 16], batch_norm=True)
    assert len(tf.get_collection(tf.GraphKeys.UPDATE_OPS)) == 4  # mean and variance per hidden layer
    moving = [v for v in tf.global_variables() if "moving_" in v.name]
    assert len(moving) == 4 and not set(moving) & set(tf.trainable_variables())
    rng = np.random.RandomState(0)
    x = rng.rand(50, 784).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[rng.randint(0, 10, 50)]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(moving)
        sess.run(net.train_op, {net.x: x, net.y: y, layers.mode_inputs().training: True})
        after = sess.run(moving)
        assert all(not np.allclose(a, b) for a, b in zip(before, after))
        # Inference uses the moving statistics: one image's logits do not
        # depend on the rest of its batch.
        alone = sess.run(net.logits, {net.x: x[:1]})
        batched = sess.run(net.logits, {net.x: x})[:1]
        np.testing.assert_allclose(alone, batched, rtol=1e-5, atol=1e-6)
        # ...and evaluating does not move them.
        assert all(np.array_equal(a, b) for a, b in zip(sess.run(moving), after))


def test_without_batch_norm_there_are_no_update_ops():
    _build([32, 16], batch_norm=False)
    assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == []


def test_dropout_does_nothing_at_keep_prob_one_and_scales_otherwise():
    tf.reset_default_graph()
    x = tf.constant(np.random.RandomState(0).rand(200, 300).astype(np.float32))
    keep = tf.placeholder(tf.float32, [])
    out = layers.dropout(x, keep)
    with tf.Session() as sess:
        value, kept = sess.run([x, out], {keep: 1.0})
        np.testing.assert_array_equal(kept, value)
        half = sess.run(out, {keep: 0.5})
    zeros = np.mean(half == 0)
    assert 0.45 < zeros < 0.55
    np.testing.assert_allclose(half[half != 0], 2 * value[half != 0], rtol=1e-6)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_every_optimizer_builds_and_steps(name):
    net = _build([16], optimizer=name)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(net.train_op, {net.x: np.ones((4, 784)), net.y: np.eye(10)[:4]})
        assert sess.run(net.global_step) == 1
