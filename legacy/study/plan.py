"""The study's experiments at their original settings, for K seeds, and what
the originals published next to them.

Each run is one script invocation with explicit flags, so anyone can re-run
a single row by hand. A finished run (status ok, same flags, seed and code
revision) is read back from its JSON instead of being run again, so an
interrupted ``make reproduce`` resumes where it stopped.

Each planned MNIST run has one run folder, ``<results_dir>/runs/<run>-seed<N>/``
beside its JSON (TensorBoard events, checkpoints), stamped with what it runs
(``reproduce.json``: run, seed, lane, flags, code revision). A run that was
stopped (SIGTERM, Ctrl-C, ``docker stop``, even ``kill -9``) is continued from
its newest checkpoint with ``--resume`` when the stamp still matches, and ends
with the numbers an uninterrupted run gives; checkpoints of other flags or
another revision are moved aside (``<run>-seed<N>.old-<time>``), never deleted.

The driver forwards SIGINT and SIGTERM to the running child and waits for it
(legacy/child.py): the child stops cleanly, and the driver exits with 130 /
143 without starting the next run.

The plan runs on either lane (TensorFlow 1.15, the reference, or TensorFlow 2
through tf.compat.v1): each lane's runs live in their own folder, so the report
can set the two side by side without one lane's runs ever standing in for the
other's.
"""
import collections
import json
import os
import subprocess
import sys
import time

from legacy import REPO, child, fileio, results, tfenv
from legacy.errors import Interrupted, UsageError
from legacy.models.registry import MODELS


# model: the registry entry whose original settings the run takes (None for
# the toy scripts, whose settings are their flags' defaults).
Run = collections.namedtuple("Run", ["name", "script", "model", "args", "what"])
# venv: where `make venv LANE=<name>` puts the lane's interpreter; runs: the
# folder of its run records under --results_dir; tf_major: the TensorFlow
# version its records must name.
Lane = collections.namedtuple("Lane", ["name", "title", "venv", "runs", "tf_major"])
LANES = collections.OrderedDict([
    ("tf1", Lane("tf1", "TF 1.15", ".venv", "runs", "1")),
    ("tf2", Lane("tf2", "TF 2", ".venv-tf2", "runs-tf2", "2")),
])

# The models' original settings come with --variant / --preset from the
# registry (legacy/models/registry.py); a run names only what it changes.
CNN_SWU = ["--variant=swu", "--eval_keep_prob=0.8"]
BN_LAB_STUDY = ["--preset=bn-lab-study"]

# In the order they run: the study's only recorded log first.
PLAN = [
    Run("cnn_swu_adam", "mnist_cnn.py", "cnn-swu", CNN_SWU + ["--optimizer=adam"],
        "SWU CNN, Adam(0.001), keep 0.8 in training and evaluation (the study's run log)"),
    Run("cnn_swu_rmsprop", "mnist_cnn.py", "cnn-swu", CNN_SWU + ["--optimizer=rmsprop"],
        "SWU CNN, RMSProp(0.001, decay 0.9), keep 0.8 in training and evaluation (the study's run log)"),
    Run("dnn4_keep1", "mnist_dnn.py", "dnn4", ["--keep_prob=1.0", "--eval_keep_prob=1.0"],
        "4-layer MLP, GD 0.2, 30 epochs, no dropout (the study's run A)"),
    Run("dnn4_keep08_eval08", "mnist_dnn.py", "dnn4", ["--keep_prob=0.8", "--eval_keep_prob=0.8"],
        "4-layer MLP, keep 0.8 in training and evaluation (the study's run B, bug included)"),
    Run("dnn4_keep08_bn", "mnist_dnn.py", "dnn4", ["--keep_prob=0.8", "--eval_keep_prob=1.0", "--batch_norm"],
        "4-layer MLP, keep 0.8, with the batch norm the study claimed"),
    # hunkim's BN lab network with the study's own init (N(0, 0.01), no biases): BN as the study would
    # have added it to its networks. The bn_lab_hunkim_* rows below are the lab as hunkim wrote it.
    Run("bn_lab_plain", "mnist_dnn.py", "bn-lab-study", BN_LAB_STUDY,
        "hunkim's BN lab network, the study's init, without BN"),
    Run("bn_lab_bn", "mnist_dnn.py", "bn-lab-study", BN_LAB_STUDY + ["--batch_norm"],
        "hunkim's BN lab network, the study's init, with BN"),
    Run("bn_lab_hunkim_plain", "mnist_dnn.py", "bn-lab", ["--preset=bn-lab"],
        "hunkim's BN lab network as hunkim wrote it (Glorot-uniform weights, biases), without BN"),
    Run("bn_lab_hunkim_bn", "mnist_dnn.py", "bn-lab", ["--preset=bn-lab", "--batch_norm"],
        "hunkim's BN lab network as hunkim wrote it (Glorot-uniform weights, biases, BN momentum 0.99), with BN"),
    Run("mlp_adam", "mnist_dnn.py", "mlp", ["--preset=mlp"],
        "golbin 06/01 MLP 784-256-256-10, Adam, 15 epochs (the study's mnistdatajuyae.py)"),
    Run("mlp_dropout", "mnist_dnn.py", "mlp-dropout", ["--preset=mlp-dropout"],
        "golbin 06 MLP + dropout 0.8, Adam, 30 epochs"),
    Run("cnn_golbin", "mnist_cnn.py", "cnn", ["--variant=golbin"], "golbin 07 CNN, Adam, keep 0.7, 15 epochs"),
    Run("animals_code", "animals_dnn.py", None, ["--hidden=10,20,10"], "fur/wings, 2-10-20-10-3 as in the study's code"),
    Run("animals_readme", "animals_dnn.py", None, ["--hidden=10,20,30"], "fur/wings, 2-10-20-30-3 as in its README"),
    Run("linear_regression", "linear_regression.py", None, [],
        "height -> weight, GD 0.13, 100 full-batch steps (the study's LinearReg-2017111393.py)"),
]


