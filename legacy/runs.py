"""Run folders: ``runs/<experiment>/<timestamp>-seed<N>``, one per run, as
tensorpack's ``logger.auto_set_dir()``. Each holds the TensorBoard events,
the checkpoints, ``flags.json`` and ``results.json``.

``--resume`` continues a folder only with the flags it was started with
(except those in RESUME_MAY_DIFFER): resuming a 256-unit run with
``--hidden=128``, or with another batch size, would not continue that run.
"""
import glob
import json
import os
import time

from legacy import checkpoints, config as run_config, fileio
from legacy.errors import UsageError

ROOT = "runs"
FLAGS_FILE = "flags.json"
# Flags that may change between a run and its resumption: more epochs, other
# threads or output paths do not change what the earlier steps computed.
RESUME_MAY_DIFFER = {"epochs", "output", "logdir", "resume", "save_every_steps", "histograms",
                     "intra_op_threads", "inter_op_threads", "data_dir", "download", "init_from",
                     # a restarted cluster gets new ports (legacy/cluster.py)
                     "job_name", "task_index", "ps_hosts", "worker_hosts", "sync_timeout"}


def default_logdir(experiment, seed, root=None):
    base = os.path.join(root or ROOT, experiment, "%s-seed%d" % (time.strftime("%Y%m%d-%H%M%S"), seed))
    path, n = base, 2
    while os.path.exists(path):
        path, n = "%s-%d" % (base, n), n + 1
    return path


def newest_run(experiment, root=None):
    """The run folder of ``experiment`` whose newest checkpoint is newest."""
    found = [d for d in glob.glob(os.path.join(root or ROOT, experiment, "*"))
             if os.path.exists(os.path.join(d, checkpoints.INDEX))]
    return max(found, key=lambda d: os.path.getmtime(os.path.join(d, checkpoints.INDEX))) if found else None


def _check_same_flags(run_dir, flag_values):
    path = os.path.join(run_dir, FLAGS_FILE)
    if not os.path.exists(path):
        return
    with open(path) as handle:
        started = json.load(handle)
    # Compared as the command line shows them: a run folder of an older
    # revision holds --hidden as strings, a newer one as numbers.
    differ = sorted(k for k in started if k not in RESUME_MAY_DIFFER
                    and _show(started[k]) != _show(flag_values.get(k)))
    if differ:
        raise UsageError("--resume: %s was started with %s, not %s; pass the same values or a new --logdir"
                         % (run_dir, " ".join("--%s=%s" % (k, _show(started[k])) for k in differ),
                            " ".join("--%s=%s" % (k, _show(flag_values.get(k))) for k in differ)))


def _show(value):
    return ",".join(map(str, value)) if isinstance(value, list) else value


def prepare(experiment, config):
    """The run folder of ``config`` (a RunConfig), created, and the checkpoint
    to resume (or None)."""
    flag_values = run_config.record(config)
    logdir = config.logdir
    if config.resume:
        if not logdir:
            logdir = newest_run(experiment)
            if logdir is None:
                raise UsageError("--resume: no run with a checkpoint under %s; pass --logdir=RUN_FOLDER"
                                 % os.path.join(ROOT, experiment))
        if not os.path.isdir(logdir):
            raise UsageError("--resume: --logdir=%s does not exist; pass the folder of the run to continue"
                             % logdir)
        _check_same_flags(logdir, flag_values)
        fileio.check_writable_path(os.path.join(logdir, FLAGS_FILE), "--logdir")
        return logdir, checkpoints.latest(logdir)
    if not logdir:
        logdir = default_logdir(experiment, config.seed)
    elif checkpoints.latest(logdir):
        raise UsageError("--logdir=%s already holds a run's checkpoints; pass --resume to continue it, "
                         "or a new --logdir" % logdir)
    try:
        os.makedirs(logdir, exist_ok=True)
    except OSError as err:
        raise UsageError("--logdir=%s: cannot create it (%s)" % (logdir, err.strerror))
    fileio.check_writable_path(os.path.join(logdir, FLAGS_FILE), "--logdir")
    fileio.write_json(os.path.join(logdir, FLAGS_FILE), flag_values)
    return logdir, None
