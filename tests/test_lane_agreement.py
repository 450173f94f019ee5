"""The same seed gives the same per-epoch costs on both lanes, within the
tolerance stored with each case in data/reference/lane_costs.json.

The reference is the TF 1.15 lane's recorded run (tools/record_lane_costs.py
wrote it, with the command). Each lane reruns the case here and compares: on
the TF 1.15 lane this checks that the reference still reproduces, on the TF 2
lane that TF 2 computes what TF 1.15 did. Same seed means the same initial
weights, dropout masks and batch order on both (legacy/tf.py,
legacy/models/layers.py); only kernel rounding differs.

The mnist_dnn.py cases run in this process; the short runs of golbin's
rnn_mnist.py, gan.py (both modes; D's and G's per-epoch losses too) and
dqn.py (its episode and evaluation rewards must be the same) run their
script as a user would.
"""
import functools
import json
import os

import pytest

from conftest import REPO, run_config
from legacy import results
from legacy.runners.mnist_classifier import run_mnist
from legacy.models.mlp import mlp

with open(os.path.join(REPO, "data", "reference", "lane_costs.json"), encoding="utf-8") as _handle:
    REFERENCE = json.load(_handle)
CASES = REFERENCE["cases"]


def case_config(args, **overrides):
    """mnist_dnn.py's RunConfig for ``args`` (its defaults for the flags the cases leave out)."""
    values = dict(train_limit=None, epochs=30, keep_prob=1.0, hidden=(256, 256, 256), batch_norm=False)
    values.update(results.flags_from_args(args))
    values.update(overrides)
    if isinstance(values["hidden"], (list, int)):
        values["hidden"] = tuple(values["hidden"]) if isinstance(values["hidden"], list) else (values["hidden"],)
    return run_config(**values)


def run_case(name, tmp_path, mnist_dir=None):
    if CASES[name]["script"] != "mnist_dnn.py":
        return run_script_case(name, tmp_path, mnist_dir)
    config = case_config(CASES[name]["args"], output=str(tmp_path / (name + ".json")))
    model = functools.partial(mlp, hidden=list(config.hidden), batch_norm=config.batch_norm)
    return run_mnist("lane_check", model, config)


def run_script_case(name, tmp_path, mnist_dir):
    from scripts_util import read_json, run_script
    case, out = CASES[name], tmp_path / (name + ".json")
    data = ["--data_dir=" + mnist_dir, "--download=false"] if case.get("mnist", True) else []
    run_script(case["script"], *(case["args"] + data + ["--output=" + str(out), "--logdir=" + str(tmp_path / name)]))
    return read_json(out)


def differences(costs, reference):
    assert len(costs) == len(reference)
    return ([abs(c - r) / abs(r) for c, r in zip(costs, reference)],
            [abs(c - r) for c, r in zip(costs, reference)])


def check(name, record, reference):
    tol = CASES[name]["tolerance"]
    relative, absolute = differences(record["epoch_avg_cost"], reference["epoch_avg_cost"])
    if "relative" in tol:
        assert max(relative) <= tol["relative"], (name, record["epoch_avg_cost"], reference["epoch_avg_cost"])
    if "absolute" in tol:
        assert max(absolute) <= tol["absolute"], (name, record["epoch_avg_cost"], reference["epoch_avg_cost"])
    if "test_accuracy" in tol:
        assert abs(record["test_accuracy"] - reference["test_accuracy"]) <= tol["test_accuracy"]
    if reference.get("epoch_phase_costs"):  # the GAN: D's and G's losses, each within the relative bound
        for phase in reference["epoch_phase_costs"][0]:
            relative, _ = differences([e[phase] for e in record["epoch_phase_costs"]],
                                      [e[phase] for e in reference["epoch_phase_costs"]])
            assert max(relative) <= tol["relative"], (name, phase, relative)
    for key in CASES[name].get("same", []):
        assert record[key] == reference[key], (name, key, record[key], reference[key])


def test_records_match_their_commands():
    for lane, records in REFERENCE["lanes"].items():
        for name, record in records.items():
            args = " ".join(CASES[name]["args"])
            assert record["command"] == "python scripts/%s %s" % (CASES[name]["script"], args), (lane, name)
            assert record["environment"]["tensorflow"].startswith("1." if lane == "tf1" else "2.")


@pytest.mark.parametrize("name", sorted(n for n in REFERENCE["lanes"].get("tf2", {})))
def test_recorded_tf2_run_agrees_with_tf1(name):
    check(name, REFERENCE["lanes"]["tf2"][name], REFERENCE["lanes"]["tf1"][name])


def _params(full):
    marks = [pytest.mark.slow] if full else []
    return [pytest.param(n, marks=marks) for n in sorted(CASES) if bool(CASES[n].get("full")) == full]


@pytest.mark.parametrize("name", _params(full=False))
@pytest.mark.long
def test_this_lane_reproduces_tf1_costs(name, tmp_path, mnist_dir):
    check(name, run_case(name, tmp_path, mnist_dir), REFERENCE["lanes"]["tf1"][name])


@pytest.mark.parametrize("name", _params(full=True))
def test_this_lane_reproduces_tf1_costs_on_full_data(name, tmp_path, mnist_dir):
    check(name, run_case(name, tmp_path, mnist_dir), REFERENCE["lanes"]["tf1"][name])
