"""Hooks for the shared loop (legacy/train.py), as tensorpack hangs
callbacks on its trainer: the printed lines, the progress bar, TensorBoard,
checkpoints and signals. The loop calls them; it knows none of them."""
import contextlib
import signal
import sys
import threading
import time

from legacy import checkpoints
from legacy.checkpoints import SLOT_SUFFIXES, RunCheckpoints
from legacy.errors import SignalStop
from legacy.tf import tf
from legacy.train import TEST_SALT, evaluate


class Hook(object):
    """Called by ``train`` around the loop; override what you need.

    ``self.loop`` is the loop's LoopState (epoch, step, history...), set
    before ``begin``.
    """

    loop = None

    def begin(self, sess, net):
        pass

    def before_epoch(self, epoch, steps):
        pass

    def after_step(self, step, cost):
        pass

    def after_epoch(self, record):
        pass

    def end(self, history):
        pass

    def interrupted(self, signum):
        """A signal stopped the loop after this step; save what must survive."""

    def close(self):
        """Always called last, also after an error: release what begin took."""


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
        self.close()

    def close(self):
        if self.bar is not None:
            self.bar.close()
            self.bar = None




class StepPrinter(Hook):
    """Prints ``step`` and the values of ``fetches`` every ``every`` steps.

    ``first`` shifts the printed step (golbin counts steps from 0 in some
    scripts, from 1 in others). ``fetches`` run after the update, as in the
    originals' ``print(step, sess.run(cost, feed_dict))``; ``with_cost``
    prints the cost that the training step itself computed instead.
    """

    def __init__(self, every=1, fetches=(), feed=None, first=1, with_cost=False, fmt=None, stream=None):
        self.every, self.fetches, self.feed, self.first = every, list(fetches), feed, first
        self.with_cost, self.fmt = with_cost, fmt
        self.stream = stream or sys.stdout
        self.sess = None

    def begin(self, sess, net):
        self.sess = sess

    def after_step(self, step, cost):
        if step % self.every:
            return
        values = ([cost] if self.with_cost else []) + (self.sess.run(self.fetches, self.feed) if self.fetches else [])
        shown = step - 1 + self.first
        if self.fmt:
            self.stream.write(self.fmt(shown, *values) + "\n")
        else:
            self.stream.write(" ".join(str(v) for v in [shown] + values) + "\n")


class Checkpointer(Hook):
    """A checkpoint at the end of every epoch, every ``every_steps`` steps
    (0: never mid-epoch) and when a signal stops the loop."""

    def __init__(self, run_dir, every_steps=0, keep=checkpoints.KEEP, var_list=None, before_save=()):
        self.every_steps = every_steps
        self.before_save = list(before_save)  # e.g. TensorBoard.flush: events reach the checkpoint's step
        self.checkpoints = RunCheckpoints(run_dir, keep=keep, var_list=var_list)
        self.sess = None
        self.saved_step = None
        self.last = None  # the newest prefix written by this hook

    def begin(self, sess, net):
        self.sess = sess
        self.saved_step = self.loop.step  # a resumed run starts from a saved step

    def save(self):
        for flush in self.before_save:
            flush()
        self.last = self.checkpoints.save(self.sess, self.loop.step, self.loop.to_json())
        self.saved_step = self.loop.step

    def before_epoch(self, epoch, steps):
        self.steps_per_epoch = steps

    def after_step(self, step, cost):
        # The epoch's last step is saved by after_epoch, with its record.
        if self.every_steps and step % self.every_steps == 0 and self.loop.step_in_epoch < self.steps_per_epoch:
            self.save()

    def after_epoch(self, record):
        self.save()

    def interrupted(self, signum):
        if self.saved_step != self.loop.step:
            self.save()


