"""In-process A/B of the graph input against its predecessor and the constant batch (issue 18).

The three cases are make bench's BareSteps (legacy/study/throughput.py) in one process, so they
share its thread pools; their windows of STEPS steps alternate for ROUNDS rounds, and each
case's figure is the median over rounds of const's window time over its own (paired ratios,
robust to a load that changes between rounds). Figures, not pass/fail.

    .venv/bin/python tools/ab_inputs.py dnn4 20 150
"""
import os
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)
import numpy as np  # noqa: E402

from legacy import inputs as I  # noqa: E402
from legacy.study.throughput import BareStep  # noqa: E402
from legacy.tf import tf, TF_VERSION  # noqa: E402


class FedRows(I.FeedInput):
    """The graph input of ae1c0b8 (2026-12-04, a few hours): the rows gathered in numpy, fed to
    placeholders of static shape."""
    def __init__(self, dataflow, feature_shape):
        super(FedRows, self).__init__(dataflow, feature_shape)
        self.split, self.batch_size = dataflow.ds, dataflow.batch_size

    def tensors(self, num_classes):
        self.x = tf.placeholder(tf.float32, [self.batch_size] + self.feature_shape, name="X")
        self.y = tf.placeholder(tf.float32, [self.batch_size, num_classes], name="Y")
        return self.x, self.y

    def epoch(self, skip=0):
        order = self.split.epoch_order()
        images, labels = self.split.images, self.split.labels
        for step in range(skip, self.steps_per_epoch):
            rows = order[step * self.batch_size:(step + 1) * self.batch_size]
            yield {self.x: images[rows], self.y: labels[rows]}


I.INPUTS["fedrows"] = FedRows
model, steps, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
names = ["fedrows", "graph", "const"]
cases = {n: BareStep(model, n, os.path.join(REPO, "data", "mnist"), {}) for n in names}
for c in cases.values():
    c.train(steps * 2)
walls = {n: [] for n in names}
for r in range(rounds):
    order = names[r % len(names):] + names[:r % len(names)]
    for n in order:
        w = time.perf_counter(); cases[n].train(steps); walls[n].append(time.perf_counter() - w)
ref = "const"
out = []
for n in names:
    ratio = np.median(np.array(walls[ref]) / np.array(walls[n]))
    out.append("%s %.3f ms/step (x const %.3f)" % (n, 1e3 * np.median(walls[n]) / steps, ratio))
print(TF_VERSION, model, "%d rounds of %d steps;" % (rounds, steps), "; ".join(out))
