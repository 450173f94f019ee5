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


def _evals(values, final=None):
    """2,048-image measurements every 10 CPU s (step 25 i) and, with
    ``final``, the last one again at 8,192 images with that value."""
    out = [{"step": 25 * i, "kimg": float(i), "train_seconds": 20.0 * i, "train_cpu_seconds": 10.0 * i,
            "swd_images": 2048, "SWDx1e3_32": v, "SWDx1e3_16": v / 2, "SWDx1e3_avg": 0.75 * v,
            "G_SWDx1e3_32": v + 1, "G_SWDx1e3_16": v / 2 + 1, "G_SWDx1e3_avg": 0.75 * v + 1}
           for i, v in enumerate(values)]
    if final is not None:
        out.append(dict(out[-1], swd_images=8192, final=True, SWDx1e3_avg=final, G_SWDx1e3_avg=final + 2))
    return out


def test_t_table_is_the_975_quantile_of_student_t():
    """Each tabled t(0.975, df) checked by integrating the t density (numpy only)."""
    from math import gamma, pi, sqrt
    for df, t in enumerate(pggan_study.T975, start=1):
        x = np.linspace(0.0, t, 200001)
        density = gamma((df + 1) / 2.0) / (sqrt(df * pi) * gamma(df / 2.0)) * (1 + x * x / df) ** (-(df + 1) / 2.0)
        cdf = 0.5 + getattr(np, "trapezoid", getattr(np, "trapz", None))(density, x)
        assert abs(cdf - 0.975) < 2e-4, (df, t, cdf)


def test_rule_a_pairs_seeds_and_decides_by_the_t_interval(tmp_path):
    runs = []
    diffs = {0: -3.0, 1: -1.0, 2: -2.0}
    for seed, d in diffs.items():
        runs.append(("progressive-seed%d" % seed, "progressive",
                     {"status": "ok", "flags": {"seed": seed}, "evaluations": _evals([200, 100], final=10.0 + d)}))
        runs.append(("non-progressive-seed%d" % seed, "non-progressive",
                     {"status": "ok", "flags": {"seed": seed}, "evaluations": _evals([200, 100], final=10.0)}))
    runs.append(("progressive-seed3", "progressive", {"status": "ok", "flags": {"seed": 3},
                                                      "evaluations": _evals([200], final=1.0)}))  # no partner
    a = pggan_study.rule_a(runs)
    assert a["n"] == 3 and [p["difference"] for p in a["pairs"]] == [-3.0, -1.0, -2.0]
    # mean -2, sd 1, t(0.975, 2) = 4.303: -2 +- 4.303 / sqrt(3) = [-4.484, 0.484]
    assert a["mean"] == pytest.approx(-2.0) and a["sd"] == pytest.approx(1.0)
    assert (a["low"], a["high"]) == pytest.approx((-2 - 4.303 / np.sqrt(3), -2 + 4.303 / np.sqrt(3)))
    assert a["decision"] == "provisional, 3 of 5 pairs: no difference shown with 3 pairs"
    g = pggan_study.rule_a(runs, prefix="G_")  # raw G: final + 2 on both arms, same differences
    assert [p["difference"] for p in g["pairs"]] == [-3.0, -1.0, -2.0]
    tight = [(n, m, dict(r, evaluations=_evals([200], final=(10.0 if m == "non-progressive" else 8.0 + 0.1 * s))))
             for s, (n, m, r) in enumerate(runs[:6])]
    assert pggan_study.rule_a(tight)["decision"].endswith("progressive reaches a lower final SWD (the paper's "
                                                          "direction)")
    assert pggan_study.rule_a(runs[:2])["decision"].startswith("no verdict: 1 complete pair")


def test_rule_b_times_each_run_to_stay_under_the_target_on_the_cpu_axis():
    # target 75 on the average (0.75 v): v <= 100
    assert pggan_study.time_to(_evals([200, 90]), 75.0) == (10.0, 1.0)
    assert pggan_study.time_to(_evals([200, 190]), 75.0) == (None, None)
    assert pggan_study.time_to(_evals([90, 190, 80, 140, 95, 70]), 75.0) == (40.0, 4.0)  # stays from step 100
    assert pggan_study.time_to(_evals([50, 190]), 75.0) == (None, None)  # step 0 never counts
    assert pggan_study.time_to(_evals([200, 190], final=1.0), 75.0) == (None, None)  # the 8,192 one is apart
    runs = [("progressive-seed%d" % s, "progressive", {"status": "ok", "evaluations": _evals(v)})
            for s, v in enumerate([[200, 90, 80], [200, 150, 90], [200, 150, 150]])]
    runs += [("non-progressive-seed%d" % s, "non-progressive", {"status": "ok", "evaluations": _evals(v)})
             for s, v in enumerate([[200, 150, 150], [200, 150, 150], [200, 90, 90]])]
    per_run, per_arm = pggan_study.rule_b(runs, 75.0)
    assert per_run["progressive-seed1"] == {"cpu_seconds": 20.0, "kimg": 2.0}
    assert per_arm["progressive"] == {"runs": 3, "reached": 2, "median": 20.0, "min": 10.0, "max": None}
    assert per_arm["non-progressive"]["median"] is None and per_arm["non-progressive"]["reached"] == 1


