"""The run of golbin's other chapters (NLP, unsupervised), through the one loop.

Each script builds its graph into a TrainGraph (legacy/graph.py), picks an
input and the lines it prints, and hands them here: this runs
``legacy.train.train`` with the hooks every run has (progress bar,
TensorBoard, checkpoints, signals), honours --logdir/--resume/--init_from as
run_mnist does, and writes the results JSON (also on divergence or an
interrupt, with that status).

Non-MNIST data come as tensorpack dataflows over row numbers of in-memory
arrays (``ArrayInput``): the whole table per step for the full-batch
scripts (as legacy/runners/full_batch.py), a random batch without
replacement for Word2Vec. Their RNG is the dataflow's, saved at each
epoch's start, so a resumed run replays the same batches.
"""
import collections
import sys
import time

import numpy as np
from tensorpack.dataflow import BatchData, RNGDataFlow

from legacy import checkpoints, results, runs
from legacy.errors import UsageError
from legacy.hooks import Checkpointer, Hook, ProgressBar, StopOnSignal, TensorBoard
from legacy.inputs import rng_from_json, rng_to_json
from legacy.runners.recording import train_recording, write_run_record
from legacy.tf import tf
from legacy.train import LoopState, session_config


class Rows(RNGDataFlow):
    """Row numbers 0..n-1, in file order or reshuffled every epoch by a seeded RNG."""

    def __init__(self, n, shuffle=False, seed=0):
        self.n, self.shuffle, self.seed = n, shuffle, seed
        self.reset_state()

    def reset_state(self):
        self.rng = np.random.RandomState(self.seed)

    def __len__(self):
        return self.n

    def __iter__(self):
        order = np.arange(self.n)
        if self.shuffle:
            self.rng.shuffle(order)
        for k in order:
            yield [k]


class RandomBatch(RNGDataFlow):
    """One batch per epoch: ``size`` distinct rows of ``n`` drawn at random,
    golbin's ``np.random.choice(range(n), size, replace=False)``."""

    def __init__(self, n, size, seed=0):
        if size > n:
            raise UsageError("--batch_size=%d is larger than the %d training pairs" % (size, n))
        self.n, self.size, self.seed = n, size, seed
        self.reset_state()

    def reset_state(self):
        self.rng = np.random.RandomState(self.seed)

    def __len__(self):
        return 1

    def __iter__(self):
        yield [self.rng.choice(np.arange(self.n), self.size, replace=False)]


def full_batch(n):
    """Every row, in order, as one batch per epoch."""
    return BatchData(Rows(n), n, remainder=True)


class ArrayInput(object):
    """Named in-memory arrays, each fed to a placeholder of its dtype; each
    step feeds the rows that ``dataflow`` yields (a batch of row numbers)."""

    name = "feed"

    def __init__(self, arrays, dataflow):
        self.arrays = collections.OrderedDict(arrays)
        lengths = set(len(a) for a in self.arrays.values())
        assert len(lengths) == 1, "arrays of different lengths: %s" % lengths
        self.dataflow = dataflow
        self.placeholders = None

    @property
    def steps_per_epoch(self):
        return len(self.dataflow)

    def tensors(self):
        """{name: placeholder [None, ...]} of the arrays' dtypes and shapes."""
        self.placeholders = collections.OrderedDict(
            (name, tf.placeholder(tf.as_dtype(a.dtype), [None] + list(a.shape[1:]), name=name))
            for name, a in self.arrays.items())
        return self.placeholders

    def feed(self, rows=None):
        return {self.placeholders[name]: (a if rows is None else a[rows]) for name, a in self.arrays.items()}

    def epoch(self, skip=0):
        for i, (rows,) in enumerate(self.dataflow):
            if i >= skip:
                yield self.feed(np.asarray(rows).reshape(-1))

    def _rng(self):
        df = self.dataflow
        while not hasattr(df, "rng"):
            df = df.ds
        return df.rng

    def rng_state(self):
        return rng_to_json(self._rng().get_state())

    def set_rng_state(self, state):
        self._rng().set_state(rng_from_json(state))


def run_rows(sess, fetch, feeds):
    """``fetch`` over all rows of ``feeds`` ({tensor: array}), in chunks of
    the static batch size of the first fed tensor (GraphInput's x has one),
    the last chunk padded and its padding dropped."""
    first = next(iter(feeds))
    n = len(feeds[first])
    size = (first.shape[0].value if first.shape.ndims else None) or n
    parts = []
    for start in range(0, n, size):
        feed = {}
        for tensor, array in feeds.items():
            chunk = array[start:start + size]
            if len(chunk) < size:
                chunk = np.concatenate([chunk, np.zeros((size - len(chunk),) + chunk.shape[1:], chunk.dtype)])
            feed[tensor] = chunk
        parts.append(sess.run(fetch, feed)[:min(size, n - start)])
    return np.concatenate(parts)


