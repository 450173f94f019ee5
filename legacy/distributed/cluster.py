"""A TF1 cluster spec from flags or TF_CONFIG, checked before anything starts.

TF1's convention (TensorFlow's ``mnist_replica.py``)::

    --job_name=ps|worker --task_index=N --ps_hosts=h:p,... --worker_hosts=h:p,...

or the ``TF_CONFIG`` environment variable, read as TensorFlow reads it
(``tf.distribute.cluster_resolver.TFConfigClusterResolver``, in TF 1.15 and
TF 2's ``tf.compat.v1``) and checked by the rules of TF's own
``tf.estimator.RunConfig`` (TF 1.15's tensorflow_estimator, run_config.py)::

    {"cluster": {"chief": ["h:p"], "worker": ["h:p", ...], "ps": ["h:p", ...]},
     "task": {"type": "chief"|"worker"|"ps", "index": N}}

- exactly one "chief" task (or, TF's older name, one "master"; both
  together are refused, as RunConfig refuses them); it is this run's worker
  0 and the "worker" tasks follow it;
- at least one "ps" task (this is parameter-server training);
- an "evaluator" is no part of the training cluster (RunConfig's rule): its
  entry in "cluster" is ignored, and a process whose task is the evaluator is
  refused, because here the chief evaluates after every epoch.
Every TF_CONFIG mistake is one line that names TF_CONFIG; every flag mistake
(an unknown job, an index out of range, a port given twice, a host without a
port) one line naming the flag, before a server starts. Flags win over
TF_CONFIG. Worker 0 is the chief: it initialises or restores the variables
and writes checkpoints, TensorBoard events and the results JSON.
"""
import collections
import json
import os

from legacy import run_config
from legacy.errors import UsageError

# The cluster's config fields, and the config type of a classifier run that may be one task of a cluster.
FIELDS = collections.OrderedDict([
    ("job_name", ""), ("task_index", 0), ("ps_hosts", ""), ("worker_hosts", ""), ("sync_timeout", 120),
    ("ps_placement", "bytes"), ("engine", "tf"),
])
ClusterRunConfig = run_config.config_type("ClusterRunConfig", run_config.FIELDS, FIELDS)

JOBS = ("ps", "worker")
ENGINES = ("tf", "horovod")

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
    run_config.define("enum", "ps_placement", "bytes", ["bytes", "round_robin"],
                      "Distributed training: how variables are spread over the ps tasks: bytes (each to the ps "
                      "with the fewest bytes so far, TF's GreedyLoadBalancingStrategy with byte_size_load_fn) "
                      "or round_robin (replica_device_setter's default).")
    run_config.define("enum", "engine", "tf", list(ENGINES),
                      "Who trains: tf (TensorFlow's own runtime: this process alone, or one task of a PS/worker "
                      "cluster with --job_name or TF_CONFIG) or horovod (one rank of a Horovod run, started by "
                      "mpirun -np W or horovodrun; each rank trains 1/W of every batch, docs/distributed.md).")


def _hosts(flag, text):
    hosts = [h.strip() for h in text.split(",") if h.strip()] if text else []
    for host in hosts:
        name, _, port = host.rpartition(":")
        if not name or not port.isdigit() or not 0 < int(port) < 65536:
            raise UsageError("%s: %r is not host:port (e.g. 127.0.0.1:2222)" % (flag, host))
    return hosts


def parse(job_name, task_index, ps_hosts, worker_hosts):
    """The ClusterConfig of these flag values; UsageError naming what is wrong."""
    if job_name not in JOBS:
        raise UsageError("--job_name=%s is not a job of the cluster; use ps or worker" % job_name)
    ps, workers = _hosts("--ps_hosts", ps_hosts), _hosts("--worker_hosts", worker_hosts)
    if not ps:
        raise UsageError("--ps_hosts is empty; give at least one parameter server, e.g. --ps_hosts=127.0.0.1:2222")
    if not workers:
        raise UsageError("--worker_hosts is empty; give at least one worker, e.g. --worker_hosts=127.0.0.1:2223")
    _check_ports(ps + workers, "--ps_hosts/--worker_hosts")
    count = len(ps) if job_name == "ps" else len(workers)
    if not 0 <= task_index < count:
        raise UsageError("--task_index=%d is out of range: job %s has %d task(s) (0..%d)"
                         % (task_index, job_name, count, count - 1))
    return ClusterConfig(job_name, task_index, tuple(ps), tuple(workers))


