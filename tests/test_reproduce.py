"""make reproduce: published numbers kept as data with their sources,
verdicts, resuming from finished runs, and the report."""
import json
import os

import pytest

from legacy.study import plan as reproduce
from legacy.errors import UsageError
from legacy.study.report import lane_agreement, load_reference, stats, verdict
from scripts_util import run_script


def test_reference_data_names_its_sources():
    cnn = load_reference("swu_cnn_adam_vs_rmsprop")
    assert "jooyae/TensorflowProjects" in cnn["source"]
    for key in ("adam", "rmsprop"):
        assert len(cnn["runs"][key]["epoch_avg_cost"]) == 15 and cnn["runs"][key]["test_accuracy"] == 0.9866
    assert cnn["runs"]["adam"]["epoch_avg_cost"][0] == 0.472 and cnn["runs"]["rmsprop"]["epoch_avg_cost"][0] == 1.177
    hunkim = load_reference("hunkim_labs")
    assert "hunkim/DeepLearningZeroToAll" in hunkim["source"]
    plan = {r.name for r in reproduce.PLAN}
    assert {r["test_accuracy"] for r in hunkim["results"]} == {0.9804, 0.9885, 0.9938, 0.9737, 0.9513}
    assert all(r["ours"] is None or r["ours"] in plan for r in hunkim["results"])


def test_verdicts():
    assert verdict(0.472, stats([0.44, 0.47, 0.50]), 0.001) == "within the seed spread"
    assert verdict(0.472, stats([0.40, 0.401, 0.399]), 0.001).startswith("outside: ours -0.0720")
    assert verdict(0.9866, stats([0.9866]), 0.0001) == "matches (one seed, no spread)"
    assert verdict(0.9866, None, 0.0001) == "not run"


def test_plan_flags_are_the_originals():
    runs = {r.name: r for r in reproduce.PLAN}
    adam = reproduce._expected_flags(runs["cnn_swu_adam"], 0, "data/mnist")
    assert adam == {"seed": 0, "variant": "swu", "epochs": 15, "batch_size": 100, "learning_rate": 0.001,
                    "keep_prob": 0.8, "eval_keep_prob": 0.8, "optimizer": "adam"}
    assert reproduce._expected_flags(runs["cnn_swu_rmsprop"], 1, "x")["optimizer"] == "rmsprop"


@pytest.mark.long
def test_reproduce_runs_once_then_reads_back(tmp_path, mnist_dir):
    args = ["--results_dir=" + str(tmp_path), "--seeds=2", "--only=animals_code,animals_readme",
            "--data_dir=" + mnist_dir]
    first = run_script("reproduce.py", *args)
    assert first.stderr.count("running animals_") == 0 and first.stdout.count("running animals_") == 4
    second = run_script("reproduce.py", *args)
    assert second.stdout.count("read back from") == 4 and "running" not in second.stdout
    report = (tmp_path / "REPORT.md").read_text()
    assert "## Fur/wings: the code's 10-20-10 against the README's 10-20-30" in report
    assert "of 2 seeds" in report and "## Environment and time" in report
    runs = reproduce.LANES[reproduce.current_lane()].runs  # runs/ on TF 1.15, runs-tf2/ on the TF 2 lane
    record = json.loads((tmp_path / runs / "animals_readme-seed1.json").read_text())
    assert record["flags"]["hidden"] == [10, 20, 30] and record["flags"]["seed"] == 1
    assert 0 < record["script_seconds"] < 600  # the whole script, TF import included


def test_a_run_with_other_flags_is_not_reused(tmp_path):
    run = next(r for r in reproduce.PLAN if r.name == "animals_code")
    path = reproduce.run_path(str(tmp_path), run, 0)
    os.makedirs(os.path.dirname(path))
    with open(path, "w") as handle:
        json.dump({"status": "ok", "flags": {"seed": 0, "hidden": ["10", "20", "30"]},
                   "environment": {"git_revision": "x", "tensorflow": "1.15.5"}}, handle)
    assert reproduce.finished(path, run, 0, "d", reuse_any_revision=True) is None
    with open(path, "w") as handle:
        json.dump({"status": "ok", "flags": {"seed": 0, "hidden": ["10", "20", "10"]},
                   "environment": {"git_revision": "another", "tensorflow": "1.15.5"}}, handle)
    assert reproduce.finished(path, run, 0, "d", reuse_any_revision=True) is not None
    assert reproduce.finished(path, run, 0, "d", reuse_any_revision=False) is None  # other code revision
    # A TF 2 record in the TF 1.15 lane's folder never stands in for a TF 1.15 run, nor the reverse.
    assert reproduce.finished(path, run, 0, "d", reuse_any_revision=True, lane="tf2") is None
    with open(path, "w") as handle:
        json.dump({"status": "ok", "flags": {"seed": 0, "hidden": ["10", "20", "10"]},
                   "environment": {"git_revision": "another", "tensorflow": "2.21.0"}}, handle)
    assert reproduce.finished(path, run, 0, "d", reuse_any_revision=True) is None


def test_lanes_keep_their_runs_apart():
    run = reproduce.PLAN[0]
    assert reproduce.run_path("r", run, 2) == os.path.join("r", "runs", "cnn_swu_adam-seed2.json")
    assert reproduce.run_path("r", run, 2, "tf2") == os.path.join("r", "runs-tf2", "cnn_swu_adam-seed2.json")


def test_the_other_lane_without_its_venv_says_how_to_make_it(tmp_path, monkeypatch):
    other = "tf2" if reproduce.current_lane() == "tf1" else "tf1"
    monkeypatch.setattr(reproduce, "REPO", str(tmp_path))
    with pytest.raises(UsageError, match=r"--lane=%s needs .* `make venv LANE=%s`" % (other, other)):
        reproduce.lane_python(other)
    assert reproduce.lane_python(reproduce.current_lane()) == reproduce.sys.executable