class StopOnSignal(Hook):
    """SIGINT (Ctrl-C) and SIGTERM ask the loop to stop after the current
    step instead of killing it mid-step: the loop then checkpoints and raises
    Interrupted. A second signal stops at once (KeyboardInterrupt)."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self):
        self.previous = {}

    def begin(self, sess, net):
        if threading.current_thread() is not threading.main_thread():
            return  # Python only delivers signals to the main thread
        for signum in self.SIGNALS:
            self.previous[signum] = signal.signal(signum, self._handle)

    def _handle(self, signum, frame):
        if self.loop.stop_signal is not None:
            raise SignalStop(signum)  # run_mnist still records it, with the last complete checkpoint
        self.loop.stop_signal = signum

    def close(self):
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)
        self.previous = {}


@contextlib.contextmanager
def signals_ignored():
    """While an interrupted run's record is written, further Ctrl-Cs wait:
    the record is a few milliseconds of work and must not be cut in half."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, signal.SIG_IGN) for s in StopOnSignal.SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class TensorBoard(Hook):
    """TF1 event files in ``logdir``, for ``tensorboard --logdir runs``.

    Per step: ``cost``, and ``learning_rate`` when the graph has a tensor of
    that name that is not a constant (a schedule). Per epoch (at its last
    global step): ``epoch/avg_cost``, ``epoch/validation_accuracy``,
    ``epoch/test_accuracy`` and, with ``histograms``, ``histograms/<variable>`` of
    every model variable
    (weights, BN statistics; not the optimizer's slots).
    The per-step scalars go to the writer in batches of ``STEP_EVENTS_PER_WRITE``
    (each event keeps its own step and wall time), and before any other event,
    at every ``flush`` (each checkpoint) and at ``close``: one hand-off to the
    writer's thread per step cost the 4-layer MLP 7-11 % of its step on
    TF 1.15, in batches about 2 % (docs/speed.md).
    The graph is written once, by the run that starts at step 0; a resumed
    run writes a SessionLog START at its first new step, so that TensorBoard drops the
    events that the killed run logged after its last checkpoint.
    """

    STEP_EVENTS_PER_WRITE = 100

    def __init__(self, logdir, test=None, eval_keep_prob=1.0, histograms=False):
        self.logdir, self.test, self.eval_keep_prob = logdir, test, eval_keep_prob
        self.pending = []  # per-step events not yet handed to the writer
        self.histograms = histograms
        self.writer = self.hist_op = self.lr = None
        self.sess = self.net = None
        self.test_accuracy = []  # (step, accuracy) at the end of each epoch of this process

    def begin(self, sess, net):
        self.sess, self.net = sess, net
        g = net.cost.graph
        self.lr = _schedule(g)
        if self.histograms:
            # In their own scope: at the top level TF would rename the tags
            # layer1/W_1, as the variables' ops own the names layer1/W.
            with g.as_default(), tf.name_scope("histograms"):
                self.hist_op = tf.summary.merge(
                    [tf.summary.histogram(v.op.name, v) for v in tf.global_variables()
                     if v.dtype.base_dtype.is_floating and not v.op.name.startswith("optimizer/")
                     and not v.op.name.endswith(SLOT_SUFFIXES)])
        if self.loop.step == 0:
            self.writer = tf.summary.FileWriter(self.logdir, graph=g)
        else:
            self.writer = tf.summary.FileWriter(self.logdir)
            # TensorBoard drops events at steps >= this one from earlier files.
            self.writer.add_session_log(tf.SessionLog(status=tf.SessionLog.START), self.loop.step + 1)

    @staticmethod
    def _summary(values):
        return tf.Summary(value=[tf.Summary.Value(tag=tag.replace("__", "/"), simple_value=float(v))
                                 for tag, v in values.items() if v is not None])

    def _scalars(self, step, **values):
        self._write_pending()
        self.writer.add_summary(self._summary(values), step)

    def _write_pending(self):
        for event in self.pending:
            self.writer.add_event(event)
        del self.pending[:]

    def after_step(self, step, cost):
        values = {"cost": cost}
        if self.lr is not None:
            values["learning_rate"] = self.sess.run(self.lr)
        # What add_summary would write: this step's wall time and number.
        self.pending.append(tf.Event(wall_time=time.time(), step=step, summary=self._summary(values)))
        if len(self.pending) >= self.STEP_EVENTS_PER_WRITE:
            self._write_pending()

    def after_epoch(self, record):
        step = self.loop.step
        test_acc = None
        if self.test is not None:
            test_acc = evaluate(self.sess, self.net, self.test, self.eval_keep_prob,
                                dropout_seed=(step, TEST_SALT))
            self.test_accuracy.append((step, test_acc))
        self._scalars(step, epoch__avg_cost=record.avg_cost, epoch__validation_accuracy=record.validation_accuracy,
                      epoch__test_accuracy=test_acc)
        if self.hist_op is not None:
            self.writer.add_summary(self.sess.run(self.hist_op), step)
        self.flush()

    def test_accuracy_at(self, step):
        """The test accuracy measured at ``step``, or None if none was."""
        return dict(self.test_accuracy).get(step)

    def flush(self):
        """Events up to now onto disk, so that a kill loses none before the
        checkpoint that a resume starts from."""
        if self.writer is not None:
            self._write_pending()
            self.writer.flush()

    def close(self):
        if self.writer is not None:
            self._write_pending()
            self.writer.close()
            self.writer = None


def _schedule(graph):
    """The tensor named ``learning_rate`` (any scope), unless it is a constant."""
    for op in graph.get_operations():
        if op.name.split("/")[-1] == "learning_rate" and op.type not in ("Const", "Placeholder") and op.outputs \
                and op.outputs[0].shape.ndims == 0:
            return op.outputs[0]
    return None
