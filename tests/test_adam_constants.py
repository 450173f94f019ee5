"""--adam_epsilon, --adam_beta1, --adam_beta2 (legacy/run_config.py) reach
tf.train.AdamOptimizer, and their defaults are TF1's (what the study's
``tf.train.AdamOptimizer(0.001)`` took)."""
import numpy as np
import pytest

from conftest import run_config
from legacy import optim
from legacy.run_config import FIELDS
from legacy.models.registry import MODELS
from legacy.runners.mnist_classifier import run_mnist
from legacy.tf import tf
from scripts_util import read_json, run_script


def tf1_adam(grads, lr, beta1, beta2, epsilon):
    """TF1's ApplyAdam in numpy, float64: the weights after each gradient of ``grads`` (w starts at 0)."""
    w, m, v, out = 0.0, 0.0, 0.0, []
    for t, g in enumerate(grads, 1):
        lr_t = lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        w = w - lr_t * m / (np.sqrt(v) + epsilon)
        out.append(w)
    return np.array(out)


def adam_steps(grads, lr=0.001, adam=None):
    """Train w (3 values, from 0) on cost = sum(g * w) with make_optimizer("adam"), one step per row of ``grads``."""
    with tf.Graph().as_default():
        w = tf.Variable(tf.zeros([3], tf.float64))
        g = tf.placeholder(tf.float64, [3])
        step = optim.make_optimizer("adam", lr, adam).minimize(tf.reduce_sum(g * w))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            out = []
            for row in grads:
                sess.run(step, {g: row})
                out.append(sess.run(w))
    return np.array(out)


# Per column, 4 steps: gradients of three sizes, the middle one changing sign (so beta1 matters).
GRADS = np.array([[1e-4, 1e-3, 1.0], [1e-4, -1e-3, 1.0], [2e-4, 1e-3, 0.5], [1e-4, 1e-3, 1.0]])


def expected(adam):
    settings = dict(optim.ADAM_DEFAULTS, **adam)
    return np.stack([tf1_adam(GRADS[:, j], 0.001, settings["adam_beta1"], settings["adam_beta2"],
                              settings["adam_epsilon"]) for j in range(3)], axis=1)


def test_defaults_are_tf1s_adam():
    assert dict(optim.ADAM_DEFAULTS) == {"adam_beta1": 0.9, "adam_beta2": 0.999, "adam_epsilon": 1e-8}
    assert all(FIELDS[name] == value for name, value in optim.ADAM_DEFAULTS.items())
    with tf.Graph().as_default():
        default, ours = tf.train.AdamOptimizer(0.001), optim.make_optimizer("adam", 0.001)
    assert (ours._beta1, ours._beta2, ours._epsilon) == (default._beta1, default._beta2, default._epsilon)


@pytest.mark.parametrize("adam", [{}, {"adam_epsilon": 1e-4}, {"adam_epsilon": 1e-7},
                                  {"adam_beta1": 0.5, "adam_beta2": 0.99, "adam_epsilon": 1e-3}])
def test_adam_constants_set_the_update(adam):
    """The weights after 4 steps are TF1's Adam update with these constants (and not with the defaults')."""
    got = adam_steps(GRADS, adam=adam)
    # TF1 keeps beta1^t and beta2^t in float32 variables: 3.4e-6 relative from the float64 formula (measured).
    np.testing.assert_allclose(got, expected(adam), rtol=2e-5, atol=0)
    if adam:
        # With epsilon 1e-4 the 1e-4 gradient moves w by about half as far as with 1e-8: far from rounding.
        assert np.max(np.abs(got - expected({}))) > 1e-5


def test_other_optimizers_refuse_adam_constants():
    with tf.Graph().as_default():
        optim.make_optimizer("gd", 0.1, {"adam_epsilon": 1e-8})  # the defaults: nothing changed, nothing to refuse
        with pytest.raises(ValueError, match="adam_epsilon apply to the adam optimizer only, not gd"):
            optim.make_optimizer("gd", 0.1, {"adam_epsilon": 1e-4})
        with pytest.raises(ValueError, match="unknown Adam settings"):
            optim.make_optimizer("adam", 0.1, {"epsilon": 1e-4})


def test_run_mnist_passes_the_config_to_adamoptimizer(tmp_path, mnist_dir, monkeypatch):
    """The run's RunConfig -> build_classifier -> make_optimizer -> tf.train.AdamOptimizer(...)."""
    seen = []
    real = tf.train.AdamOptimizer.__init__

    def spy(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8, *args, **kwargs):
        seen.append((learning_rate, beta1, beta2, epsilon))
        real(self, learning_rate, beta1, beta2, epsilon, *args, **kwargs)

    monkeypatch.setattr(tf.train.AdamOptimizer, "__init__", spy)
    record = run_mnist("adam_check", MODELS["mlp"].build(run_config(**MODELS["mlp"].settings)),
                       run_config(data_dir=mnist_dir, train_limit=200, epochs=1, optimizer="adam",
                                  learning_rate=0.001, adam_epsilon=1e-4, adam_beta1=0.8, adam_beta2=0.99,
                                  output=str(tmp_path / "r.json")))
    assert seen == [(0.001, 0.8, 0.99, 1e-4)]
    assert record["flags"]["adam_epsilon"] == 1e-4 and record["flags"]["adam_beta2"] == 0.99


@pytest.mark.long
def test_the_flags_reach_the_results_and_refuse_other_optimizers(tmp_path, mnist_dir):
    out = tmp_path / "r.json"
    run_script("mnist_dnn.py", "--preset=mlp", "--epochs=0", "--data_dir=" + mnist_dir, "--adam_epsilon=1e-4",
               "--adam_beta1=0.85", "--output=" + str(out), "--logdir=" + str(tmp_path / "run"))
    flags = read_json(out)["flags"]
    assert (flags["optimizer"], flags["adam_epsilon"], flags["adam_beta1"], flags["adam_beta2"]) == (
        "adam", 1e-4, 0.85, 0.999)
    bad = run_script("mnist_dnn.py", "--preset=dnn4", "--epochs=0", "--data_dir=" + mnist_dir,
                     "--adam_epsilon=1e-4", check=False)
    assert bad.returncode == 2 and bad.stderr.strip().splitlines() == [
        "error: --adam_epsilon set Adam's constants, but this run trains with --optimizer=gd; drop it or pass "
        "--optimizer=adam"]
    bad = run_script("mnist_dnn.py", "--adam_beta2=1.0", check=False)
    assert bad.returncode != 0 and "--adam_beta2 must be in [0, 1)" in bad.stderr
