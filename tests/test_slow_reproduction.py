"""The long check (``make test-slow``): one full-size run of the study's CNN
comparison with Adam, checked against the study's own run log.

The tolerance comes from the seed spread we measured: the runs listed in
data/reference/swu_cnn_seed_spread.json (full 15-epoch runs of this very
command with seeds 0, 1, 2, made by `make reproduce` at commit 1c19a4e). The
original log is one more draw from the same distribution, so a fresh run and
the original differ by a random amount with standard deviation sqrt(2)·σ,
where σ is our seed-to-seed standard deviation at that epoch; we allow three
of those. Because σ from a handful of seeds is itself uncertain, the bound is
never below 20 % of the original's value for a cost (two of our seeds once
differed by 16 % at one epoch at revision bb817b9, 0.135 against
0.115 at epoch 2).

The test accuracy is not one draw of our distribution: our three seeds give
0.9885, 0.9887 and 0.9882 (σ 0.0003), all 0.0016-0.0021 above the original's
0.9866, an offset far outside the seed spread (another TF build and machine
in 2021; the evaluation itself draws dropout masks). Its bound is therefore
that measured offset plus 3·sqrt(2)·σ (0.0029), never below 0.002: a change
that moves the accuracy further from the study than our own runs are fails.
"""
import json
import math
import os

import numpy as np
import pytest

from conftest import REPO
from legacy.study.report import load_reference
from scripts_util import read_json, run_script


def tolerances():
    with open(os.path.join(REPO, "data", "reference", "swu_cnn_seed_spread.json")) as handle:
        spread = json.load(handle)
    costs = np.array([run["epoch_avg_cost"] for run in spread["runs"]])
    accuracy = np.array([run["test_accuracy"] for run in spread["runs"]])
    original = load_reference("swu_cnn_adam_vs_rmsprop")["runs"]["adam"]
    cost_tol = np.maximum(3 * math.sqrt(2) * costs.std(axis=0, ddof=1), 0.20 * np.array(original["epoch_avg_cost"]))
    offset = abs(accuracy.mean() - original["test_accuracy"])
    acc_tol = max(offset + 3 * math.sqrt(2) * accuracy.std(ddof=1), 0.002)
    return original, cost_tol, acc_tol


def test_spread_file_holds_real_runs_of_the_command():
    with open(os.path.join(REPO, "data", "reference", "swu_cnn_seed_spread.json")) as handle:
        spread = json.load(handle)
    assert len(spread["runs"]) >= 2 and len({r["seed"] for r in spread["runs"]}) == len(spread["runs"])
    for run in spread["runs"]:
        assert len(run["epoch_avg_cost"]) == 15 and run["flags"]["variant"] == "swu"
        assert run["flags"]["optimizer"] == "adam" and run["flags"]["eval_keep_prob"] == 0.8
    _, cost_tol, acc_tol = tolerances()
    assert len(cost_tol) == 15 and 0 < acc_tol < 0.01


@pytest.mark.slow
def test_cnn_swu_adam_matches_the_study_log(tmp_path, mnist_dir):
    out = tmp_path / "cnn_swu_adam.json"
    run_script("mnist_cnn.py", "--variant=swu", "--optimizer=adam", "--learning_rate=0.001", "--keep_prob=0.8",
               "--eval_keep_prob=0.8", "--epochs=15", "--batch_size=100", "--seed=0",
               "--data_dir=" + mnist_dir, "--output=" + str(out))
    record = read_json(out)
    original, cost_tol, acc_tol = tolerances()
    diffs = np.abs(np.array(record["epoch_avg_cost"]) - np.array(original["epoch_avg_cost"]))
    assert np.all(diffs <= cost_tol), list(zip(record["epoch_avg_cost"], original["epoch_avg_cost"], cost_tol))
    assert abs(record["test_accuracy"] - original["test_accuracy"]) <= acc_tol, (record["test_accuracy"], acc_tol)
