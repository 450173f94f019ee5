"""Runs the study's experiments at the original settings for K seeds and
writes results/REPORT.md (the plan: legacy/study/plan.py; the report: legacy/study/report.py).

    make reproduce                                   # all runs, 3 seeds, TF 1.15
    make reproduce LANE=tf2                          # the same on TF 2; REPORT.md then shows both lanes
    python scripts/reproduce.py --seeds=1 --only=cnn_swu_adam,cnn_swu_rmsprop
    python scripts/reproduce.py --lane=tf2           # from either venv: runs with .venv-tf2/bin/python
"""
import collections
import time

from absl import flags as absl_flags

from legacy import cli
from legacy.data.mnist_files import ensure_mnist
from legacy.study.plan import LANES, PLAN, current_lane, execute, read_back
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
FLAGS = absl_flags.FLAGS


def main(_):
    start = time.time()
    seeds = list(range(FLAGS.seeds))
    data_dir = ensure_mnist(FLAGS.data_dir)
    lanes = {}
    if not FLAGS.report_only:
        lanes[FLAGS.lane] = execute(FLAGS.results_dir, seeds, data_dir, only=FLAGS.only,
                                    reuse_any_revision=FLAGS.reuse_any_revision, lane=FLAGS.lane)
    for lane in LANES:
        if lane not in lanes:
            records = read_back(FLAGS.results_dir, seeds, data_dir, lane, FLAGS.only)
            if any(records.values()) or lane == FLAGS.lane:
                lanes[lane] = records
    lanes = collections.OrderedDict((lane, lanes[lane]) for lane in LANES if lane in lanes)  # the reference first
    path = write_report(lanes, FLAGS.results_dir, seeds, time.time() - start)
    print("reproduce: report written to %s (%.0f s)" % (path, time.time() - start))


def run():
    cli.run(main)
