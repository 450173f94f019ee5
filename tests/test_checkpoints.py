"""Checkpoint files, the loop state and step-keyed dropout, in process."""
import json
import os

import numpy as np

from legacy import checkpoints
from legacy.models import layers
from legacy.tf import tf
from legacy.train import EpochRecord, LoopState


def test_index_lists_the_newest_and_old_ones_are_deleted(tmp_path):
    tf.reset_default_graph()
    v = tf.Variable(0.0, name="v")
    run = checkpoints.RunCheckpoints(str(tmp_path), keep=2)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in (3, 6, 9):
            sess.run(v.assign(float(step)))
            run.save(sess, step, {"step": step})
    assert [os.path.basename(p) for p in checkpoints.listed(str(tmp_path))] == ["model.ckpt-6", "model.ckpt-9"]
    assert not [f for f in os.listdir(str(tmp_path)) if f.startswith("model.ckpt-3")]
    assert not [f for f in os.listdir(str(tmp_path)) if f.endswith(".tmp")]  # atomic writes left nothing
    # TF's own readers understand our index.
    assert tf.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "model.ckpt-9")
    assert tf.train.load_checkpoint(str(tmp_path / "model.ckpt-9")).get_tensor("v") == 9.0
    with open(checkpoints.state_path(str(tmp_path / "model.ckpt-9"))) as handle:
        assert json.load(handle) == {"step": 9}


def test_loop_state_round_trips_through_json():
    state = LoopState()
    state.epoch, state.step, state.step_in_epoch, state.epoch_cost = 3, 27, 7, 0.1 + 0.2
    state.rng_state = [1, 2]
    state.history = [EpochRecord(1, 2.5, 0.5, 1.0), EpochRecord(2, 1.5, None, 1.0)]
    back = LoopState.from_json(json.loads(json.dumps(state.to_json())))
    assert back.to_json() == state.to_json() and back.epoch_cost == 0.1 + 0.2  # floats exactly


def test_dropout_masks_are_keyed_by_the_fed_seed_and_the_layer():
    tf.reset_default_graph()
    tf.set_random_seed(1)
    x = tf.ones([50, 40])
    a, b = layers.dropout(x, 0.5), layers.dropout(x, 0.5)
    seed = layers.find_dropout_seed()
    assert seed is not None and seed.name == "dropout_seed:0"
    with tf.Session() as sess:
        a0, b0 = sess.run([a, b], {seed: [7, 0]})
        a1 = sess.run(a, {seed: [7, 0]})
        a2 = sess.run(a, {seed: [8, 0]})
    np.testing.assert_array_equal(a0, a1)  # same step, same mask: in any process
    assert not np.array_equal(a0, a2) and not np.array_equal(a0, b0)
    assert set(np.unique(a0)) == {0.0, 2.0}


def test_graph_without_dropout_has_no_seed_to_feed():
    tf.reset_default_graph()
    assert layers.find_dropout_seed() is None


def test_a_changing_learning_rate_is_found_and_a_constant_is_not():
    from legacy.hooks import _schedule
    from legacy.optim import make_optimizer
    tf.reset_default_graph()
    w = tf.Variable(1.0)
    make_optimizer("adam", 0.1).minimize(w * w)
    assert _schedule(tf.get_default_graph()) is None
    step = tf.Variable(0, trainable=False)
    lr = tf.train.exponential_decay(0.1, step, 10, 0.5, name="learning_rate")
    assert _schedule(tf.get_default_graph()) is lr
