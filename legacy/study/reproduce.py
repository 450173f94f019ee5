"""Runs the study's experiments at the original settings for K seeds and
writes results/REPORT.md (the plan: legacy/study/plan.py; the report: legacy/study/report.py).

    make reproduce                                   # all runs, 3 seeds, TF 1.15
    make reproduce LANE=tf2                          # the same on TF 2; REPORT.md then shows both lanes
    python scripts/reproduce.py --seeds=1 --only=cnn_swu_adam,cnn_swu_rmsprop
    python scripts/reproduce.py --lane=tf2           # from either venv: runs with .venv-tf2/bin/python

Finished runs are read back from <results_dir>/runs/<run>-seed<N>.json. SIGTERM
or Ctrl-C (also `docker stop`) stops the run in progress cleanly (checkpoint,
"interrupted" record, exit 143 / 130); the same command again resumes that run
from its checkpoint in <results_dir>/runs/<run>-seed<N>/.
"""
import collections
import os
import shlex
import sys
import time

from absl import flags as absl_flags

from legacy.data.mnist_files import ensure_mnist
from legacy.errors import UsageError
from legacy.study.plan import DRIVER_FLAGS, LANES, PLAN, current_lane, execute, read_back
from legacy.study.report import write_report

absl_flags.DEFINE_integer("seeds", 3, "K: seeds 0..K-1 for every run.")
absl_flags.register_validator("seeds", lambda v: v >= 1, message="--seeds must be >= 1")
absl_flags.DEFINE_string("results_dir", "results", "Folder for REPORT.md, plots/ and runs/.")
absl_flags.DEFINE_string("data_dir", "data/mnist", "MNIST folder (fetched and verified when missing).")
absl_flags.DEFINE_list("only", [], "Run only these runs: %s." % ", ".join(r.name for r in PLAN))
absl_flags.register_validator("only", lambda v: set(v) <= {r.name for r in PLAN},
                              message="--only must name runs of: %s" % ", ".join(r.name for r in PLAN))
absl_flags.DEFINE_bool("reuse_any_revision", False,
                       "Read back finished runs made by another code revision too (the report lists each run's "
                       "revision). By default a run from another revision is run again.")
absl_flags.DEFINE_enum("lane", current_lane(), list(LANES),
                       "Which TensorFlow runs the plan: tf1 (1.15, the reference) or tf2 (2.x through "
                       "tf.compat.v1). Default: the lane of this interpreter; the other lane's runs use its venv "
                       "(.venv or .venv-tf2). Runs go to <results_dir>/runs or runs-tf2, and the report shows every "
                       "lane that has finished runs side by side.")
absl_flags.DEFINE_bool("report_only", False, "Do not run anything; write the report from the finished runs.")
absl_flags.DEFINE_list("run_flags", [],
                       "Flags appended to every run's command, e.g. --run_flags=--train_limit=5000,--epochs=2 with "
                       "--only=cnn_swu_adam for a quick look. They are part of each run's identity: such runs are "
                       "never read back as the original-settings ones (and vice versa).")
absl_flags.register_validator(
    "run_flags", lambda v: all(f.startswith("--") and f[2:].partition("=")[0] not in DRIVER_FLAGS for f in v),
    message="--run_flags takes a comma list of --name=value flags of the scripts, not %s (the driver sets those)"
            % ", ".join("--" + f for f in DRIVER_FLAGS))
FLAGS = absl_flags.FLAGS

# --help shows the plan: what each run reproduces, with the original's settings.
__doc__ += "\nThe runs (--only), each one script invocation with the original's flags:\n\n" + "".join(
    "    %s: %s\n        python scripts/%s %s\n" % (r.name, r.what, r.script, " ".join(r.args)) for r in PLAN)


def check_results_dir(results_dir, lane):
    """Fail in a second, before any run, if the results cannot be written."""
    for folder in (results_dir, os.path.join(results_dir, LANES[lane].runs), os.path.join(results_dir, "plots")):
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as err:
            raise UsageError("--results_dir=%s: cannot create %s (%s); pick a folder you can write"
                             % (results_dir, folder, err.strerror or err))
        if not os.access(folder, os.W_OK | os.X_OK):
            raise UsageError("--results_dir=%s: %s is not writable; pick a folder you can write"
                             % (results_dir, folder))


def main(_):
    start = time.time()
    seeds = list(range(FLAGS.seeds))
    check_results_dir(FLAGS.results_dir, FLAGS.lane)
    data_dir = ensure_mnist(FLAGS.data_dir)
    lanes = {}
    if not FLAGS.report_only:
        lanes[FLAGS.lane] = execute(FLAGS.results_dir, seeds, data_dir, only=FLAGS.only,
                                    reuse_any_revision=FLAGS.reuse_any_revision, lane=FLAGS.lane,
                                    run_flags=FLAGS.run_flags)
    for lane in LANES:
        if lane not in lanes:
            records = read_back(FLAGS.results_dir, seeds, data_dir, lane, FLAGS.only, FLAGS.run_flags)
            if any(records.values()) or lane == FLAGS.lane:
                lanes[lane] = records
    lanes = collections.OrderedDict((lane, lanes[lane]) for lane in LANES if lane in lanes)  # the reference first
    command = " ".join(["python", "scripts/reproduce.py"] + [shlex.quote(a) for a in sys.argv[1:]])
    path = write_report(lanes, FLAGS.results_dir, seeds, time.time() - start, command=command)
    print("reproduce: report written to %s (%.0f s)" % (path, time.time() - start))
