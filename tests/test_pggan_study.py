"""The §6.2 study driver's plan and report (legacy/pggan/study.py), on
hand-made run records: the report's arithmetic, not the GAN's training; and
the mode-coverage count with a briefly trained CNN."""
import json
import os

import numpy as np
import pytest

from legacy.pggan import study as pggan_study


def _record(method, seed, evaluations, logdir):
    ticks = [{"tick": i + 1, "lod": lod, "images_per_second": ips, "kimg": i + 1.0, "seconds": 10.0}
             for i, (lod, ips) in enumerate([(3.0, 400.0), (3.0, 420.0), (2.5, 300.0), (2.0, 250.0)])]
    return {"experiment": "pggan", "status": "ok", "flags": {"seed": seed}, "kimg": 4.0, "train_seconds": 40.0,
            "global_step": 125, "ticks": ticks, "evaluations": evaluations, "logdir": logdir,
            "environment": {"cpu": "test cpu", "cpu_count": 2, "tensorflow": "x", "git_revision": "abc"}}


def _evals(values):
    return [{"step": 25 * i, "kimg": float(i), "train_seconds": 10.0 * i, "SWDx1e3_32": v, "SWDx1e3_16": v / 2,
             "SWDx1e3_avg": 0.75 * v} for i, v in enumerate(values)]


def test_report_times_each_run_to_the_worst_final_swd(tmp_path):
    out = str(tmp_path)
    logdir = tmp_path / "runs" / "x"
    logdir.mkdir(parents=True)
    runs = {"progressive-seed0": [200, 120, 80, 40], "progressive-seed1": [200, 100, 60, 50],
            "non-progressive-seed0": [200, 180, 120, 100], "non-progressive-seed1": [200, 150, 90, 80]}
    for name, values in runs.items():
        method, seed = name.rsplit("-seed", 1)
        with open(os.path.join(out, name + ".json"), "w") as handle:
            json.dump(_record(method, int(seed), _evals(values), str(logdir)), handle)
    path = pggan_study.report(out, note="hand-made records")
    text = open(path).read()
    # worst final avg: 0.75 * 100 = 75; progressive-seed0 gets there at 80 * 0.75 = 60 <= 75 (20 s)
    assert "s until SWD avg stays <= 75.0" in text
    rows = {line.split("|")[1].strip(): line for line in text.splitlines() if line.startswith("| ")}
    assert rows["progressive-seed0"].split("|")[-3].strip() == "20.0000"
    assert rows["non-progressive-seed0"].split("|")[-3].strip() == "30.0000"
    assert pggan_study.time_to(_evals([200, 90]), 100.0) == (10.0, 1.0)
    assert pggan_study.time_to(_evals([200, 190]), 100.0) == (None, None)
    assert pggan_study.time_to(_evals([90, 190, 80, 140, 95, 70]), 100.0) == (40.0, 4.0)  # stays from step 100
    assert pggan_study.time_to(_evals([50, 190]), 100.0) == (None, None)  # step 0 never counts
    speed = pggan_study._speed(pggan_study.load_runs(out))
    assert speed == {4: 420.0}  # only tick 2 starts and ends at one integer lod
    for png in ("swd_vs_seconds.png", "swd_vs_kimg.png"):
        assert os.path.getsize(os.path.join(out, png)) > 1000


def test_plan_runs_both_methods_for_each_seed_with_one_budget(tmp_path):
    plan = pggan_study.plan([0, 1])
    assert [p[0] for p in plan] == ["progressive-seed0", "non-progressive-seed0", "progressive-seed1",
                                    "non-progressive-seed1"]
    args, logdir = pggan_study.command("python", str(tmp_path), "progressive-seed1", "progressive", 1, 600.0,
                                       ["--tick_steps=50"])
    assert "--progressive=true" in args and "--budget_seconds=600" in args and "--seed=1" in args
    assert args[-1] == "--tick_steps=50" and logdir.endswith(os.path.join("runs", "progressive-seed1"))
    out = os.path.join(str(tmp_path), "progressive-seed1.json")
    with open(out, "w") as handle:
        json.dump({"status": "ok", "flags": {"progressive": True, "seed": 1, "budget_seconds": 600,
                                             "total_kimg": 100000, "tick_steps": 50}}, handle)
    assert pggan_study._finished(out, args)
    assert not pggan_study._finished(out, args[:-1] + ["--tick_steps=25"])


@pytest.mark.long  # trains golbin's CNN in this process
def test_mode_coverage_counts_the_digits_a_trained_cnn_sees(tmp_path, mnist):
    """The study's mode-coverage step (legacy/pggan/mode_coverage.py) on a real
    classifier: golbin's CNN trained briefly, then MNIST-32 test digits (all
    ten classes) and blank images (one class) through the same path as a
    generator's samples."""
    from legacy.pggan.images import pad_mnist
    from legacy.pggan import mode_coverage
    from scripts_util import read_json, run_script
    run_dir = str(tmp_path / "classifier")
    run_script("mnist_cnn.py", "--variant=golbin", "--epochs=1", "--train_limit=3000", "--download=false",
               "--logdir=" + run_dir, "--output=" + str(tmp_path / "c.json"))
    digits = (mnist.test.images * 255).round().astype(np.uint8)  # the 10,000 test digits
    padded = pad_mnist(b"\0" * 16 + digits.tobytes())  # an IDX header, then the pixels
    assert padded.shape == (10000, 32, 32, 1)
    np.testing.assert_allclose(mode_coverage.as_mnist(padded[:100]), digits[:100] / np.float32(255.0), atol=1e-7)
    classes = mode_coverage.classify(run_dir, padded)
    # the cropped MNIST-32 digits get the classifier's own test accuracy (0.7069 in a TF 1.15 run: few steps)
    accuracy = np.mean(classes == np.argmax(mnist.test.labels, 1))
    assert abs(accuracy - read_json(tmp_path / "c.json")["test_accuracy"]) < 1e-3
    assert mode_coverage.coverage(classes)["classes_present"] == 10
    blank = mode_coverage.coverage(mode_coverage.classify(run_dir, np.zeros((200, 32, 32, 1), np.uint8)))
    assert blank["classes_present"] == 1 and sum(blank["counts"]) == 200
