"""tools/compare_runs.py's comparison: a difference in the last bit of a cost is
found, only the listed environment and timing keys are left out, and a file
that changed by one byte is found (no TensorFlow, no runs)."""
import importlib.util
import json
import os

import numpy as np

from conftest import REPO


def _tool():
    spec = importlib.util.spec_from_file_location("compare_runs", os.path.join(REPO, "tools", "compare_runs.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RECORD = {"experiment": "mnist_dnn", "epoch_avg_cost": [0.47213, 0.14301], "test_accuracy": 0.9866,
          "seconds_per_epoch": [12.1, 11.9], "wall_seconds": 24.0, "finished": "2026-12-07T02:15:16+0000",
          "environment": {"git_revision": "f9e0229", "tensorflow": "1.15.5"},
          "history": [{"epoch": 1, "cost": 0.47213, "seconds": 12.1}], "initial_weights_sha1": "ef3a"}


def _diff(a, b, case="mnist_dnn"):
    diffs, skipped = [], {}
    _tool().compare_json(a, b, case, "", diffs, skipped)
    return diffs, skipped


def test_a_cost_one_ulp_apart_is_a_difference():
    after = json.loads(json.dumps(RECORD))
    after["epoch_avg_cost"][1] = float(np.nextafter(0.14301, 1.0))
    assert after["epoch_avg_cost"][1] != RECORD["epoch_avg_cost"][1]
    diffs, _ = _diff(RECORD, after)
    assert [d["path"] for d in diffs] == [".epoch_avg_cost[1]"]


def test_only_environment_and_timing_keys_are_left_out():
    after = json.loads(json.dumps(RECORD))
    after.update(seconds_per_epoch=[9.0, 9.1], wall_seconds=18.2, finished="2026-12-07T03:00:00+0000",
                 environment={"git_revision": "5ad957b", "tensorflow": "1.15.5"})
    after["history"][0]["seconds"] = 9.0
    diffs, skipped = _diff(RECORD, after)
    assert diffs == []
    assert skipped == {".environment": "environment", ".finished": "timing", ".seconds_per_epoch": "timing",
                       ".wall_seconds": "timing", ".history[].seconds": "timing"}
    after["initial_weights_sha1"] = "ef3b"
    after["history"][0]["epoch"] = 2
    assert sorted(d["path"] for d in _diff(RECORD, after)[0]) == [".history[0].epoch", ".initial_weights_sha1"]


def test_a_missing_key_or_a_changed_type_is_a_difference():
    after = dict(RECORD)
    del after["test_accuracy"]
    assert [d["path"] for d in _diff(RECORD, after)[0]] == [".test_accuracy"]
    assert _diff({"step": 10}, {"step": 10.0})[0]


def test_a_file_one_byte_apart_is_a_difference(tmp_path):
    for side, text in (("before", "height,weight\n1.70,65.1\n"), ("after", "height,weight\n1.70,65.2\n")):
        (tmp_path / side).mkdir()
        (tmp_path / side / "table.csv").write_text(text)
        (tmp_path / side / "events.out.tfevents.1").write_text(side)  # wall times: not compared
    compared, diffs, _ = _tool().compare_dirs(str(tmp_path / "before"), str(tmp_path / "after"), "make_data")
    assert compared == ["table.csv"]
    assert [d["file"] for d in diffs] == ["table.csv"]


def test_a_csv_column_of_seconds_is_left_out_and_the_others_compared(tmp_path):
    """A grid's table (compare_optimizers, lr_sweep) has a seconds column beside its results."""
    for side, seconds, cost in (("before", "0.355", "2.3025813"), ("after", "0.468", "2.3025813")):
        (tmp_path / side).mkdir()
        (tmp_path / side / "results.csv").write_text("optimizer,cost,seconds\ngd,%s,%s\n" % (cost, seconds))
    tool = _tool()
    compared, diffs, skipped = tool.compare_dirs(str(tmp_path / "before"), str(tmp_path / "after"), "grid")
    assert compared == ["results.csv"] and diffs == [] and skipped == {"results.csv:seconds": "timing (CSV column)"}
    (tmp_path / "after" / "results.csv").write_text("optimizer,cost,seconds\ngd,2.3025814,0.468\n")
    _, diffs, _ = tool.compare_dirs(str(tmp_path / "before"), str(tmp_path / "after"), "grid")
    assert [(d["file"], d["path"]) for d in diffs] == [("results.csv", "<row 1>")]
