"""Synchronous data-parallel training on loopback (legacy/distributed/sync_training.py).

Equivalence: W = 2 workers each training on B/W = 50 rows of every global
batch of B = 100 compute what one process with batch 100 computes (the mean
of the workers' mean gradients is the batch's mean gradient), up to float
rounding, after 50 steps with dropout off. The measure is the difference of
the two runs' weight changes relative to the change itself,
||(W_a - W_0) - (W_b - W_0)|| / ||W_b - W_0|| over all weights, with W_0
rebuilt from the seed, over every trainable variable (these models have
weights only, no biases). Measured 2026-12-07 with this code (2-vCPU AMD
EPYC, load average 8-22; docs/records/distributed/runs-2026-12-07.md):
TF 1.15 2.69e-7 (MLP, Adam; largest weight 4.34e-7) and 9.10e-5 (swu CNN,
Adam; 2.13e-4); TF 2.21 (oneDNN) 2.02e-7 (1.14e-7) and 3.40e-5 (5.55e-5).
Before (2026-12-04, code of 1df3f64): TF 1.15 2.70e-7 and 4.63e-7; TF 2
1.90e-7 and 9.12e-5 in the runs that passed. W = 1, whose arithmetic
differs as well: 6.06e-5 for the MLP (2026-12-04) and 6.1e-6 for the swu
CNN (2026-11-28); Adam turns rounding noise in near-zero gradients into
full-size steps. The bound, 1e-3, is 11 times the largest of these.

Faults: a worker or the ps SIGKILLed mid-run ends the run (the launcher
notices at once and stops the chief first, which records "interrupted" with
its newest complete checkpoint; a task left waiting stops itself after
--sync_timeout through TF's operation timeout), and restarting every task
with --resume continues from the chief's checkpoint to the same weights as
an uninterrupted run (bit-identical on both lanes, 2026-12-07).

The other tests: checkpoints complete in the chief's folder with the ps
unable to see it (each task in its own folder, as on three machines); tasks
with different flags refused; a hand-started ps stopped by Ctrl-C; SIGTERM
and SIGINT to the launcher recorded as "interrupted"; a launched task not
reachable on a non-loopback address (in a network namespace made here).
"""
import json
import os
import re
import shutil
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

# Every test here runs a real cluster (tests/test_cluster.py has the spec and
# launcher checks): the second tier, `make test-all`.
pytestmark = pytest.mark.long

TOLERANCE = 1e-3  # relative to the weights' change; measured rounding is <= 9.1e-5 (see above)
COMMON = ["--epochs=1", "--train_limit=5000", "--keep_prob=1.0", "--input=feed", "--download=false",
          "--data_dir=" + os.path.join(REPO, "data", "mnist")]
MODELS = {"dnn4": ["scripts/mnist_dnn.py", "--optimizer=adam", "--learning_rate=0.001"],
          "cnn-swu": ["scripts/mnist_cnn.py", "--variant=swu"]}


_PRIVATE = []