def test_lane_agreement_pairs_runs_of_the_same_seed():
    def rec(costs, accuracy):
        return {"epoch_avg_cost": costs, "test_accuracy": accuracy}

    tf1 = {("dnn4_keep1", 0): rec([0.5, 0.2], 0.98), ("dnn4_keep1", 1): rec([0.4, 0.1], 0.97),
           ("bn_lab_bn", 0): rec([1.0], 0.9)}
    tf2 = {("dnn4_keep1", 0): rec([0.5, 0.23], 0.975), ("dnn4_keep1", 1): rec([0.44, 0.1], 0.97),
           ("bn_lab_bn", 1): rec([1.0], 0.9)}
    agreement = lane_agreement(tf1, tf2)
    assert list(agreement) == ["dnn4_keep1"]  # bn_lab_bn has no seed finished on both lanes
    row = agreement["dnn4_keep1"]
    # The largest absolute difference comes from seed 1's epoch 1 (0.04 on 0.4), the first epoch's
    # relative one too (0.1); seed 0's 0.03 on 0.2 in epoch 2 counts only for the absolute one.
    assert row["seeds"] == 2 and abs(row["cost_abs"] - 0.04) < 1e-12 and abs(row["first_rel"] - 0.1) < 1e-12
    assert abs(row["accuracy"] + 0.005) < 1e-12 and row["final_cost"] is None


@pytest.mark.long
def test_report_sets_both_lanes_side_by_side(tmp_path, mnist_dir):
    other = "tf2" if reproduce.current_lane() == "tf1" else "tf1"
    if not os.access(os.path.join(reproduce.REPO, reproduce.LANES[other].venv, "bin", "python"), os.X_OK):
        pytest.skip("other lane: its venv (%s) is not built here" % reproduce.LANES[other].venv)
    args = ["--results_dir=" + str(tmp_path), "--seeds=1", "--only=animals_code", "--data_dir=" + mnist_dir]
    run_script("reproduce.py", *args)
    both = run_script("reproduce.py", "--lane=" + other, *args)
    assert "running animals_code seed 0 on %s" % other in both.stdout
    for lane in reproduce.LANES.values():
        record = json.loads((tmp_path / lane.runs / "animals_code-seed0.json").read_text())
        assert record["environment"]["tensorflow"].split(".")[0] == lane.tf_major
    report = (tmp_path / "REPORT.md").read_text()
    assert "| animals_code | fur/wings, 2-10-20-10-3 as in the study's code | TF 1.15 |" in report
    assert "| animals_code | fur/wings, 2-10-20-10-3 as in the study's code | TF 2 |" in report
    assert "## Lane agreement: TF 2 against TF 1.15, seed by seed" in report


def _report_with(tmp_path, summary_path):
    from legacy.study.report import write_report
    path = write_report({"tf1": {}}, str(tmp_path / "results"), [0], 1.0, originals_summary=str(summary_path))
    with open(path) as handle:
        return handle.read()


def test_report_shows_the_originals_verdicts_and_figures(tmp_path):
    """REPORT.md carries docs/originals' hypothesis verdicts and prediction figures (PNG copied into plots/)."""
    png = os.path.join("docs", "records", "originals", "figures", "mnistdata_dnn4_keep08_eval08_seed0.png")
    summary = {"verdicts": {"keep 0.7": {"fits": False, "text": "keep 0.7 ... +38.0 %"},
                            "bad start": {"fits": True, "text": "pooled ... +1.64 / +1.31 sd"},
                            "numerics": {"fits": False, "text": "largest change +0.0010"}},
               "figures": {"true_labels": [7, 2, 1, 0, 4, 1, 4, 9, 5, 9], "figures": [
                   {"png": png, "command": "mnist_dnn.py --keep_prob=0.8 --eval_keep_prob=0.8", "tensorflow": "1.15.5",
                    "eval_keep_prob": 0.8, "predicted_labels": [7, 2, 1, 0, 4, 1, 4, 9, 6, 9], "wrong": [8]}]}}
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(summary))
    report = _report_with(tmp_path, path)
    assert "| keep 0.7 | does not fit | keep 0.7 ... +38.0 % |" in report
    assert "| bad start | fits | pooled ... +1.64 / +1.31 sd |" in report
    assert "| numerics | ruled out | largest change +0.0010 |" in report
    assert "Best-supported explanation: bad start." in report
    assert "7 2 1 0 4 1 4 9 6 9; digit 9 (a 5) called 6" in report
    assert "![originals_mnistdata_dnn4_keep08_eval08_seed0.png](plots/originals_mnistdata_dnn4_keep08_eval08_seed0.png)" \
        in report
    with open(os.path.join(reproduce.REPO, png), "rb") as a:
        assert (tmp_path / "results" / "plots" / ("originals_" + os.path.basename(png))).read_bytes() == a.read()
    assert "Not measured: " in _report_with(tmp_path, tmp_path / "missing.json")



def test_the_committed_originals_summary_has_every_verdict_and_figure(tmp_path):
    from legacy.study.report import ORIGINALS_SUMMARY
    with open(ORIGINALS_SUMMARY) as handle:
        summary = json.load(handle)
    assert set(summary["verdicts"]) == {"keep 0.7", "keep 0.75", "bad start", "numerics"}
    assert len(summary["figures"]["figures"]) == 2
    report = _report_with(tmp_path, ORIGINALS_SUMMARY)
    assert report.count("![originals_") == 2 and "Best-supported explanation: " in report