STAMP = "reproduce.json"
# Set by the driver on every run's command line; --run_flags must leave them alone.
DRIVER_FLAGS = ("seed", "output", "logdir", "resume", "data_dir")


class Stopped(Interrupted):
    """SIGINT/SIGTERM reached the driver during a run: the run's process got it
    too, stopped (checkpoint, "interrupted" record when it had started
    training), and the reproduction ends here; running it again resumes."""

    def __init__(self, signum, run, seed, record=None):
        progress = record if record and record.get("status") == "interrupted" else {}
        info = progress.get("interrupted") or {}
        super(Stopped, self).__init__(signum, info.get("step", 0), info.get("epoch", 0))
        self.run_name, self.seed, self.run_record = run.name, seed, record
        self.saved = info.get("checkpoint")

    def __str__(self):
        import signal
        if (self.run_record or {}).get("status") == "ok":  # the signal came as the run ended
            return ("%s as %s seed %d finished; the same command again goes on with the next run"
                    % (signal.Signals(self.signum).name, self.run_name, self.seed))
        where = ("at step %d (epoch %d), checkpoint %s; the same command again resumes it"
                 % (self.step, self.epoch, self.saved) if self.saved
                 else "before its first checkpoint; the same command again starts it anew")
        return "%s during %s seed %d, %s" % (signal.Signals(self.signum).name, self.run_name, self.seed, where)


def current_lane():
    """The lane of the running interpreter.

    Read from Python's version rather than by importing TensorFlow (seconds,
    and this driver never trains): TF 1.15 installs only on Python <= 3.7 and
    the TF 2 lane needs >= 3.10, so the version alone tells them apart.
    """
    return "tf1" if sys.version_info < (3, 8) else "tf2"


def lane_python(lane):
    """The interpreter that runs ``lane``'s experiments: this one when it is of
    that lane (a venv, Docker's system python), else the lane's venv."""
    if lane == current_lane():
        return sys.executable
    path = os.path.join(REPO, LANES[lane].venv, "bin", "python")
    if not os.access(path, os.X_OK):
        raise UsageError("--lane=%s needs %s, which does not exist; create it with `make venv LANE=%s`"
                         % (lane, path, lane))
    return path


def run_path(results_dir, run, seed, lane="tf1"):
    return os.path.join(results_dir, LANES[lane].runs, "%s-seed%d.json" % (run.name, seed))


def run_folder(results_dir, run, seed, lane="tf1"):
    """The one run folder of (run, seed) on ``lane``: beside its JSON."""
    return os.path.splitext(run_path(results_dir, run, seed, lane))[0]


def _stamp(run, seed, lane, revision):
    return {"run": run.name, "seed": seed, "lane": lane, "args": list(run.args), "git_revision": revision}


def _resumable(folder, stamp, reuse_any_revision):
    """Whether ``folder`` holds a checkpoint of exactly this run (and revision)."""
    try:
        with open(os.path.join(folder, STAMP)) as handle:
            found = json.load(handle)
    except (OSError, ValueError):
        return False
    if reuse_any_revision:
        found = dict(found, git_revision=stamp["git_revision"])
    # "checkpoint" is the run's checkpoint index (legacy/checkpoints.py), written
    # only after a complete checkpoint; the driver never imports TensorFlow.
    return found == stamp and os.path.exists(os.path.join(folder, "checkpoint"))


