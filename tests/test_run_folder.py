"""Run folders as a TF1 user relies on them: TensorBoard events, checkpoints,
resume after a real SIGKILL, SIGINT / SIGTERM, --init_from, divergence.

The scripts run as subprocesses (a kill must be real); on a 1,000-image
subset with a small network, each run takes a few seconds.
"""
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from conftest import REPO
from scripts_util import default_signals

# Every test here starts subprocess training runs: the long tier (make test-all).
pytestmark = pytest.mark.long

# 10 steps per epoch, 50 steps; dropout in training and evaluation and Adam's
# slots, so that a resume must restore masks, slots and the data order.
FLAGS = ["--train_limit=1000", "--epochs=5", "--batch_size=100", "--hidden=64,32", "--optimizer=adam",
         "--learning_rate=0.001", "--keep_prob=0.8", "--eval_keep_prob=0.8", "--seed=5"]
STEPS = 50


def _cmd(mnist_dir, run_dir, *extra):
    return [sys.executable, os.path.join(REPO, "scripts", "mnist_dnn.py"), "--data_dir=" + mnist_dir,
            "--logdir=" + str(run_dir), "--output=" + str(run_dir) + ".json"] + FLAGS + list(extra)


def _run(mnist_dir, run_dir, *extra):
    return subprocess.run(_cmd(mnist_dir, run_dir, *extra), cwd=REPO, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=300)


def _start_and_wait_for_checkpoint(mnist_dir, run_dir, *extra):
    proc = subprocess.Popen(_cmd(mnist_dir, run_dir, *extra), cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, universal_newlines=True, preexec_fn=default_signals)
    deadline = time.time() + 120
    while not os.path.exists(os.path.join(str(run_dir), "checkpoint")):
        assert proc.poll() is None, proc.communicate()
        assert time.time() < deadline, "no checkpoint after 120 s"
        time.sleep(0.005)
    return proc


def _results(run_dir):
    with open(str(run_dir) + ".json") as handle:
        return json.load(handle)


def _weights(run_dir):
    from legacy.tf import tf
    reader = tf.train.load_checkpoint(tf.train.latest_checkpoint(str(run_dir)))
    return {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()}


@pytest.fixture(scope="module")
def reference(mnist_dir, tmp_path_factory):
    """The uninterrupted run every resumed one must equal."""
    run_dir = tmp_path_factory.mktemp("ref") / "run"
    proc = _run(mnist_dir, run_dir)
    assert proc.returncode == 0, proc.stderr
    return run_dir


def _assert_same_run(run_dir, reference):
    got, want = _results(run_dir), _results(reference)
    assert got["status"] == "ok" and got["global_step"] == STEPS
    assert got["epoch_avg_cost"] == pytest.approx(want["epoch_avg_cost"], rel=1e-6, abs=0)
    assert got["validation_accuracy"] == want["validation_accuracy"]
    assert got["test_accuracy"] == want["test_accuracy"]
    a, b = _weights(run_dir), _weights(reference)
    assert sorted(a) == sorted(b) and any(n.endswith("/Adam") for n in a)  # slots are saved
    for name in a:
        np.testing.assert_allclose(a[name], b[name], rtol=1e-6, atol=1e-7, err_msg=name)
    from legacy.events import read_scalars
    costs = read_scalars(str(run_dir))["cost"]
    assert [s for s, _ in costs] == list(range(1, STEPS + 1))  # the killed run's extra steps are dropped


def test_events_have_tags_steps_and_the_layer_graph(reference):
    from legacy.events import event_files, read_scalars
    from legacy.tf import tf
    scalars = read_scalars(str(reference))
    assert set(scalars) == {"cost", "epoch/avg_cost", "epoch/validation_accuracy", "epoch/test_accuracy"}
    assert [s for s, _ in scalars["cost"]] == list(range(1, STEPS + 1))  # constant lr: no learning_rate tag
    for tag in ("epoch/avg_cost", "epoch/validation_accuracy", "epoch/test_accuracy"):
        assert [s for s, _ in scalars[tag]] == [10, 20, 30, 40, 50]
    record = _results(reference)
    np.testing.assert_allclose([v for _, v in scalars["epoch/avg_cost"]], record["epoch_avg_cost"], rtol=1e-6)
    assert scalars["epoch/test_accuracy"][-1][1] == pytest.approx(record["test_accuracy"], abs=1e-7)
    graphs = []
    for path in event_files(str(reference)):
        for event in tf.train.summary_iterator(path):
            if event.graph_def:
                graph_def = tf.GraphDef()
                graph_def.ParseFromString(event.graph_def)
                graphs.append(graph_def)
    assert len(graphs) == 1
    scopes = {node.name.split("/")[0] for node in graphs[0].node}
    assert {"layer1", "layer2", "output", "optimizer", "cost", "accuracy"} <= scopes


