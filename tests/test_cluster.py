"""Cluster specs and the launcher's checks: one line before any process starts."""
import json
import subprocess
import sys

import pytest

from conftest import REPO, run_config
from legacy.distributed import cluster
from legacy.distributed import launcher
from legacy.errors import UsageError

PS, WORKERS = "127.0.0.1:2222", "127.0.0.1:2223,127.0.0.1:2224"


def test_flags_make_a_cluster():
    spec = cluster.parse("worker", 1, PS, WORKERS)
    assert spec.ps == ("127.0.0.1:2222",) and len(spec.workers) == 2 and not cluster.is_chief(spec)
    assert cluster.is_chief(cluster.parse("worker", 0, PS, WORKERS))


@pytest.mark.parametrize("args,message", [
    (("chief", 0, PS, WORKERS), "--job_name=chief is not a job"),
    (("worker", 2, PS, WORKERS), "--task_index=2 is out of range: job worker has 2 task"),
    (("ps", 1, PS, WORKERS), "--task_index=1 is out of range: job ps has 1 task"),
    (("worker", 0, PS, "127.0.0.1:2222,127.0.0.1:2224"), "127.0.0.1:2222 given twice"),
    (("worker", 0, PS, "127.0.0.1"), "is not host:port"),
    (("worker", 0, "", WORKERS), "--ps_hosts is empty"),
])
def test_bad_specs_are_one_line(args, message):
    with pytest.raises(UsageError, match=message) as err:
        cluster.parse(*args)
    assert "\n" not in str(err.value)


def test_tf_config_chief_is_worker_zero():
    text = json.dumps({"cluster": {"chief": ["127.0.0.1:1"], "worker": ["127.0.0.1:2"], "ps": ["127.0.0.1:3"]},
                       "task": {"type": "worker", "index": 0}})
    spec = cluster.from_tf_config(text)
    assert spec.workers == ("127.0.0.1:1", "127.0.0.1:2") and spec.task_index == 1
    with pytest.raises(UsageError, match="unknown job evaluator"):
        cluster.from_tf_config(json.dumps({"cluster": {"evaluator": ["a:1"]}, "task": {"type": "ps"}}))
    with pytest.raises(UsageError, match="TF_CONFIG is not"):
        cluster.from_tf_config("{not json")


def test_no_cluster_flags_means_one_process():
    assert cluster.from_config(run_config(), environ={}) is None


def test_launcher_plans_free_loopback_ports():
    tasks = launcher.plan(1, 2, ["scripts/mnist_cnn.py", "--epochs=1"])
    assert [name for name, _ in tasks] == ["ps0", "worker0", "worker1"]
    hosts = [a for a in tasks[0][1] if a.startswith("--worker_hosts=")][0]
    assert hosts.count("127.0.0.1:") == 2


@pytest.mark.parametrize("args,message", [
    (["--ps_hosts=127.0.0.1:2300", "--worker_hosts=127.0.0.1:2300,127.0.0.1:2301"], "127.0.0.1:2300 given twice"),
    (["--ps_hosts=10.0.0.1:2300", "--worker_hosts=127.0.0.1:2301"], "starts local processes only"),
    (["--workers=0"], "needs at least one of each"),
    (["--", "scripts/mnist_cnn.py", "--job_name=ps"], "the launcher sets the cluster flags itself"),
    (["--", "scripts/no_such.py"], "no such training script"),
])
def test_launcher_rejects_a_bad_spec_before_starting_anything(args, message):
    if "--" not in args:
        args = args + ["--", "scripts/mnist_cnn.py"]
    proc = subprocess.run([sys.executable, "scripts/launch_cluster.py"] + args, cwd=REPO, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=120)
    assert proc.returncode == 2
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert "pid" not in proc.stdout  # nothing was started
