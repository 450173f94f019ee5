"""Runs the study's experiments at the original settings for K seeds and
writes results/REPORT.md (see legacy/reproduce.py and legacy/reproduce_report.py).

    make reproduce                                   # all runs, 3 seeds
    python scripts/reproduce.py --seeds=1 --only=cnn_swu_adam,cnn_swu_rmsprop
"""
import time

from absl import flags as absl_flags

from legacy import cli
from legacy.data.mnist_files import ensure_mnist
from legacy.reproduce import PLAN, execute
from legacy.reproduce_report import write_report

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
absl_flags.DEFINE_bool("report_only", False, "Do not run anything; write the report from the finished runs.")
FLAGS = absl_flags.FLAGS


def main(_):
    start = time.time()
    seeds = list(range(FLAGS.seeds))
    data_dir = ensure_mnist(FLAGS.data_dir)
    if FLAGS.report_only:
        from legacy.reproduce import finished, run_path
        records = {(r.name, s): finished(run_path(FLAGS.results_dir, r, s), r, s, data_dir, True)
                   for s in seeds for r in PLAN if not FLAGS.only or r.name in FLAGS.only}
    else:
        records = execute(FLAGS.results_dir, seeds, data_dir, only=FLAGS.only,
                          reuse_any_revision=FLAGS.reuse_any_revision)
    path = write_report(records, FLAGS.results_dir, seeds, time.time() - start)
    print("reproduce: report written to %s (%.0f s)" % (path, time.time() - start))


def run():
    cli.run(main)
