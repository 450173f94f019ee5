"""A TF1 cluster spec from flags or TF_CONFIG, checked before anything starts.

TF1's convention (TensorFlow's ``mnist_replica.py``)::

    --job_name=ps|worker --task_index=N --ps_hosts=h:p,... --worker_hosts=h:p,...

or Cloud ML's ``TF_CONFIG`` environment variable::

    {"cluster": {"ps": ["h:p"], "worker": ["h:p", ...], "chief": ["h:p"]},
     "task": {"type": "worker", "index": 0}}

(a "chief" or "master" task becomes worker 0 and the workers follow it).
Flags win over TF_CONFIG. Worker 0 is the chief: it initialises or restores
the variables and writes checkpoints, TensorBoard events and the results
JSON. Every mistake (an unknown job, an index out of range, a port given
twice, a host without a port) is one line naming the flag, before a server
starts.
"""
import collections
import json
import os

from legacy import run_config
from legacy.errors import UsageError

# The cluster's config fields, and the config type of a classifier run that may be one task of a cluster.
FIELDS = collections.OrderedDict([
    ("job_name", ""), ("task_index", 0), ("ps_hosts", ""), ("worker_hosts", ""), ("sync_timeout", 120),
])
ClusterRunConfig = run_config.config_type("ClusterRunConfig", run_config.FIELDS, FIELDS)

JOBS = ("ps", "worker")
CHIEF_JOBS = ("chief", "master")

ClusterConfig = collections.namedtuple("ClusterConfig", ["job_name", "task_index", "ps", "workers"])


def define_cluster_flags():
    run_config.define("string", "job_name", "",
                      "Distributed training: this process's job, ps or worker (worker 0 is the chief); "
                      "empty trains in one process. TF_CONFIG is read when this is empty.")
    run_config.define("integer", "task_index", 0, "Distributed training: this task's index within its job.")
    run_config.define("string", "ps_hosts", "", "Distributed training: parameter servers, host:port,...")
    run_config.define("string", "worker_hosts", "", "Distributed training: workers, host:port,... (first: chief)")
    run_config.define("integer", "sync_timeout", 120,
                      "Distributed training: seconds a task waits for the others (to start, or to finish a "
                      "synchronous step) before it stops with an error; a killed worker or ps ends the run "
                      "within this time instead of hanging.")
    run_config._check("sync_timeout", lambda v: v > 0, "must be > 0 seconds")


def _hosts(flag, text):
    hosts = [h.strip() for h in text.split(",") if h.strip()] if text else []
    for host in hosts:
        name, _, port = host.rpartition(":")
        if not name or not port.isdigit() or not 0 < int(port) < 65536:
            raise UsageError("--%s: %r is not host:port (e.g. 127.0.0.1:2222)" % (flag, host))
    return hosts


def parse(job_name, task_index, ps_hosts, worker_hosts):
    """The ClusterConfig of these flag values; UsageError naming what is wrong."""
    if job_name not in JOBS:
        raise UsageError("--job_name=%s is not a job of the cluster; use ps or worker" % job_name)
    ps, workers = _hosts("ps_hosts", ps_hosts), _hosts("worker_hosts", worker_hosts)
    if not ps:
        raise UsageError("--ps_hosts is empty; give at least one parameter server, e.g. --ps_hosts=127.0.0.1:2222")
    if not workers:
        raise UsageError("--worker_hosts is empty; give at least one worker, e.g. --worker_hosts=127.0.0.1:2223")
    seen = collections.Counter(ps + workers)
    twice = sorted(h for h, n in seen.items() if n > 1)
    if twice:
        raise UsageError("--ps_hosts/--worker_hosts: %s given twice; every task needs its own port"
                         % ", ".join(twice))
    count = len(ps) if job_name == "ps" else len(workers)
    if not 0 <= task_index < count:
        raise UsageError("--task_index=%d is out of range: job %s has %d task(s) (0..%d)"
                         % (task_index, job_name, count, count - 1))
    return ClusterConfig(job_name, task_index, tuple(ps), tuple(workers))


def from_tf_config(text):
    """The ClusterConfig of a TF_CONFIG value."""
    try:
        spec = json.loads(text)
        cluster, task = spec["cluster"], spec["task"]
        kind, index = task["type"], int(task.get("index", 0))
    except (ValueError, KeyError, TypeError) as err:
        raise UsageError("TF_CONFIG is not {\"cluster\": {...}, \"task\": {\"type\": ..., \"index\": ...}} (%s)"
                         % err)
    unknown = sorted(set(cluster) - set(JOBS) - set(CHIEF_JOBS))
    if unknown:
        raise UsageError("TF_CONFIG: unknown job %s; use ps, worker and optionally chief" % ", ".join(unknown))
    chief = [h for job in CHIEF_JOBS for h in cluster.get(job, [])]
    workers = chief + list(cluster.get("worker", []))
    if kind in CHIEF_JOBS:
        kind, index = "worker", index
    elif kind == "worker":
        index += len(chief)
    return parse(kind, index, ",".join(cluster.get("ps", [])), ",".join(workers))


def from_config(config, environ=None):
    """The run's ClusterConfig, or None for training in one process.
    TF_CONFIG counts only in scripts that take the cluster flags."""
    environ = os.environ if environ is None else environ
    if "job_name" not in run_config._DEFINED:
        return None
    if config.job_name:
        return parse(config.job_name, config.task_index, config.ps_hosts, config.worker_hosts)
    if config.ps_hosts or config.worker_hosts:
        raise UsageError("--ps_hosts/--worker_hosts need --job_name=ps|worker and --task_index")
    if environ.get("TF_CONFIG"):
        return from_tf_config(environ["TF_CONFIG"])
    return None


def run_classifier(run_one, experiment, model_fn, config, feature_shape=(784,)):
    """An MNIST classifier run: one task of a synchronous data-parallel run
    when this process has a cluster (--job_name or TF_CONFIG,
    legacy/distributed/sync_training.py), else ``run_one`` (the caller's
    one-process run, legacy/runners/mnist_classifier.py's ``run_mnist``,
    which the script imported before absl started)."""
    spec = from_config(config)
    if spec:
        from legacy.distributed.sync_training import run_distributed
        return run_distributed(experiment, model_fn, config, spec, feature_shape)
    return run_one(experiment, model_fn, config, feature_shape)


def is_chief(spec):
    return spec.job_name == "worker" and spec.task_index == 0
