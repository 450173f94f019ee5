"""Cluster specs and the launcher's checks: one line before any process starts."""
import json
import re
import subprocess
import sys

import numpy as np
import pytest

from conftest import REPO, run_config
from legacy import run_config as legacy_run_config
from legacy.distributed import cluster
from legacy.distributed import launcher
from legacy.errors import UsageError
from legacy.tf import IS_TF2

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


CHIEF_CLUSTER = {"chief": ["127.0.0.1:1"], "worker": ["127.0.0.1:2"], "ps": ["127.0.0.1:3"]}


def _tf_config(cluster_dict, kind, index=0):
    return json.dumps({"cluster": cluster_dict, "task": {"type": kind, "index": index}})


@pytest.mark.parametrize("kind,index,job,task", [
    ("chief", 0, "worker", 0), ("worker", 0, "worker", 1), ("ps", 0, "ps", 0)])
def test_tf_config_chief_is_worker_zero(kind, index, job, task):
    spec = cluster.from_tf_config(_tf_config(CHIEF_CLUSTER, kind, index))
    assert spec.workers == ("127.0.0.1:1", "127.0.0.1:2") and spec.ps == ("127.0.0.1:3",)
    assert (spec.job_name, spec.task_index) == (job, task)


def test_tf_config_master_is_the_chief_and_an_evaluator_entry_is_no_task():
    """TF's older name for the chief, "master", counts as the chief; an
    "evaluator" in "cluster" is not part of the training cluster (RunConfig)."""
    spec = cluster.from_tf_config(_tf_config({"master": ["a:1"], "worker": ["b:2"], "ps": ["c:3"]}, "master"))
    assert (spec.job_name, spec.task_index, spec.workers) == ("worker", 0, ("a:1", "b:2"))
    spec = cluster.from_tf_config(_tf_config(dict(CHIEF_CLUSTER, evaluator=["127.0.0.1:9"]), "worker"))
    assert "127.0.0.1:9" not in spec.workers + spec.ps and spec.task_index == 1


@pytest.mark.parametrize("cluster_dict,kind,message", [
    ({"worker": ["a:1", "b:2"], "ps": ["c:3"]}, "worker", 'must have exactly one "chief" task \\(it has 0\\)'),
    (dict(CHIEF_CLUSTER, master=["127.0.0.1:4"]), "worker", '"chief" and "master" are both in "cluster"'),
    (dict(CHIEF_CLUSTER, chief=["a:1", "b:2"]), "worker", 'exactly one "chief" task \\(it has 2\\)'),
    (dict(CHIEF_CLUSTER, evaluator=["127.0.0.1:9"]), "evaluator", 'task type "evaluator": this run has no'),
    ({"chief": ["a:1"], "worker": ["b:2"]}, "worker", '"cluster" has no "ps" task'),
    (dict(CHIEF_CLUSTER, trainer=["a:7"]), "worker", "unknown job trainer"),
    (dict(CHIEF_CLUSTER, worker=["127.0.0.1:3"]), "worker", "127.0.0.1:3 given twice"),
    (dict(CHIEF_CLUSTER, ps=["nohost"]), "ps", "'nohost' is not host:port"),
])
def test_tf_config_mistakes_are_one_line_naming_tf_config(cluster_dict, kind, message, monkeypatch):
    with pytest.raises(UsageError, match=message) as err:
        cluster.from_tf_config(_tf_config(cluster_dict, kind))
    text = str(err.value)
    assert text.startswith("TF_CONFIG: ") and "\n" not in text
    assert "--" not in text  # no flag the user never gave
    # The same through the run's config, as a script reads it.
    monkeypatch.setattr(legacy_run_config, "_DEFINED", ["job_name"])
    with pytest.raises(UsageError, match="^TF_CONFIG: "):
        cluster.from_config(_ClusterFlags(), environ={"TF_CONFIG": _tf_config(cluster_dict, kind)})


def test_tf_config_index_out_of_range_and_bad_json():
    with pytest.raises(UsageError, match="^TF_CONFIG: task index 1 is out of range: job ps has 1 task"):
        cluster.from_tf_config(_tf_config(CHIEF_CLUSTER, "ps", 1))
    with pytest.raises(UsageError, match="^TF_CONFIG: is not"):
        cluster.from_tf_config("{not json")


class _ClusterFlags(object):
    """A run config whose cluster flags were not given (TF_CONFIG counts)."""
    job_name, task_index, ps_hosts, worker_hosts = "", 0, "", ""


def test_no_cluster_flags_means_one_process():
    assert cluster.from_config(run_config(), environ={}) is None


def test_launcher_plans_free_loopback_ports():
    tasks = launcher.plan(1, 2, ["scripts/mnist_cnn.py", "--epochs=1"])
    assert [name for name, _ in tasks] == ["ps0", "worker0", "worker1"]
    hosts = [a for a in tasks[0][1] if a.startswith("--worker_hosts=")][0]
    assert hosts.count("127.0.0.1:") == 2


BAD_LAUNCHES = [
    (dict(ps_hosts="127.0.0.1:2300", worker_hosts="127.0.0.1:2300,127.0.0.1:2301"), [],
     "127.0.0.1:2300 given twice"),
    (dict(ps_hosts="10.0.0.1:2300", worker_hosts="127.0.0.1:2301"), [], "starts local processes only"),
    (dict(workers=0), [], "needs at least one of each"),
    ({}, ["scripts/mnist_cnn.py", "--job_name=ps"], "the launcher sets the cluster flags itself"),
    ({}, ["scripts/no_such.py"], "no such training script"),
    ({}, ["scripts/gan.py"], "scripts/gan.py does not take part in a cluster"),
    ({}, ["scripts/mnist_tensorpack.py"], "scripts/mnist_tensorpack.py does not take part in a cluster"),
    ({}, ["tools/ab_inputs.py"], "tools/ab_inputs.py does not take part in a cluster"),
]