def test_schedule_rule_puts_full_resolution_at_a_third_of_the_budget():
    """T from schedule_for, put through the project's Schedule: the images of
    each resolution before lod 0, at the given rates, add up to a third of the budget."""
    from legacy.pggan.training import Schedule
    rates = {4: 6000.0, 8: 2500.0, 16: 800.0, 32: 200.0}
    kimg = pggan_study.schedule_for(rates, 300.0)
    schedule = Schedule(32, True, kimg, kimg, 64, {4: 128, 8: 128, 16: 128, 32: 64})
    seconds, nimg, step = 0.0, 0, 0
    while schedule.lod_at(nimg) > 0.0:
        _, lod, minibatch = schedule.at(step)
        res = schedule.resolution_at_lod(lod)
        # resolution_at_lod of a fade (lod k + a) is the new, finer resolution: a fade at its cost
        seconds += minibatch / rates[res]
        step += 1
        nimg = schedule.nimg(step)
    assert seconds == pytest.approx(100.0, rel=0.02)


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
    args, _ = pggan_study.command("python", str(tmp_path), "progressive-seed1", "progressive", 1, 600.0, [],
                                  budget_cpu_seconds=200.0)
    assert "--budget_cpu_seconds=200" in args and not any(a.startswith("--budget_seconds") for a in args)


def test_report_states_the_rules_numbers_from_the_jsons_and_floor(tmp_path):
    out = str(tmp_path)
    logdir = tmp_path / "runs" / "x"
    logdir.mkdir(parents=True)
    with open(os.path.join(out, "floor.json"), "w") as handle:
        json.dump({"floors": {"2048": {"draws": 5, "mean": {"SWDx1e3_avg": 5.0, "SWDx1e3_32": 5.0, "SWDx1e3_16": 5.0},
                                       "sd": {"SWDx1e3_avg": 1.0, "SWDx1e3_32": 1.0, "SWDx1e3_16": 1.0}},
                              "8192": {"draws": 5, "mean": {"SWDx1e3_avg": 2.5, "SWDx1e3_32": 2.5, "SWDx1e3_16": 2.5},
                                       "sd": {"SWDx1e3_avg": 0.4, "SWDx1e3_32": 0.4, "SWDx1e3_16": 0.4}}}}, handle)
    ticks = [{"tick": i + 1, "lod": 0.0, "kimg": 1.6 * (i + 1), "seconds": 20.0, "cpu_seconds": 8.0,
              "loadavg": [3.0 + i, 2.0, 1.0]} for i in range(3)]
    for seed, (p, n) in enumerate([(6.0, 8.0), (5.0, 8.5)]):
        for method, final, values in (("progressive", p, [200, 20, 12]), ("non-progressive", n, [200, 16, 14])):
            with open(os.path.join(out, "%s-seed%d.json" % (method, seed)), "w") as handle:
                json.dump({"experiment": "pggan", "status": "ok", "flags": {"seed": seed}, "kimg": 4.8,
                           "train_seconds": 60.0, "train_cpu_seconds": 24.0, "global_step": 75, "ticks": ticks,
                           "evaluations": _evals(values, final=final), "logdir": str(logdir),
                           "environment": {"cpu": "test cpu", "cpu_count": 2, "tensorflow": "x",
                                           "git_revision": "abc"}}, handle)
    text = open(pggan_study.report(out, planned=["progressive-seed0", "progressive-seed2"])).read()
    assert "Not finished when this report was made (no results JSON): progressive-seed2." in text
    # differences -2.0 and -3.5: mean -2.75, sd 1.0607, t(0.975, 1) 12.706: half-width 9.53
    assert "n = 2 pairs; mean difference -2.75, sd 1.06, 95 % t interval [-12.28, 6.78]" in text
    assert "provisional, 2 of 5 pairs: no difference shown with 2 pairs" in text
    # twice the 2,048 floor: 10.0; 0.75 * 12 = 9 <= 10 from 20 CPU s; 0.75 * 14 = 10.5 never
    assert "until SWD avg stays <= 10.00" in text
    assert "| progressive | 2 | 2 | 20.0 | 20.0-20.0 |" in text
    assert "| non-progressive | 2 | 0 | not reached | --not reached |" in text
    assert "| 8192 | 5 |" in text and "3.0-5.0" in text  # the floor table, the ticks' load range
    for png in ("swd_vs_cpu_seconds.png", "swd_vs_kimg.png"):
        assert os.path.getsize(os.path.join(out, png)) > 1000


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
