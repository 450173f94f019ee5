"""The shared loop on a 2,000-image subset: it learns, and a seed repeats."""
import functools

import pytest

from conftest import run_config
from legacy.runners.mnist_classifier import run_mnist
from legacy.models.mlp import mlp


def _run(tmp_path, name, hidden=(256, 256), **overrides):
    config = run_config(output=str(tmp_path / (name + ".json")), **overrides)
    return run_mnist("test", functools.partial(mlp, hidden=list(hidden), batch_norm=config.batch_norm), config)


def test_two_epochs_lower_the_cost(tmp_path):
    # The study's Adam MLP (784-256-256-10, Adam 0.001).
    record = _run(tmp_path, "adam", optimizer="adam", learning_rate=0.001)
    first, second = record["epoch_avg_cost"]
    assert second < first * 0.8
    assert record["validation_accuracy"][-1] > 0.5  # chance is 0.1; 40 steps reach about 0.7
    assert record["steps_per_epoch"] == 20


@pytest.mark.long  # make test's 5-minute budget (issue 27): timed in make test-all
def test_same_seed_gives_identical_costs(tmp_path):
    a = _run(tmp_path, "a", keep_prob=0.8, seed=3)
    b = _run(tmp_path, "b", keep_prob=0.8, seed=3)
    c = _run(tmp_path, "c", keep_prob=0.8, seed=4)
    assert a["epoch_avg_cost"] == b["epoch_avg_cost"]
    assert a["test_accuracy"] == b["test_accuracy"]
    assert a["epoch_avg_cost"] != c["epoch_avg_cost"]


@pytest.mark.long  # make test's 5-minute budget (issue 27): timed in make test-all
def test_batch_norm_trains_the_deep_gd_network(tmp_path):
    # N(0, 0.01) weights through three layers barely move under GD in two
    # epochs; batch norm rescales the activations and the network learns.
    plain = _run(tmp_path, "plain", hidden=(256, 256, 256))
    normed = _run(tmp_path, "bn", hidden=(256, 256, 256), batch_norm=True)
    assert plain["epoch_avg_cost"][-1] > 2.0
    assert normed["epoch_avg_cost"][-1] < 1.0
    assert normed["test_accuracy"] > 0.8


def test_phases_run_in_order_each_step():
    """A net with two phases (a GAN's D step, then its G step) runs them one
    after the other: the second phase's cost is measured after the first
    phase's update, and each phase's epoch average is recorded."""
    import numpy as np
    from legacy.graph import Phase, TrainGraph, minimize
    from legacy.hooks import Hook
    from legacy.runners.full_batch import full_batch_input
    from legacy.tf import tf
    from legacy.train import train

    x_data = np.array([[1.0], [2.0], [3.0]], np.float32)
    y_data = np.array([[2.0], [4.0], [6.0]], np.float32)
    tf.reset_default_graph()
    inputs = full_batch_input(x_data, y_data)
    x, y = inputs.tensors(num_classes=1)
    w = tf.Variable([[0.5]], name="W")
    b = tf.Variable([0.0], name="b")
    cost = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
    step_w = tf.train.GradientDescentOptimizer(0.05).minimize(cost, var_list=[w])
    step_b, global_step = minimize(cost, "gd", 0.05)
    net = TrainGraph(x, y, None, cost, None, None, step_b, global_step, [w, b],
                     phases=[Phase("w_step", step_w, cost), Phase("all_step", step_b, cost)])

    class Costs(Hook):
        seen = []

        def after_step(self, step, cost):
            self.seen.append(dict(self.loop.step_costs))

    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        history = train(sess, net, inputs, 3, keep_prob=1.0, hooks=[Costs()])

    # By hand: phase 1 moves W by GD on the MSE, phase 2 measures the cost
    # there and moves W and b.
    wv, bv, expected = 0.5, 0.0, []
    x1, y1 = x_data[:, 0].astype(np.float64), y_data[:, 0].astype(np.float64)
    for _ in range(3):
        first = np.mean((wv * x1 + bv - y1) ** 2)
        wv -= 0.05 * np.mean(2 * (wv * x1 + bv - y1) * x1)
        second = np.mean((wv * x1 + bv - y1) ** 2)
        grad_w, grad_b = np.mean(2 * (wv * x1 + bv - y1) * x1), np.mean(2 * (wv * x1 + bv - y1))
        wv, bv = wv - 0.05 * grad_w, bv - 0.05 * grad_b
        expected.append((first, second))
    got = [(c["w_step"], c["all_step"]) for c in Costs.seen]
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    assert [r.phase_costs["all_step"] for r in history] == [float(c["all_step"]) for c in Costs.seen]
    assert [r.avg_cost for r in history] == [float(c["w_step"]) for c in Costs.seen]


@pytest.mark.parametrize("eval_keep_prob, passes", [(1.0, 2), (0.8, 3)])
def test_the_test_split_is_evaluated_once_per_measurement(tmp_path, monkeypatch, eval_keep_prob, passes):
    """Issue 14: the final test accuracy is computed once. A 2-epoch run
    measures the test split at each epoch's end (TensorBoard) and reports the
    last of those; with dropout on at evaluation it adds the one dropout-off
    measurement of the same weights, and nothing else."""
    from legacy import hooks
    from legacy.runners import mnist_classifier
    real, seen = hooks.evaluate, []

    def counting(sess, net, split, keep_prob=1.0, **kwargs):
        accuracy = real(sess, net, split, keep_prob, **kwargs)
        if len(split.images) == 10000:
            seen.append((keep_prob, accuracy))
        return accuracy

    monkeypatch.setattr(hooks, "evaluate", counting)
    monkeypatch.setattr(mnist_classifier, "evaluate", counting)
    config = run_config(train_limit=500, epochs=2, keep_prob=0.8, eval_keep_prob=eval_keep_prob,
                        output=str(tmp_path / "r.json"), logdir=str(tmp_path / "run"))
    record = mnist_classifier.run_mnist("once", functools.partial(mlp, hidden=[32]), config)
    assert len(seen) == passes
    assert [keep for keep, _ in seen[:2]] == [eval_keep_prob] * 2  # the two epochs' ends
    assert record["test_accuracy"] == seen[1][1]  # the last epoch's, not a new pass
    if eval_keep_prob < 1:
        assert seen[2][0] == 1.0 and record["test_accuracy_without_dropout"] == seen[2][1]