def network_flags():
    """The launcher's own default (a private network namespace) where this
    machine allows it, else --network=host (a container without user
    namespaces): the cluster tests run either way."""
    if not _PRIVATE:
        probe = subprocess.run([sys.executable, "-c", "from legacy.distributed.launcher import private_network; "
                                                      "private_network()"], cwd=REPO, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        _PRIVATE.append(probe.returncode == 0)
    return [] if _PRIVATE[0] else ["--network=host"]


class Launch(object):
    """scripts/launch_cluster.py in the background, its output collected line by line."""

    def __init__(self, args, timeout=600, prefix=()):
        self.lines = []
        self.proc = subprocess.Popen(list(prefix) + [sys.executable, "scripts/launch_cluster.py",
                                                     "--timeout=%d" % timeout] + network_flags() + args,
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
    newest = checkpoints.newest_complete(logdir, repair=False)
    saved = checkpoints.step_of(newest)
    assert saved < 200
    # The chief, stopped by the launcher while its step could not finish, recorded that.
    record = json.load(open(logdir + ".json"))
    assert record["status"] == "interrupted" and record["checkpoint"] == newest, output[-3000:]
    # Restart every task: the chief resumes its last checkpoint.
    launch = Launch(["--ps=1", "--workers=2", "--"] + args + ["--resume", "--logdir=" + logdir,
                                                               "--output=" + logdir + ".json"])
    code, output = launch.finish()
    assert code == 0, output[-3000:]
    assert "resumed" in output and "steps %d..200" % saved in output
    return logdir, args, stopped


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
    assert line and "no answer from the cluster within --sync_timeout=15 s" in line[-1], chief.stderr[-2000:]
    assert "--resume --logdir" in line[-1]
    assert waited < 240  # start-up (TF import, MNIST) under load, plus the 15 s


# -- tasks started by hand, each in its own folder (docs/distributed.md, "Several machines")

SCRIPT = os.path.join(REPO, "scripts", "mnist_dnn.py")
HAND = ["--optimizer=adam", "--learning_rate=0.001", "--keep_prob=1.0", "--input=feed", "--download=false",
        "--data_dir=" + os.path.join(REPO, "data", "mnist"), "--sync_timeout=120"]


def _hosts(count):
    from legacy.distributed.launcher import free_ports
    ports = free_ports(count)
    return ["127.0.0.1:%d" % p for p in ports]


def _start(role, index, hosts, cwd, extra, prefix=()):
    """One task of a cluster of 1 ps (hosts[0]) and the workers hosts[1:],
    started by hand in its own folder ``cwd``; stdout and stderr in files there."""
    os.makedirs(cwd, exist_ok=True)
    argv = list(prefix) + [sys.executable, SCRIPT] + HAND + extra + [
        "--job_name=%s" % role, "--task_index=%d" % index, "--ps_hosts=" + hosts[0],
        "--worker_hosts=" + ",".join(hosts[1:])]
    out = open(os.path.join(cwd, "stdout"), "w")
    err = open(os.path.join(cwd, "stderr"), "w")
    return subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=err, start_new_session=True,
                            preexec_fn=default_signals)


def _text(cwd, name):
    with open(os.path.join(cwd, name)) as handle:
        return handle.read()


def _end(procs, timeout=600):
    codes = []
    for proc in procs:
        try:
            codes.append(proc.wait(timeout))
        except subprocess.TimeoutExpired:
            codes.append(None)
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return codes


def _hide_from_the_ps(folder):
    """A command prefix: the ps runs in a mount namespace of its own where
    ``folder`` (the chief's) is an empty read-only tmpfs, as on another machine."""
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c",
            'mount -t tmpfs -o ro,size=64k none "$0" && exec "$@"', folder]


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare"),
                    reason="needs root and unshare(1): the ps runs in a mount namespace where the chief's folder "
                           "is hidden")
def test_checkpoints_are_complete_in_the_chiefs_folder_which_the_ps_cannot_see(tmp_path):
    """Each task in its own folder, as on three machines; the chief's folder
    is an empty read-only file system for the ps. The chief writes complete
    checkpoints (data and index included) into its own run folder, and a
    --resume restores them (the restore runs on the chief too); no task
    writes a checkpoint file anywhere else."""
    from legacy import checkpoints
    hosts = _hosts(3)
    folders = {name: str(tmp_path / name) for name in ("ps", "chief", "worker1")}
    for folder in folders.values():
        os.makedirs(folder)
    common = ["--epochs=1", "--train_limit=2000", "--save_every_steps=10", "--logdir=run", "--output=run.json"]
    for part, extra in (("first", []), ("resumed", ["--resume"])):
        if part == "resumed":
            common = [a.replace("--epochs=1", "--epochs=2") for a in common]
        procs = [_start("ps", 0, hosts, folders["ps"], common, prefix=_hide_from_the_ps(folders["chief"])),
                 _start("worker", 0, hosts, folders["chief"], common + extra),
                 _start("worker", 1, hosts, folders["worker1"], common + extra)]
        codes = _end(procs)
        logs = "\n".join("%s: %s" % (n, _text(f, "stderr")[-1500:] + _text(f, "stdout")[-1500:])
                         for n, f in folders.items())
        assert codes == [0, 0, 0], logs
    run_dir = os.path.join(folders["chief"], "run")
    assert "resumed %s at step 20" % os.path.join("run", "model.ckpt-20") in _text(folders["chief"], "stdout")
    steps = sorted(checkpoints.on_disk(run_dir))
    assert steps == [20, 30, 40], steps
    for step in steps:
        assert checkpoints.problem(run_dir, step) is None
        assert any(".data-" in name for name in checkpoints.on_disk(run_dir)[step])
    for name in ("ps", "worker1"):
        written = [os.path.join(d, f) for d, _, files in os.walk(folders[name]) for f in files
                   if f not in ("stdout", "stderr")]
        assert written == [], written
    assert json.load(open(os.path.join(folders["chief"], "run.json")))["status"] == "ok"


