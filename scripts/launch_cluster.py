#!/usr/bin/env python
"""Start a TF1 cluster on this machine (legacy/launcher.py):

    python scripts/launch_cluster.py --ps=1 --workers=2 -- scripts/mnist_cnn.py --variant=swu --epochs=1
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from legacy import startup  # noqa: E402  (os and signal only)

startup.install()  # first: a signal while the modules below load is one line, not a traceback
from absl import flags  # noqa: E402

from legacy import cli, launcher  # noqa: E402

flags.DEFINE_integer("ps", 1, "Parameter servers to start.")
flags.DEFINE_integer("workers", 2, "Workers to start (worker 0 is the chief).")
flags.DEFINE_integer("timeout", 3600, "Stop every task after this many seconds (0: no limit).")
flags.DEFINE_string("ps_hosts", "", "Instead of --ps: these 127.0.0.1:port addresses.")
flags.DEFINE_string("worker_hosts", "", "Instead of --workers: these 127.0.0.1:port addresses.")


def main(argv):
    sys.exit(launcher.launch(flags.FLAGS.ps, flags.FLAGS.workers, argv[1:], timeout=flags.FLAGS.timeout,
                             ps_hosts=flags.FLAGS.ps_hosts, worker_hosts=flags.FLAGS.worker_hosts))


if __name__ == "__main__":
    cli.run(main, positional=True)