def test_histograms_and_the_scalars_png(mnist_dir, tmp_path):
    from legacy.tf import tf
    from legacy.events import event_files
    run_dir = tmp_path / "hist"
    proc = _run(mnist_dir, run_dir, "--epochs=1", "--histograms")
    assert proc.returncode == 0, proc.stderr
    tags = {v.tag for path in event_files(str(run_dir)) for e in tf.train.summary_iterator(path)
            for v in e.summary.value if v.HasField("histo")}
    assert tags == {"histograms/layer1/W", "histograms/layer2/W", "histograms/output/W"}  # weights only, no optimizer slots
    png = tmp_path / "scalars.png"
    proc = subprocess.run([sys.executable, os.path.join(REPO, "scripts", "plot_scalars.py"),
                           "--logdir=" + str(run_dir), "--output=" + str(png)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert proc.returncode == 0, proc.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_sigkill_then_resume_equals_the_uninterrupted_run(mnist_dir, tmp_path, reference):
    run_dir = tmp_path / "killed"
    proc = _start_and_wait_for_checkpoint(mnist_dir, run_dir, "--save_every_steps=3")
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert not os.path.exists(str(run_dir) + ".json"), "the run ended before the kill; the test proves nothing"
    resumed = _run(mnist_dir, run_dir, "--resume", "--save_every_steps=3")
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming " in resumed.stdout
    _assert_same_run(run_dir, reference)
    assert _results(run_dir)["resumed_from"]


def test_resume_at_an_epoch_boundary_with_more_epochs(mnist_dir, tmp_path, reference):
    run_dir = tmp_path / "grown"
    assert _run(mnist_dir, run_dir, "--epochs=2").returncode == 0
    resumed = _run(mnist_dir, run_dir, "--resume", "--epochs=5")
    assert resumed.returncode == 0, resumed.stderr
    assert "at step 20 (epoch 3)" in resumed.stdout
    _assert_same_run(run_dir, reference)


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_checkpoints_writes_partial_results_and_resumes(mnist_dir, tmp_path, reference, signum, code):
    run_dir = tmp_path / "signalled"
    proc = _start_and_wait_for_checkpoint(mnist_dir, run_dir, "--save_every_steps=4")
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err
    assert "Traceback" not in err
    lines = [l for l in err.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("interrupted: %s at step" % signal.Signals(signum).name)
    assert "--resume" in lines[0]
    record = _results(run_dir)
    assert record["status"] == "interrupted" and record["test_accuracy"] is None
    stopped = record["interrupted"]["step"]
    assert 0 < stopped < STEPS and record["global_step"] == stopped
    assert record["checkpoint"].endswith("model.ckpt-%d" % stopped)  # saved at the step it stopped
    assert len(record["epoch_avg_cost"]) == stopped // 10  # the epochs finished before the signal
    resumed = _run(mnist_dir, run_dir, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert "at step %d" % stopped in resumed.stdout
    _assert_same_run(run_dir, reference)


def test_init_from_evaluates_and_names_mismatched_variables(mnist_dir, tmp_path, reference):
    clean = _run(mnist_dir, tmp_path / "eval1", "--epochs=0", "--eval_keep_prob=1.0", "--init_from=" + str(reference))
    untrained = _run(mnist_dir, tmp_path / "eval2", "--epochs=0", "--eval_keep_prob=1.0")
    assert clean.returncode == 0 and untrained.returncode == 0, clean.stderr + untrained.stderr
    loaded, fresh = _results(tmp_path / "eval1"), _results(tmp_path / "eval2")
    assert loaded["epoch_avg_cost"] == [] and loaded["global_step"] == 0 and loaded["init_from"]
    # 50 Adam steps on 1,000 images reach about 0.4 (seed 5); N(0, 0.01) weights are at chance.
    assert loaded["test_accuracy"] > fresh["test_accuracy"] + 0.2
    proc = _run(mnist_dir, tmp_path / "other", "--epochs=0", "--hidden=64,32,16", "--init_from=" + str(reference))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    line, = [l for l in proc.stderr.splitlines() if l.strip()]
    assert "different model" in line and "missing layer3/W" in line
    assert "output/W is [32, 10] there, [16, 10] here" in line


@pytest.mark.parametrize("extra, message", [
    ([], "already holds a run's checkpoints; pass --resume to continue it"),
    (["--resume", "--hidden=32", "--batch_size=50"],
     "was started with --batch_size=100 --hidden=64,32, not --batch_size=50 --hidden=32"),
])
def test_run_folder_misuse_is_one_line(mnist_dir, reference, extra, message):
    args = _cmd(mnist_dir, reference, *extra)  # later flags win
    args[args.index("--output=" + str(reference) + ".json")] = "--output=" + str(reference) + ".misuse.json"
    proc = subprocess.run(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    line, = [l for l in proc.stderr.splitlines() if l.strip()]
    assert message in line
    assert not os.path.exists(str(reference) + ".misuse.json")
