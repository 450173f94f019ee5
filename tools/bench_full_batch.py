"""Per-step wall and CPU seconds of the full-batch loop (animals_dnn's 2-10-20-10-3 network, GD 0.01)
over a large CSV (issue 13, class 9). CPU seconds (this process, all threads) are robust to other
jobs' load; wall seconds are not.

    python scripts/make_data.py animals --n=1000000 --seed=0 --output=/tmp/animals_1m.csv
    python tools/bench_full_batch.py REPO_ROOT /tmp/animals_1m.csv 5

REPO_ROOT is the checkout whose ``legacy`` package is measured (so an older
revision, e.g. from ``git archive``, can be measured beside this one).
"""
import functools, sys, time
sys.path.insert(0, sys.argv[1])
import numpy as np
from legacy.data import csv_table, tables
from legacy.run_config import RunConfig
from legacy.runners.full_batch import run_full_batch
from legacy.graph import build_classifier
from legacy.models.mlp import mlp
from legacy.hooks import Hook


class Clock(Hook):
    def __init__(self):
        self.wall, self.cpu = [], []

    def before_epoch(self, epoch, steps):
        self.t = (time.time(), time.process_time())

    def after_step(self, step, cost):
        self.wall.append(time.time() - self.t[0])
        self.cpu.append(time.process_time() - self.t[1])


t = time.time()
c = time.process_time()
table = csv_table.read_csv(sys.argv[2], tables.ANIMAL_COLUMNS)
read = (time.time() - t, time.process_time() - c)
features, targets = table[:, :2], table[:, 2:]
model = functools.partial(mlp, hidden=[10, 20, 10], num_classes=3, batch_norm=False, init="uniform", use_bias=True)
config = RunConfig(seed=0)
build = lambda x, y: build_classifier(model, x, y, "gd", 0.01)
report = lambda sess, net, feed, initial: None
clock = Clock()
history, _, _ = run_full_batch(config, build, features, targets, int(sys.argv[3]), [clock], report)
print("code %s; rows %d; read_csv wall %.1f s cpu %.1f s; per step wall %s (median %.3f s); per step cpu %s "
      "(median %.3f s); cost after the steps %.6f"
      % (sys.argv[1], len(features), read[0], read[1], " ".join("%.3f" % s for s in clock.wall),
         float(np.median(clock.wall)), " ".join("%.3f" % s for s in clock.cpu), float(np.median(clock.cpu)),
         history[-1].avg_cost))
