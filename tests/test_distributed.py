"""Synchronous data-parallel training on loopback (legacy/distributed/sync_training.py).

Equivalence: W = 2 workers each training on B/W = 50 rows of every global
batch of B = 100 compute what one process with batch 100 computes (the mean
of the workers' mean gradients is the batch's mean gradient), up to float
rounding, after 50 steps with dropout off. The measure is the difference of
the two runs' weight changes relative to the change itself,
||(W_a - W_0) - (W_b - W_0)|| / ||W_b - W_0|| over all weights, with W_0
rebuilt from the seed, over every trainable variable (these models have
weights only, no biases). Measured 2026-12-04 (2-vCPU Intel Xeon, load
average 10-12, TF 1.15, code of 1df3f64 plus this file; docs/distributed.md):
W = 2 2.70e-7 (4-layer MLP, Adam; largest weight 2.06e-7) and 4.63e-7 (swu
CNN, Adam; 1.18e-6), the same as on 2026-11-28 at aecc72d. W = 1, whose
arithmetic differs as well: 6.06e-5 for the MLP (largest weight 6.18e-5; the
5.8e-5 once in the docs was an earlier run's) and, measured on 2026-11-28,
6.1e-6 for the swu CNN (1.4e-5); Adam turns rounding noise in near-zero
gradients into full-size steps. TF 2.21 with oneDNN, in the runs that passed:
1.90e-7 (MLP, twice) and 9.12e-5 (swu CNN, largest weight 2.13e-4). The
bound, 1e-3, is 11 times the largest of these.

Faults: a worker or the ps SIGKILLed mid-run ends the run (the launcher
notices at once; a task left waiting stops itself after --sync_timeout), and
restarting every task with --resume continues from the chief's last
checkpoint to the same weights as an uninterrupted run (TF 1.15: bit-identical,
and both 1.79e-3 largest weight from one process after their 200 steps).
"""
import os
import re
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from conftest import REPO
from scripts_util import default_signals
from legacy.tf import IS_TF2, tf

# Every test here starts subprocess training runs: the long tier (make test-all).
pytestmark = pytest.mark.long

# Every test here runs a real cluster (tests/test_cluster.py has the spec and
# launcher checks). On TF 2 the tests that compare weights skip, for what the
# runs of 2026-12-04 (after the barrier fix) found there (docs/distributed.md,
# TF 2 lane); the missing-worker test runs on both lanes.
TF2_SETUP_RETRY = pytest.mark.skipif(
    IS_TF2, reason="other lane: TF 2.21's gRPC answers UnavailableError for a moment after start-up, and a "
                   "chief that retried its setup after it trained to other weights (200 steps: 0.204 largest-"
                   "weight difference from one process, 0.034 without a retry; 6 of 6 runs of 2026-12-04), "
                   "so the weights depend on that race; once a worker also died of it mid-run; TF 1.15 is the "
                   "lane of record (docs/distributed.md)")

TOLERANCE = 1e-3  # relative to the weights' change; measured rounding is <= 9.1e-5 (see above)
COMMON = ["--epochs=1", "--train_limit=5000", "--keep_prob=1.0", "--input=feed", "--download=false",
          "--data_dir=" + os.path.join(REPO, "data", "mnist")]
MODELS = {"dnn4": ["scripts/mnist_dnn.py", "--optimizer=adam", "--learning_rate=0.001"],
          "cnn-swu": ["scripts/mnist_cnn.py", "--variant=swu"]}


class Launch(object):
    """scripts/launch_cluster.py in the background, its output collected line by line."""

    def __init__(self, args, timeout=600):
        self.lines = []
        self.proc = subprocess.Popen([sys.executable, "scripts/launch_cluster.py", "--timeout=%d" % timeout] + args,
                                     cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     universal_newlines=True, preexec_fn=default_signals)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    def wait_for(self, pattern, timeout=300):
        end = time.time() + timeout
        while time.time() < end:
            for line in list(self.lines):
                found = re.search(pattern, line)
                if found:
                    return found
            if self.proc.poll() is not None and not self.reader.is_alive():
                break
            time.sleep(0.1)
        raise AssertionError("no %r in:\n%s" % (pattern, "".join(self.lines[-40:])))

    def finish(self, timeout=600):
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        self.reader.join(10)
        return code, "".join(self.lines)


