"""make reproduce: published numbers kept as data with their sources,
verdicts, resuming from finished runs, and the report."""
import json
import os


from legacy import reproduce
from legacy.reproduce_report import load_reference, stats, verdict
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
    record = json.loads((tmp_path / "runs" / "animals_readme-seed1.json").read_text())
    assert record["flags"]["hidden"] == ["10", "20", "30"] and record["flags"]["seed"] == 1


def test_a_run_with_other_flags_is_not_reused(tmp_path):
    run = next(r for r in reproduce.PLAN if r.name == "animals_code")
    path = reproduce.run_path(str(tmp_path), run, 0)
    os.makedirs(os.path.dirname(path))
    with open(path, "w") as handle:
        json.dump({"status": "ok", "flags": {"seed": 0, "hidden": ["10", "20", "30"]},
                   "environment": {"git_revision": "x"}}, handle)
    assert reproduce.finished(path, run, 0, "d", reuse_any_revision=True) is None
    with open(path, "w") as handle:
        json.dump({"status": "ok", "flags": {"seed": 0, "hidden": ["10", "20", "10"]},
                   "environment": {"git_revision": "another"}}, handle)
    assert reproduce.finished(path, run, 0, "d", reuse_any_revision=True) is not None
    assert reproduce.finished(path, run, 0, "d", reuse_any_revision=False) is None  # other code revision
