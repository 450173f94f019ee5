"""The one Session loop every experiment runs, with hooks for the rest.

It is golbin's loop: for each epoch, run the optimizer on every batch, sum
``cost / total_batch`` into the epoch's average, print
``Epoch: 0001 Avg. cost = 0.472``. Anything cross-cutting (progress bars,
summaries, checkpoints) is a hook, not code in the loop.
"""
import collections
import sys
import time

import numpy as np

from legacy.errors import Diverged
from legacy.tf import tf

EpochRecord = collections.namedtuple("EpochRecord", ["epoch", "avg_cost", "validation_accuracy", "seconds"])


class Hook(object):
    """Called by ``train`` around the loop; override what you need."""

    def begin(self, sess, graph):
        pass

    def before_epoch(self, epoch, steps):
        pass

    def after_step(self, step, cost):
        pass

    def after_epoch(self, record):
        pass

    def end(self, history):
        pass


class EpochPrinter(Hook):
    """Prints the study's line exactly, then the timing on a line of its own."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def after_epoch(self, record):
        self.stream.write("Epoch: %04d Avg. cost = %.3f\n" % (record.epoch, record.avg_cost))
        extra = "  %.1f s" % record.seconds
        if record.validation_accuracy is not None:
            extra += ", validation accuracy %.4f" % record.validation_accuracy
        self.stream.write(extra + "\n")
        self.stream.flush()


class ProgressBar(Hook):
    """A tqdm bar over each epoch's steps, only when stderr is a terminal, so
    that logs and pipes get the study's lines and nothing else."""

    def __init__(self):
        self.bar = None
        self.enabled = sys.stderr.isatty()

    def before_epoch(self, epoch, steps):
        if self.enabled:
            from tqdm import tqdm
            self.bar = tqdm(total=steps, desc="epoch %d" % epoch, leave=False, file=sys.stderr)

    def after_step(self, step, cost):
        if self.bar is not None:
            self.bar.update(1)

    def after_epoch(self, record):
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def session_config(intra_op_threads=0, inter_op_threads=0):
    """0 lets TensorFlow pick (one thread per core for each pool)."""
    return tf.ConfigProto(intra_op_parallelism_threads=intra_op_threads,
                          inter_op_parallelism_threads=inter_op_threads)


def evaluate(sess, graph, split, keep_prob=1.0, batch_size=2000):
    """Accuracy over a whole split, in chunks to bound memory (the CNN's
    activations for 10,000 images at once would take about 1 GB).
    ``keep_prob`` < 1 reproduces the original's dropout-at-evaluation bug."""
    # An input with a static batch dimension (GraphInput) takes chunks of
    # exactly that size; the last one is padded and the padding not counted.
    static = graph.x.shape[0].value if graph.x.shape.ndims else None
    batch_size = static or batch_size
    correct = 0
    for start in range(0, len(split.images), batch_size):
        images = split.images[start:start + batch_size]
        labels = split.labels[start:start + batch_size]
        n = len(images)
        if static and n < static:
            images = np.concatenate([images, np.zeros((static - n,) + images.shape[1:], images.dtype)])
            labels = np.concatenate([labels, np.zeros((static - n,) + labels.shape[1:], labels.dtype)])
        hits = sess.run(graph.correct, {graph.x: images, graph.y: labels, graph.keep_prob: keep_prob})
        correct += int(np.sum(hits[:n]))
    return correct / float(len(split.images))


def train(sess, graph, inputs, epochs, keep_prob, validation=None, eval_keep_prob=1.0, hooks=()):
    """Train ``epochs`` epochs; return the list of EpochRecords."""
    for hook in hooks:
        hook.begin(sess, graph)
    history = []
    step = 0
    train_feed = {graph.keep_prob: keep_prob, graph.training: True}
    for epoch in range(1, epochs + 1):
        start = time.time()
        total_batch = inputs.steps_per_epoch
        for hook in hooks:
            hook.before_epoch(epoch, total_batch)
        avg_cost = 0.0
        for feed in inputs.epoch():
            feed.update(train_feed)
            _, cost_val = sess.run([graph.train_op, graph.cost], feed)
            step += 1
            if not np.isfinite(cost_val):
                raise Diverged(step, epoch, float(cost_val))
            avg_cost += cost_val / total_batch
            for hook in hooks:
                hook.after_step(step, cost_val)
        seconds = time.time() - start
        val_acc = None if validation is None else evaluate(sess, graph, validation, eval_keep_prob)
        record = EpochRecord(epoch, float(avg_cost), val_acc, seconds)
        history.append(record)
        for hook in hooks:
            hook.after_epoch(record)
    for hook in hooks:
        hook.end(history)
    return history