def _pids(output):
    return [int(p) for p in re.findall(r"\[launcher\] \w+: pid (\d+)", output)]


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open("/proc/%d/stat" % pid) as handle:  # a zombie is gone too
        return handle.read().split()[2] != "Z"


def _cluster(tmp_path, name, args, workers=2):
    logdir = str(tmp_path / name)
    launch = Launch(["--ps=1", "--workers=%d" % workers, "--"] + args + [
        "--logdir=" + logdir, "--output=" + logdir + ".json"])
    code, output = launch.finish()
    assert code == 0, output[-3000:]
    assert not any(_alive(pid) for pid in _pids(output)), "a task outlived the launcher"
    return logdir


def _weights(logdir, names):
    """The checkpoint's values of the variables ``names`` (every one must be there)."""
    reader = tf.train.load_checkpoint(tf.train.latest_checkpoint(logdir))
    return {name: reader.get_tensor(name) for name in names}


def _max_diff(a, b):
    assert sorted(a) == sorted(b) and a
    return max(float(np.max(np.abs(a[n] - b[n]))) for n in a)


def _initial(model, seed=0):
    """Every trainable variable of ``model`` (weights and, where a model has
    them, biases; the study's MLP and swu CNN layers are matmul/conv without
    a bias) at the values a run starts from (explicit op seeds: the same
    graph-building order gives the same values)."""
    from legacy.run_config import RunConfig
    from legacy.graph import build_classifier
    from legacy.models.registry import MODELS as REGISTRY
    entry = REGISTRY[model]
    with tf.Graph().as_default():
        tf.set_random_seed(seed)
        x, y = tf.placeholder(tf.float32, [None, 784]), tf.placeholder(tf.float32, [None, 10])
        build_classifier(entry.build(RunConfig(**entry.settings)), x, y, "adam", 0.001)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return {v.op.name: sess.run(v) for v in tf.trainable_variables()}


def _relative_change_diff(a, b, start):
    assert sorted(a) == sorted(b) == sorted(start) and a
    diff = np.sqrt(sum(np.sum((a[n] - b[n]) ** 2) for n in a))
    change = np.sqrt(sum(np.sum((b[n] - start[n]) ** 2) for n in a))
    assert change > 1.0  # 50 Adam steps move the weights: the comparison means something
    return float(diff / change)


@TF2_SETUP_RETRY
@pytest.mark.parametrize("model", sorted(MODELS))
def test_two_workers_equal_one_process_with_the_whole_batch(tmp_path, model):
    one = str(tmp_path / "one")
    subprocess.run([sys.executable] + MODELS[model] + COMMON + ["--logdir=" + one, "--output=" + one + ".json"],
                   cwd=REPO, check=True, stdout=subprocess.DEVNULL, timeout=600)
    two = _cluster(tmp_path, "two", MODELS[model] + COMMON)
    start = _initial(model)
    a, b = _weights(two, start), _weights(one, start)
    rel = _relative_change_diff(a, b, start)
    print("%s: W=2 vs one process, 50 steps: relative difference of the weight changes %.2e, "
          "largest weight difference %.2e" % (model, rel, _max_diff(a, b)))
    assert rel < TOLERANCE


