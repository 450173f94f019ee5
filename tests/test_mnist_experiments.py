"""The MNIST experiment scripts on a few hundred images: each runs, prints the
study's lines, learns, and writes its tables."""
import csv

import pytest

from scripts_util import read_json, run_script

# Every test here starts subprocess training runs: the long tier (make test-all).
pytestmark = pytest.mark.long


def _common(tmp_path, mnist_dir, name="r.json"):
    return ["--data_dir=" + mnist_dir, "--output=" + str(tmp_path / name)]


def test_softmax_regression_learns(tmp_path, mnist_dir):
    run_script("logistic_regression.py", "--model=softmax", "--train_limit=500", "--epochs=2",
               *_common(tmp_path, mnist_dir))
    record = read_json(tmp_path / "r.json")
    assert record["epoch_avg_cost"][1] < record["epoch_avg_cost"][0]
    assert record["test_accuracy"] > 0.6


@pytest.mark.parametrize("variant, keep", [("golbin", 0.7), ("swu", 0.8)])
def test_mnist_cnn_variants(tmp_path, mnist_dir, variant, keep):
    proc = run_script("mnist_cnn.py", "--variant=" + variant, "--train_limit=300", "--epochs=2",
                      *_common(tmp_path, mnist_dir))
    assert "Epoch: 0002 Avg. cost = " in proc.stdout
    record = read_json(tmp_path / "r.json")
    assert record["flags"]["keep_prob"] == keep and record["flags"]["optimizer"] == "adam"
    assert record["flags"]["eval_keep_prob"] == 1.0
    assert record["epoch_avg_cost"][1] < record["epoch_avg_cost"][0]


def test_explicit_flag_beats_preset(tmp_path, mnist_dir):
    run_script("mnist_cnn.py", "--variant=swu", "--keep_prob=0.5", "--eval_keep_prob=0.8", "--train_limit=200",
               "--epochs=1", *_common(tmp_path, mnist_dir))
    flags = read_json(tmp_path / "r.json")["flags"]
    assert flags["keep_prob"] == 0.5 and flags["eval_keep_prob"] == 0.8


def test_mnist_dnn_adam_preset(tmp_path, mnist_dir):
    run_script("mnist_dnn.py", "--preset=mlp-dropout", "--train_limit=500", "--epochs=2",
               *_common(tmp_path, mnist_dir))
    record = read_json(tmp_path / "r.json")
    assert record["flags"]["hidden"] == [256, 256] and record["flags"]["optimizer"] == "adam"
    assert record["flags"]["keep_prob"] == 0.8 and record["flags"]["learning_rate"] == 0.001
    assert record["epoch_avg_cost"][1] < record["epoch_avg_cost"][0]


def test_compare_optimizers_same_start_one_row_each(tmp_path, mnist_dir):
    proc = run_script("compare_optimizers.py", "--optimizers=gd,adam,rmsprop,adagrad,momentum",
                      "--train_limit=300", "--epochs=2", *_common(tmp_path, mnist_dir, "cmp.json"))
    rows = list(csv.DictReader(open(str(tmp_path / "cmp.csv"))))
    assert [r["optimizer"] for r in rows] == ["gd", "adam", "rmsprop", "adagrad", "momentum"]
    assert all(r["status"] == "ok" and r["epoch 2"] and r["test accuracy"] for r in rows)
    assert (tmp_path / "cmp.md").read_text().count("\n| ") == 6  # header + 5 optimizers
    assert (tmp_path / "cmp.png").read_bytes()[:4] == b"\x89PNG"
    runs = read_json(tmp_path / "cmp.json")["runs"]
    assert len({r["initial_weights_sha1"] for r in runs.values()}) == 1  # the same initial weights
    adam = runs["adam-0.001"]
    assert adam["epoch_avg_cost"][1] < adam["epoch_avg_cost"][0]
    assert "| optimizer | learning rate | epoch 1 | epoch 2 |" in proc.stdout


def test_lr_sweep_marks_diverged_runs_and_goes_on(tmp_path, mnist_dir):
    run_script("lr_sweep.py", "--learning_rates=0.5,100000", "--train_limit=500", "--epochs=1",
               *_common(tmp_path, mnist_dir, "sweep.json"))
    rows = list(csv.DictReader(open(str(tmp_path / "sweep.csv"))))
    assert len(rows) == 4  # 2 losses x 2 rates
    verdict = {(r["loss"], float(r["learning rate"])): r["verdict"] for r in rows}
    assert verdict[("xent", 100000.0)] == "diverged"
    assert verdict[("xent", 0.5)] != "diverged"
    # The diverged point's JSON is the runner's full record, written once
    # (runners/grid.py does not overwrite it): where it diverged, the costs so far.
    record = read_json(tmp_path / "sweep" / "xent-gd-100000.json")
    assert record["status"] == "diverged" and record["test_accuracy"] is None
    assert record["flags"]["learning_rate"] == 100000.0 and record["flags"]["optimizer"] == "gd"
    diverged = record["diverged"]
    assert diverged["epoch"] == 1 and 1 <= diverged["step"] <= record["steps_per_epoch"]
    assert diverged["cost"] in ("nan", "inf", "-inf")
    assert record["global_step"] == diverged["step"]
    assert (tmp_path / "sweep.png").read_bytes()[:4] == b"\x89PNG"