def test_tasks_that_disagree_are_refused_in_one_line_naming_the_flag(tmp_path):
    """Worker 1 started with another --seed: the chief and worker 1 each stop
    with exit 2 and one line naming --seed (the ps is stopped here)."""
    hosts = _hosts(3)
    common = ["--epochs=1", "--train_limit=2000", "--logdir=" + str(tmp_path / "run")]
    ps = _start("ps", 0, hosts, str(tmp_path / "ps"), common)
    chief = _start("worker", 0, hosts, str(tmp_path / "chief"), common)
    worker = _start("worker", 1, hosts, str(tmp_path / "worker1"), common + ["--seed=1"])
    codes = _end([chief, worker])
    _end([ps], timeout=0.1)
    lines = {n: [l for l in _text(str(tmp_path / n), "stderr").splitlines() if l.startswith("error:")]
             for n in ("chief", "worker1")}
    print(lines)
    assert codes == [2, 2], lines
    for name in ("chief", "worker1"):
        assert len(lines[name]) == 1
        assert "worker 1 has --seed=1, the chief --seed=0" in lines[name][0]


def test_a_hand_started_ps_stops_on_ctrl_c(tmp_path):
    """A ps waits for its workers in a loop that Python can interrupt: Ctrl-C
    (SIGINT) ends it at once with one line and exit 130."""
    hosts = _hosts(3)
    ps = _start("ps", 0, hosts, str(tmp_path / "ps"), ["--epochs=1"])
    end = time.time() + 300
    while "serving on" not in _text(str(tmp_path / "ps"), "stdout") and time.time() < end and ps.poll() is None:
        time.sleep(0.2)
    time.sleep(1.0)  # inside the wait
    sent = time.time()
    ps.send_signal(signal.SIGINT)
    code = _end([ps], timeout=30)[0]
    took = time.time() - sent
    err = _text(str(tmp_path / "ps"), "stderr")
    print("ps: exit %s %.2f s after SIGINT" % (code, took))
    assert code == 130, err[-2000:]
    assert err.strip().splitlines()[-1].startswith("interrupted: SIGINT: ps 0 stopped")
    assert took < 10


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_stopping_the_launcher_records_the_run_as_interrupted(tmp_path, signum):
    """SIGTERM / SIGINT to the launcher mid-run: the chief finishes its step,
    saves a checkpoint, writes the results JSON with status "interrupted" and
    the newest complete checkpoint, and the launcher exits 143 / 130, as a
    one-process run does; no task is left. --resume then continues there."""
    from legacy import checkpoints
    logdir = str(tmp_path / "run")
    args = MODELS["dnn4"] + ["--epochs=1", "--train_limit=20000", "--keep_prob=1.0", "--input=feed",
                             "--download=false", "--data_dir=" + os.path.join(REPO, "data", "mnist"),
                             "--save_every_steps=20", "--logdir=" + logdir, "--output=" + logdir + ".json"]
    # A finished run's record in the way: the stop must replace it.
    with open(logdir + ".json", "w") as handle:
        json.dump({"status": "ok"}, handle)
    launch = Launch(["--ps=1", "--workers=2", "--"] + args)
    launch.wait_for(r"checkpoint step (4\d|[5-9]\d|1[0-5]\d):")
    sent = time.time()
    launch.proc.send_signal(signum)
    code, output = launch.finish(timeout=180)
    took = time.time() - sent
    assert code == 128 + signum, output[-3000:]
    assert not any(_alive(pid) for pid in _pids(output)), "a task outlived the launcher"
    record = json.load(open(logdir + ".json"))
    newest = checkpoints.newest_complete(logdir, repair=False)
    assert record["status"] == "interrupted" and record["checkpoint"] == newest
    stopped = record["interrupted"]["step"]
    print("%s: launcher exit %d after %.1f s; chief stopped at step %d, checkpoint %s"
          % (signal.Signals(signum).name, code, took, stopped, os.path.basename(newest)))
    assert checkpoints.step_of(newest) == stopped  # its own checkpoint of the step it stopped at
    assert "[worker0] interrupted: %s at step %d" % (signal.Signals(signum).name, stopped) in output
    launch = Launch(["--ps=1", "--workers=2", "--"] + args + ["--resume"])
    code, output = launch.finish()
    assert code == 0 and "steps %d..200" % stopped in output, output[-3000:]
    assert json.load(open(logdir + ".json"))["status"] == "ok"


