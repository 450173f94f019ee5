"""The shared loop on a 2,000-image subset: it learns, and a seed repeats."""
import functools

from conftest import run_config
from legacy.runners.mnist import run_mnist
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


def test_same_seed_gives_identical_costs(tmp_path):
    a = _run(tmp_path, "a", keep_prob=0.8, seed=3)
    b = _run(tmp_path, "b", keep_prob=0.8, seed=3)
    c = _run(tmp_path, "c", keep_prob=0.8, seed=4)
    assert a["epoch_avg_cost"] == b["epoch_avg_cost"]
    assert a["test_accuracy"] == b["test_accuracy"]
    assert a["epoch_avg_cost"] != c["epoch_avg_cost"]


def test_batch_norm_trains_the_deep_gd_network(tmp_path):
    # N(0, 0.01) weights through three layers barely move under GD in two
    # epochs; batch norm rescales the activations and the network learns.
    plain = _run(tmp_path, "plain", hidden=(256, 256, 256))
    normed = _run(tmp_path, "bn", hidden=(256, 256, 256), batch_norm=True)
    assert plain["epoch_avg_cost"][-1] > 2.0
    assert normed["epoch_avg_cost"][-1] < 1.0
    assert normed["test_accuracy"] > 0.8
