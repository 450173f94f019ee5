"""Run folders: ``runs/<experiment>/<timestamp>-seed<N>``, one per run, as
tensorpack's ``logger.auto_set_dir()``. Each holds the TensorBoard events,
the checkpoints, ``flags.json`` and ``results.json``.

``--resume`` continues a folder only with the flags it was started with
(except those in RESUME_MAY_DIFFER): resuming a 256-unit run with
``--hidden=128``, or with another batch size, would not continue that run.

One writer per folder: ``prepare`` takes an exclusive ``flock`` on
``<run folder>/run.lock`` (holding the PID of the run) before it reads or
writes anything there, and keeps it until ``release`` or the end of the
process. The OS drops the lock when the process dies, kill -9 included, so
no stale lock is ever left; a second run on a locked folder is refused in
one line naming the holder's PID.
"""
import errno
import fcntl
import glob
import json
import os
import time

from legacy import checkpoints, run_config, fileio
from legacy.errors import UsageError

ROOT = "runs"
FLAGS_FILE = "flags.json"
LOCK_FILE = "run.lock"
RESULTS_FILE = "results.json"
_LOCKS = {}  # real path of a run folder -> the fd holding its lock
# Flags that may change between a run and its resumption: more epochs, other
# threads or output paths do not change what the earlier steps computed.
RESUME_MAY_DIFFER = {"epochs", "output", "logdir", "resume", "save_every_steps", "histograms",
                     "intra_op_threads", "inter_op_threads", "data_dir", "download", "init_from",
                     # a restarted cluster gets new ports (legacy/distributed/cluster.py)
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


def lock(run_dir):
    """Take the run folder's lock, or raise UsageError naming its holder."""
    key = os.path.realpath(run_dir)
    if key in _LOCKS:
        return
    path = os.path.join(run_dir, LOCK_FILE)
    try:
        # O_NOFOLLOW: a run.lock planted as a symlink must not make us write elsewhere.
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as err:
        raise UsageError("--logdir=%s: cannot open its lock file %s (%s)" % (run_dir, LOCK_FILE, err.strerror))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as err:
        holder = os.read(fd, 64).decode("ascii", "replace").strip() or "unknown"
        os.close(fd)
        if err.errno not in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES):
            raise UsageError("--logdir=%s: cannot lock it (%s)" % (run_dir, err.strerror))
        raise UsageError("--logdir=%s is in use by another run (PID %s); wait for it to end, or pass "
                         "another --logdir" % (run_dir, holder))
    os.ftruncate(fd, 0)
    os.write(fd, b"%d\n" % os.getpid())
    _LOCKS[key] = fd


def release(run_dir):
    """Drop the lock taken by ``lock`` (the end of the process drops it too)."""
    fd = _LOCKS.pop(os.path.realpath(run_dir), None) if run_dir else None
    if fd is not None:
        os.close(fd)


def _clean(logdir):
    """Under the lock: the temporaries that killed runs left in the folder."""
    removed = checkpoints.remove_leftovers(
        logdir, [fileio.temporary_name(FLAGS_FILE), fileio.temporary_name(RESULTS_FILE)])
    if removed:
        print("%s: removed %d temporary file(s) of an interrupted run: %s"
              % (logdir, len(removed), ", ".join(removed)))


def _check_same_flags(run_dir, flag_values):
    path = os.path.join(run_dir, FLAGS_FILE)
    if not os.path.exists(path):
        if checkpoints.latest(run_dir) or checkpoints.on_disk(run_dir):
            raise UsageError("--resume: %s holds checkpoints but no %s (the flags the run was started with), "
                             "so nothing shows that these flags continue it; restore %s or pass a new --logdir"
                             % (run_dir, FLAGS_FILE, FLAGS_FILE))
        return
    try:
        with open(path, encoding="utf-8") as handle:
            started = json.load(handle)
    except (OSError, ValueError) as err:
        raise UsageError("--resume: %s is not readable JSON (%s); restore it or pass a new --logdir"
                         % (path, str(err).splitlines()[0]))
    if not isinstance(started, dict):
        raise UsageError("--resume: %s does not hold flags; restore it or pass a new --logdir" % path)
    # Compared as the command line shows them: a run folder of an older
    # revision holds --hidden as strings, a newer one as numbers.
    differ = sorted(k for k in started if k not in RESUME_MAY_DIFFER
                    and _show(started[k]) != _show(flag_values.get(k)))
    if differ:
        raise UsageError("--resume: %s was started with %s, not %s; pass the same values or a new --logdir"
                         % (run_dir, " ".join("--%s=%s" % (k, _show(started[k])) for k in differ),
                            " ".join("--%s=%s" % (k, _show(flag_values.get(k))) for k in differ)))


