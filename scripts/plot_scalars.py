#!/usr/bin/env python
"""A PNG of a run's TensorBoard scalars (cost, accuracies), e.g. for README:

    python scripts/plot_scalars.py --logdir=runs/mnist_dnn/<run> --output=docs/scalars.png
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from legacy import startup  # noqa: E402  (os and signal only)

startup.install()  # first: a signal while the modules below load is one line, not a traceback
from absl import flags  # noqa: E402

from legacy import cli, fileio  # noqa: E402
from legacy.errors import UsageError  # noqa: E402

flags.DEFINE_string("logdir", None, "Run folder holding the event files.")
flags.DEFINE_string("output", "scalars.png", "Path of the PNG; its folder must exist.")
flags.DEFINE_string("title", None, "Figure title (default: the run folder).")
FLAGS = flags.FLAGS


def main(_):
    from legacy.events import event_files, plot_scalars
    if not FLAGS.logdir or not event_files(FLAGS.logdir):
        raise UsageError("--logdir=%s holds no TensorBoard event files" % FLAGS.logdir)
    fileio.check_writable_path(FLAGS.output)
    plot_scalars(FLAGS.logdir, FLAGS.output, FLAGS.title)
    print("wrote %s" % FLAGS.output)


if __name__ == "__main__":
    cli.run(main)