NETNS_ADDRESS = "10.213.7.1"


def _probe(namespace, host, port):
    """'open' or the error of a TCP connect to host:port from inside ``namespace``."""
    code = ("import socket\ntry:\n    socket.create_connection((%r, %d), timeout=3).close()\n    print('open')\n"
            "except OSError as err:\n    print(type(err).__name__)" % (host, port))
    return subprocess.run(["ip", "netns", "exec", namespace, sys.executable, "-c", code], stdout=subprocess.PIPE,
                          universal_newlines=True, timeout=60).stdout.strip()


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("ip"),
                    reason="needs root and ip(8): the test makes its own network namespace with a veth address")
def test_a_launched_task_is_not_reachable_on_a_non_loopback_address(tmp_path):
    """Inside a network namespace made here (so no traffic leaves this
    machine's loopback), with a veth interface at 10.213.7.1: a TF server
    started directly listens there (TF binds 0.0.0.0), which shows that the
    probe sees such a listener; the launcher's tasks do not answer on that
    address nor on the namespace's 127.0.0.1: they live in the launcher's
    own network namespace."""
    namespace = "swu-probe-%d" % os.getpid()
    ip = ["ip", "-n", namespace]
    subprocess.run(["ip", "netns", "add", namespace], check=True)
    server = launch = None
    try:
        subprocess.run(ip + ["link", "add", "v0", "type", "veth", "peer", "name", "v1"], check=True)
        subprocess.run(ip + ["addr", "add", NETNS_ADDRESS + "/24", "dev", "v0"], check=True)
        for link in ("lo", "v0", "v1"):
            subprocess.run(ip + ["link", "set", link, "up"], check=True)
        port = int(_hosts(1)[0].split(":")[1])
        code = ("from legacy.tf import tf; import time\n"
                "s = tf.train.Server(tf.train.ClusterSpec({'worker': ['127.0.0.1:%d']}), 'worker', 0)\n"
                "print('up', flush=True); time.sleep(600)" % port)
        server = subprocess.Popen(["ip", "netns", "exec", namespace, sys.executable, "-c", code], cwd=REPO,
                                  stdout=subprocess.PIPE, universal_newlines=True, start_new_session=True)
        assert server.stdout.readline().strip() == "up"
        control = _probe(namespace, NETNS_ADDRESS, port)
        args = MODELS["dnn4"] + COMMON + ["--train_limit=20000", "--logdir=" + str(tmp_path / "run")]
        launch = Launch(["--ps=1", "--workers=2", "--"] + args, prefix=["ip", "netns", "exec", namespace])
        launch.wait_for(r"worker 1: 2 worker\(s\)")
        hosts = launch.wait_for(r"--ps_hosts=(\S+) --worker_hosts=(\S+)")
        ports = [int(h.rsplit(":", 1)[1]) for h in (hosts.group(1) + "," + hosts.group(2)).split(",")]
        answers = {(host, p): _probe(namespace, host, p) for p in ports for host in (NETNS_ADDRESS, "127.0.0.1")}
        print("a TF server started directly: %s; the launcher's tasks: %s" % (control, answers))
        assert control == "open"
        assert all(answer == "ConnectionRefusedError" for answer in answers.values()), answers
    finally:
        if launch is not None and launch.proc.poll() is None:
            launch.proc.send_signal(signal.SIGTERM)
            launch.finish(timeout=120)
        if server is not None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        subprocess.run(["ip", "netns", "del", namespace])