def _check_epochs(prefix, flag_values):
    """A checkpoint past --epochs would give a results JSON whose --epochs
    contradicts the history and step beside it: refused."""
    epochs = flag_values.get("epochs")
    with open(checkpoints.state_path(prefix), encoding="utf-8") as handle:
        state = json.load(handle)
    done = len(state["history"]) + (1 if state["step_in_epoch"] else 0)
    if epochs is not None and epochs < done:
        raise UsageError("--epochs=%d: %s is already %s epoch %d (step %d); pass --epochs=%d or more to "
                         "continue it" % (epochs, prefix, "in" if state["step_in_epoch"] else "past",
                                          done, state["step"], done))


def _check_folder_writable(logdir):
    if not os.access(logdir, os.W_OK):
        raise UsageError("--logdir=%s: the folder is not writable (checkpoints and results go there); "
                         "pass a writable --logdir" % logdir)
    for name in (FLAGS_FILE, RESULTS_FILE, checkpoints.INDEX, LOCK_FILE):
        if os.path.isdir(os.path.join(logdir, name)):
            raise UsageError("--logdir=%s: %s in it is a folder, where the run writes a file; "
                             "pass another --logdir" % (logdir, name))


def _show(value):
    return ",".join(map(str, value)) if isinstance(value, list) else value


def prepare(experiment, config):
    """The run folder, created and locked (see ``lock``), and the checkpoint to
    resume (or None). ``--resume`` of a folder that does not exist yet, or
    holds no checkpoint, starts the run there from step 0."""
    recorded = run_config.record(config)  # what flags.json holds
    logdir = config.logdir
    if logdir and os.path.exists(logdir) and not os.path.isdir(logdir):
        raise UsageError("--logdir=%s is a file, not a folder; pass a folder" % logdir)
    if config.resume:
        if not logdir:
            logdir = newest_run(experiment)
            if logdir is None:
                raise UsageError("--resume: no run with a checkpoint under %s; pass --logdir=RUN_FOLDER"
                                 % os.path.join(ROOT, experiment))
        if os.path.isdir(logdir):
            _check_folder_writable(logdir)
            lock(logdir)
            try:
                _clean(logdir)
                _check_same_flags(logdir, recorded)
                prefix = checkpoints.newest_complete(logdir)
                if prefix:
                    _check_epochs(prefix, recorded)
                if not os.path.exists(os.path.join(logdir, FLAGS_FILE)):
                    fileio.write_json(os.path.join(logdir, FLAGS_FILE), recorded)
                return logdir, prefix
            except BaseException:
                release(logdir)
                raise
        # Killed before its folder was made: the same as an empty folder.
        print("--resume: %s does not exist yet; starting the run there" % logdir)
    if not logdir:
        logdir = default_logdir(experiment, config.seed)
    try:
        os.makedirs(logdir, exist_ok=True)
    except OSError as err:
        raise UsageError("--logdir=%s: cannot create it (%s)" % (logdir, err.strerror))
    _check_folder_writable(logdir)
    lock(logdir)
    try:
        _clean(logdir)
        if checkpoints.latest(logdir) or checkpoints.on_disk(logdir):
            raise UsageError("--logdir=%s already holds a run's checkpoints; pass --resume to continue it, "
                             "or a new --logdir" % logdir)
        fileio.write_json(os.path.join(logdir, FLAGS_FILE), recorded)
    except BaseException:
        release(logdir)
        raise
    return logdir, None