def prepare_folder(folder, stamp, reuse_any_revision, log=print):
    """The flags that point the run at its folder: ``--resume`` when the folder
    holds this run's checkpoint, else a fresh folder (an old one moved aside)."""
    if _resumable(folder, stamp, reuse_any_revision):
        return ["--logdir=" + folder, "--resume"]
    if os.path.exists(os.path.join(folder, "checkpoint")):
        aside = base = "%s.old-%s" % (folder, time.strftime("%Y%m%d-%H%M%S"))
        n = 2
        while os.path.exists(aside):
            aside, n = "%s-%d" % (base, n), n + 1
        os.rename(folder, aside)
        log("reproduce: %s holds checkpoints of other flags or another code revision; moved to %s"
            % (folder, aside))
    # A folder without a checkpoint (stopped during start-up) is simply reused.
    os.makedirs(folder, exist_ok=True)
    fileio.write_json(os.path.join(folder, STAMP), stamp)
    return ["--logdir=" + folder]


def with_run_flags(run, run_flags):
    """``run`` with ``run_flags`` appended (absl: the last value of a flag wins)."""
    return run._replace(args=list(run.args) + list(run_flags)) if run_flags else run


def finished(path, run, seed, data_dir, reuse_any_revision=False, lane="tf1"):
    """The run's record if it finished on ``lane`` with these flags, seed and
    revision; else None."""
    try:
        with open(path) as handle:
            record = json.load(handle)
    except (OSError, ValueError):
        return None
    expected = _expected_flags(run, seed, data_dir)
    got = {k: _comparable(record.get("flags", {}).get(k)) for k in expected}
    if record.get("status") != "ok" or got != {k: _comparable(v) for k, v in expected.items()}:
        return None
    tf_version = str(record.get("environment", {}).get("tensorflow", ""))
    if tf_version.split(".")[0] != LANES[lane].tf_major:
        return None
    if not reuse_any_revision and record["environment"]["git_revision"] != results.git_revision():
        return None
    return record


def _comparable(value):
    # Records of older revisions hold --hidden as strings, newer ones as numbers.
    return [str(v) for v in value] if isinstance(value, list) else value


def _expected_flags(run, seed, data_dir):
    # data_dir is not part of a run's identity: every MNIST folder holds the
    # same verified bytes.
    del data_dir
    flags = {"seed": seed}
    if run.model:
        flags.update((k, list(v) if isinstance(v, tuple) else v) for k, v in MODELS[run.model].settings.items())
    flags.update(results.flags_from_args(run.args))
    return flags


def read_back(results_dir, seeds, data_dir, lane, only=None, run_flags=()):
    """Every finished record of ``lane`` for these seeds, of any revision (the
    report lists each run's revision); missing runs map to None."""
    return {(run.name, seed): finished(run_path(results_dir, run, seed, lane), with_run_flags(run, run_flags), seed,
                                       data_dir, True, lane)
            for seed in seeds for run in PLAN if not only or run.name in only}


def _read(path):
    try:
        with open(path) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def execute(results_dir, seeds, data_dir, only=None, reuse_any_revision=False, log=print, lane="tf1",
            run_flags=()):
    """Run on ``lane`` every (run, seed) of PLAN that has no finished JSON;
    return the records. ``run_flags`` are appended to every run's flags (and
    are part of its identity). Raises Stopped when SIGINT/SIGTERM arrives
    during a run."""
    python = lane_python(lane)
    os.makedirs(os.path.join(results_dir, LANES[lane].runs), exist_ok=True)
    revision = results.git_revision()
    records = {}
    for seed in seeds:
        for run in PLAN:
            if only and run.name not in only:
                continue
            run = with_run_flags(run, run_flags)
            path = run_path(results_dir, run, seed, lane)
            record = finished(path, run, seed, data_dir, reuse_any_revision, lane)
            if record is None:
                cmd = [python, os.path.join(REPO, "scripts", run.script)] + run.args + [
                    "--seed=%d" % seed, "--output=" + path]
                resuming = False
                if run.script.startswith("mnist"):
                    cmd.append("--data_dir=" + data_dir)
                    folder = run_folder(results_dir, run, seed, lane)
                    cmd += prepare_folder(folder, _stamp(run, seed, lane, revision), reuse_any_revision, log)
                    resuming = "--resume" in cmd
                log("reproduce: %s %s seed %d on %s: %s" % ("resuming" if resuming else "running", run.name, seed,
                                                           lane, " ".join(cmd[1:])))
                start = time.time()
                # A resumed run's log goes on after the stopped one's.
                with open(path + ".log", "a" if resuming else "w") as out:
                    returncode, signum = child.run(cmd, stdout=out, stderr=subprocess.STDOUT,
                                                   env=tfenv.child_environ())
                if signum is not None:
                    fresh = os.path.exists(path) and os.path.getmtime(path) >= start
                    raise Stopped(signum, run, seed, _read(path) if fresh else None)
                if returncode != 0:
                    log("reproduce: %s seed %d failed (exit %d), see %s.log" % (run.name, seed, returncode, path))
                    continue
                record = finished(path, run, seed, data_dir, True, lane)
                log("reproduce: %s seed %d done in %.0f s" % (run.name, seed, time.time() - start))
            else:
                log("reproduce: %s seed %d read back from %s" % (run.name, seed, path))
            records[(run.name, seed)] = record
    return records