def _kill_mid_run(tmp_path, victim):
    """A cluster (4-layer MLP, 200 steps, checkpoints every 20) whose ``victim``
    task is SIGKILLed after the chief's checkpoint of step 60."""
    logdir = str(tmp_path / ("killed_" + victim))
    args = MODELS["dnn4"] + ["--epochs=1", "--train_limit=20000", "--keep_prob=1.0", "--input=feed",
                             "--download=false", "--data_dir=" + os.path.join(REPO, "data", "mnist"),
                             "--save_every_steps=20", "--sync_timeout=60"]
    launch = Launch(["--ps=1", "--workers=2", "--"] + args + ["--logdir=" + logdir, "--output=" + logdir + ".json"])
    pid = int(launch.wait_for(r"\[launcher\] %s: pid (\d+)" % victim).group(1))
    launch.wait_for(r"checkpoint step (6\d|[7-9]\d|1\d\d):")
    started = time.time()
    os.kill(pid, signal.SIGKILL)
    code, output = launch.finish(timeout=180)
    stopped = time.time() - started
    assert code != 0 and "%s (pid %d) ended with signal 9" % (victim, pid) in output, output[-3000:]
    assert not any(_alive(p) for p in _pids(output)), "a task outlived the launcher"
    # The chief resumes the newest complete checkpoint (checkpoints.newest_complete,
    # index and folder listing), which is the last one it printed unless the stop
    # landed between a save's files and its print or index line (test_pggan_run).
    from legacy import checkpoints
    saved = checkpoints.step_of(checkpoints.newest_complete(logdir, repair=False))
    assert saved < 200
    # Restart every task: the chief resumes its last checkpoint.
    launch = Launch(["--ps=1", "--workers=2", "--"] + args + ["--resume", "--logdir=" + logdir,
                                                               "--output=" + logdir + ".json"])
    code, output = launch.finish()
    assert code == 0, output[-3000:]
    assert "resumed" in output and "steps %d..200" % saved in output
    return logdir, args, stopped


@TF2_SETUP_RETRY
@pytest.mark.parametrize("victim", ["worker1", "ps0"])
def test_a_killed_task_stops_the_run_and_a_restart_reaches_the_same_weights(tmp_path, victim):
    logdir, args, stopped = _kill_mid_run(tmp_path, victim)
    whole = _cluster(tmp_path, "whole", args)
    names = _initial("dnn4")
    diff = _max_diff(_weights(logdir, names), _weights(whole, names))
    print("%s killed: cluster stopped %.1f s after the kill; resumed vs uninterrupted weights differ by %.2e"
          % (victim, stopped, diff))
    assert stopped < 60
    assert diff == 0.0


def test_a_missing_worker_stops_the_others_after_sync_timeout(tmp_path):
    """Only ps0 and worker0 of a two-worker cluster run: the chief's first
    synchronous step can never finish. It must say so and exit, not hang."""
    from legacy.distributed.launcher import free_ports
    ports = free_ports(3)
    spec = ["--ps_hosts=127.0.0.1:%d" % ports[0], "--worker_hosts=127.0.0.1:%d,127.0.0.1:%d" % tuple(ports[1:])]
    args = [sys.executable] + MODELS["dnn4"] + COMMON + spec + ["--sync_timeout=15", "--logdir=%s" % (tmp_path / "m")]
    ps = subprocess.Popen(args + ["--job_name=ps", "--task_index=0"], cwd=REPO, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, start_new_session=True, preexec_fn=default_signals)
    try:
        started = time.time()
        chief = subprocess.run(args + ["--job_name=worker", "--task_index=0"], cwd=REPO, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, universal_newlines=True, timeout=300)
        waited = time.time() - started
    finally:
        os.killpg(ps.pid, signal.SIGKILL)
        ps.wait()
    print("missing worker: the chief exited %d after %.1f s (--sync_timeout=15)" % (chief.returncode, waited))
    assert chief.returncode == 4, chief.stderr[-2000:]
    line = [l for l in chief.stderr.splitlines() if l.startswith("error:")]
    assert line and "no progress for 15 s" in line[-1] and "--resume --logdir" in line[-1]
    assert waited < 240  # start-up (TF import, MNIST) under load, plus the 15 s