def _check_ports(hosts, source):
    seen = collections.Counter(hosts)
    twice = sorted(h for h, n in seen.items() if n > 1)
    if twice:
        raise UsageError("%s: %s given twice; every task needs its own port" % (source, ", ".join(twice)))


TRAINING_JOBS = ("chief", "master", "worker", "ps")
EVALUATOR = "evaluator"


def _resolve_tf_config(text):
    """(cluster dict, task type, task index) as TF's TFConfigClusterResolver reads TF_CONFIG."""
    from legacy.tf import tf
    saved = os.environ.get("TF_CONFIG")
    os.environ["TF_CONFIG"] = text
    try:
        resolver = tf.distribute.cluster_resolver.TFConfigClusterResolver()
        cluster = resolver.cluster_spec().as_dict()
        kind, index = resolver.task_type, resolver.task_id
    finally:
        if saved is None:
            del os.environ["TF_CONFIG"]
        else:
            os.environ["TF_CONFIG"] = saved
    return cluster, kind, index


def from_tf_config(text):
    """The ClusterConfig of a TF_CONFIG value; UsageError naming TF_CONFIG."""
    def bad(message):
        return UsageError("TF_CONFIG: " + message)

    try:
        spec = json.loads(text)
        if not isinstance(spec, dict) or not isinstance(spec.get("cluster"), dict) \
                or not isinstance(spec.get("task"), dict):
            raise ValueError("no \"cluster\" and \"task\" objects")
        cluster, kind, index = _resolve_tf_config(text)
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise bad("is not {\"cluster\": {...}, \"task\": {\"type\": ..., \"index\": ...}} (%s)"
                  % str(err).splitlines()[0])
    cluster = {job: list(hosts.values()) if isinstance(hosts, dict) else list(hosts)
               for job, hosts in cluster.items()}
    unknown = sorted(set(cluster) - set(TRAINING_JOBS) - {EVALUATOR})
    if unknown:
        raise bad("unknown job %s in \"cluster\"; use chief, worker, ps (and evaluator)" % ", ".join(unknown))
    if "chief" in cluster and "master" in cluster:
        raise bad("\"chief\" and \"master\" are both in \"cluster\"; TF's RunConfig refuses that (two chiefs): "
                  "keep one of them")
    chief_job = "chief" if "chief" in cluster else "master"
    if len(cluster.get(chief_job, [])) != 1:
        raise bad("\"cluster\" must have exactly one \"chief\" task (it has %d): TF's RunConfig rule; the chief is "
                  "this run's worker 0, which initialises the variables and writes the checkpoints"
                  % len(cluster.get(chief_job, [])))
    if not cluster.get("ps"):
        raise bad("\"cluster\" has no \"ps\" task; this is parameter-server training: add \"ps\": [\"host:port\"]")
    if not kind:
        raise bad("\"task\" has no \"type\"; give chief, worker or ps")
    if kind == EVALUATOR:
        raise bad("task type \"evaluator\": this run has no evaluator task (the chief evaluates after every "
                  "epoch); start only the chief, worker and ps tasks")
    if kind not in cluster:
        raise bad("task type \"%s\" is not a job of \"cluster\" (%s)" % (kind, ", ".join(sorted(cluster))))
    index = int(index or 0)
    if not 0 <= index < len(cluster[kind]):
        raise bad("task index %d is out of range: job %s has %d task(s) (0..%d)"
                  % (index, kind, len(cluster[kind]), len(cluster[kind]) - 1))
    for job in TRAINING_JOBS:
        for host in cluster.get(job, []):
            try:
                _hosts("TF_CONFIG job %s" % job, host)
            except UsageError as err:
                raise bad(str(err))
    workers = cluster[chief_job] + cluster.get("worker", [])
    _check_ports(cluster["ps"] + workers, "TF_CONFIG")
    if kind == chief_job:
        kind, index = "worker", 0
    elif kind == "worker":
        index += 1
    return ClusterConfig(kind, index, tuple(cluster["ps"]), tuple(workers))


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
    which the script imported before absl started); with ``--engine=horovod``
    ``run_one`` as one Horovod rank (legacy/distributed/horovod_engine.py)."""
    if config.engine == "horovod":
        from legacy.distributed.horovod_engine import engine_for
        return run_one(experiment, model_fn, config, feature_shape, engine=engine_for(experiment, config, os.environ))
    spec = from_config(config)
    if spec:
        from legacy.distributed.sync_training import run_distributed
        return run_distributed(experiment, model_fn, config, spec, feature_shape)
    return run_one(experiment, model_fn, config, feature_shape)


def is_chief(spec):
    return spec.job_name == "worker" and spec.task_index == 0