class EpochLine(Hook):
    """Prints ``line(record, loop)`` after every ``every``-th epoch: the
    original's own line (each script knows its format)."""

    def __init__(self, line, every=1, stream=None):
        self.line, self.every, self.stream = line, every, stream or sys.stdout

    def after_epoch(self, record):
        if record.epoch % self.every == 0:
            self.stream.write(self.line(record, self.loop) + "\n")
            self.stream.flush()


class EpochCheckpointer(Checkpointer):
    """A checkpoint every ``every_epochs`` epochs and after the last one:
    the full-batch scripts run hundreds of one-step epochs, and a save per
    step would take longer than the training."""

    def __init__(self, run_dir, epochs, every_epochs, **kwargs):
        super(EpochCheckpointer, self).__init__(run_dir, **kwargs)
        self.epochs, self.every_epochs = epochs, every_epochs

    def after_epoch(self, record):
        if record.epoch % self.every_epochs == 0 or record.epoch >= self.epochs:
            self.save()


def check_start(config, experiment):
    """--output, --init_from and --resume checked before any work."""
    out = results.output_path(config.output, experiment)
    if config.init_from and config.resume:
        raise UsageError("--init_from and --resume both load weights; pass one of them")
    init_from = checkpoints.resolve(config.init_from, "--init_from") if config.init_from else None
    return out, init_from


def run_loop(experiment, config, inputs, build, epochs, keep_prob=1.0, lines=(), hooks=(), finish=None,
             checkpoint_every_epochs=1, seed_graph=True):
    """Build ``build() -> TrainGraph`` (after the graph is reset and seeded),
    train ``epochs`` epochs on ``inputs``, then ``finish(sess, net, loop, run_dir)``
    (``loop``: the LoopState, its ``history`` the EpochRecords) returns the
    metrics to record. ``lines``: EpochLine hooks (the printed lines);
    ``hooks``: further hooks (sample grids), or ``hooks(net)`` making them
    from the built graph; each gets ``run_dir``. Returns the results record."""
    out, init_from = check_start(config, experiment)
    run_dir, resume_from = runs.prepare(experiment, config)
    tf.reset_default_graph()
    if seed_graph:
        tf.set_random_seed(config.seed)
    net = build()
    if callable(hooks):
        hooks = hooks(net)
    board = TensorBoard(run_dir)
    checkpointer = EpochCheckpointer(run_dir, epochs, checkpoint_every_epochs, every_steps=config.save_every_steps,
                                     before_save=[board.flush])
    all_hooks = [ProgressBar()] + list(lines) + [board, checkpointer] + list(hooks) + [StopOnSignal()]
    for hook in hooks:
        hook.run_dir = run_dir
    report = dict(experiment=experiment, out=out, run_dir=run_dir, config=config, inputs=inputs,
                  resumed_from=resume_from, init_from=init_from)
    start = time.time()
    with tf.Session(config=session_config(config.intra_op_threads, config.inter_op_threads)) as sess:
        sess.run(tf.global_variables_initializer())
        state = checkpoints.start(sess, checkpointer.checkpoints.saver, resume_from, init_from, net.model_variables)
        report["loop"] = loop = LoopState.from_json(state) if state else LoopState()
        train_recording(sess, net, inputs, epochs, keep_prob, all_hooks, loop, checkpointer,
                        lambda status, wall, **extra: write(report, status, wall, **extra), start)
        train_seconds = time.time() - start
        metrics = finish(sess, net, loop, run_dir) if finish else {}
    return write(report, "ok", time.time() - start, train_seconds=train_seconds, **metrics)


def write(report, status, wall, **extra):
    """The results JSON, in --output and in the run folder."""
    loop = report["loop"]
    metrics = {
        "steps_per_epoch": report["inputs"].steps_per_epoch,
        "global_step": loop.step,
        "epoch_avg_cost": [r.avg_cost for r in loop.history],
        "epoch_phase_costs": [r.phase_costs for r in loop.history] if loop.history and
        loop.history[0].phase_costs else None,
        "seconds_per_epoch": [r.seconds for r in loop.history],
    }
    return write_run_record(report, status, metrics, wall, **extra)