@pytest.mark.parametrize("spec,script,message", BAD_LAUNCHES)
def test_launcher_rejects_a_bad_spec_before_starting_anything(spec, script, message, monkeypatch):
    monkeypatch.chdir(REPO)
    args = dict(ps=1, workers=2, ps_hosts="", worker_hosts="")
    args.update(spec)
    with pytest.raises(UsageError, match=re.escape(message)) as err:
        launcher.plan(args["ps"], args["workers"], script or ["scripts/mnist_cnn.py"], args["ps_hosts"],
                      args["worker_hosts"])
    assert "\n" not in str(err.value)


@pytest.mark.long
def test_launcher_refusal_is_one_line_and_exit_2():
    """The same end to end (scripts/launch_cluster.py, a process of its own)."""
    proc = subprocess.run([sys.executable, "scripts/launch_cluster.py", "--", "scripts/gan.py"], cwd=REPO,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=300)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: scripts/gan.py does not take part in a cluster")
    assert len(proc.stderr.strip().splitlines()) == 1 and "pid" not in proc.stdout  # nothing was started


def test_the_launchers_scripts_are_those_that_join_a_cluster():
    """CLUSTER_SCRIPTS is every command whose module defines the cluster
    flags (cluster.define_cluster_flags), read from the modules' source."""
    import importlib.util
    from legacy.console import COMMANDS
    joining = set()
    for name, module in COMMANDS.items():
        with open(importlib.util.find_spec(module).origin, encoding="utf-8") as handle:
            if re.search(r"^cluster\.define_cluster_flags\(\)", handle.read(), re.M):  # a call at module level
                joining.add(name)
    assert joining == set(launcher.CLUSTER_SCRIPTS)


def _placed(placement, num_ps, model="dnn4"):
    """{ps task: trainable bytes} of ``model``'s cluster graph under ``placement``."""
    from legacy.tf import tf
    from legacy.distributed import sync_training
    from legacy.graph import build_classifier
    from legacy.models.registry import MODELS as REGISTRY
    from legacy.run_config import RunConfig
    entry = REGISTRY[model]
    hosts = ["127.0.0.1:%d" % (3000 + i) for i in range(num_ps)]
    with tf.Graph().as_default() as graph:
        setter = tf.train.replica_device_setter(
            worker_device="/job:worker/task:0", cluster={"ps": hosts, "worker": ["127.0.0.1:2999"]},
            ps_strategy=sync_training.ps_strategy(placement, num_ps))
        with tf.device(setter):
            x, y = tf.placeholder(tf.float32, [None, 784]), tf.placeholder(tf.float32, [None, 10])
            build_classifier(entry.build(RunConfig(**entry.settings)), x, y, "adam", 0.001)
        return sync_training._ps_bytes(graph), {v.op.name: v.device for v in tf.global_variables()}


@pytest.mark.parametrize("model,round_robin_share", [("dnn4", 0.80), ("cnn-swu", 0.91)])
def test_byte_size_placement_balances_two_ps(model, round_robin_share):
    """Round-robin put 80 % (dnn4) / 91 % (cnn-swu) of the trainable bytes on
    one of two ps tasks (issue 29's figures, found again here). Byte-size
    greedy placement puts on the busier ps what no placement can avoid: the
    largest variable alone (dnn4's 784x256, cnn-swu's 3136x256 layer; each
    is more than half of its model)."""
    before, _ = _placed("round_robin", 2, model)
    after, devices = _placed("bytes", 2, model)
    total = float(sum(after.values()))
    assert sum(before.values()) == total
    largest = _largest_variable_bytes(model)
    print("%s on 2 ps: round-robin %s, bytes %s; largest variable %d" % (model, before, after, largest))
    assert max(before.values()) / total == pytest.approx(round_robin_share, abs=0.01)
    # Greedy in creation order: the busier ps holds the largest variable and
    # at most what was placed before it (cnn-swu: conv1's 1,152 B).
    assert largest > total / 2 and largest <= max(after.values()) < largest + 0.01 * total
    assert max(after.values()) < max(before.values())


def _largest_variable_bytes(model):
    from legacy.tf import tf
    from legacy.graph import build_classifier
    from legacy.models.registry import MODELS as REGISTRY
    from legacy.run_config import RunConfig
    entry = REGISTRY[model]
    with tf.Graph().as_default():
        x, y = tf.placeholder(tf.float32, [None, 784]), tf.placeholder(tf.float32, [None, 10])
        build_classifier(entry.build(RunConfig(**entry.settings)), x, y, "adam", 0.001)
        return max(int(np.prod(v.shape.as_list())) * v.dtype.size for v in tf.trainable_variables())


@pytest.mark.skipif(IS_TF2, reason="other lane: TF 2 has no tf.contrib; ByteSizePlacement stands in for it there")
def test_own_byte_size_placement_equals_tf_contribs():
    from legacy.distributed import sync_training
    strategy = sync_training.ps_strategy("bytes", 3)
    assert type(strategy).__name__ == "GreedyLoadBalancingStrategy"  # TF's own on this lane
    _, contrib = _placed("bytes", 3, "cnn-swu")
    original = sync_training.ps_strategy
    try:
        sync_training.ps_strategy = lambda placement, n: sync_training.ByteSizePlacement(n)
        _, own = _placed("bytes", 3, "cnn-swu")
    finally:
        sync_training.ps_strategy = original
    assert own == contrib and len(set(own.values())) > 1
