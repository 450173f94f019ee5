"""Hooks for the shared loop (legacy/train.py): TensorBoard, checkpoints and
signals, as tensorpack hangs them on its trainer as callbacks."""
import signal
import threading

from legacy.checkpoints import SLOT_SUFFIXES, RunCheckpoints
from legacy.errors import SignalStop
from legacy.tf import tf
from legacy.train import TEST_SALT, Hook, evaluate


class Checkpointer(Hook):
    """A checkpoint at the end of every epoch, every ``every_steps`` steps
    (0: never mid-epoch) and when a signal stops the loop."""

    def __init__(self, run_dir, every_steps=0, keep=3, var_list=None, before_save=()):
        self.every_steps = every_steps
        self.before_save = list(before_save)  # e.g. TensorBoard.flush: events reach the checkpoint's step
        self.checkpoints = RunCheckpoints(run_dir, keep=keep, var_list=var_list)
        self.sess = None
        self.saved_step = None
        self.last = None  # the newest prefix written by this hook

    def begin(self, sess, graph):
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

    def begin(self, sess, graph):
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


class TensorBoard(Hook):
    """TF1 event files in ``logdir``, for ``tensorboard --logdir runs``.

    Per step: ``cost``, and ``learning_rate`` when the graph has a tensor of
    that name that is not a constant (a schedule). Per epoch (at its last
    global step): ``epoch/avg_cost``, ``epoch/validation_accuracy``,
    ``epoch/test_accuracy`` and, with ``histograms``, ``histograms/<variable>`` of
    every model variable
    (weights, BN statistics; not the optimizer's slots).
    The graph is written once, by the run that starts at step 0; a resumed
    run writes a SessionLog START at its first new step, so that TensorBoard drops the
    events that the killed run logged after its last checkpoint.
    """

    def __init__(self, logdir, test=None, eval_keep_prob=1.0, histograms=False):
        self.logdir, self.test, self.eval_keep_prob = logdir, test, eval_keep_prob
        self.histograms = histograms
        self.writer = self.hist_op = self.lr = None
        self.sess = self.graph = None
        self.test_accuracy = []

    def begin(self, sess, graph):
        self.sess, self.graph = sess, graph
        g = graph.cost.graph
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

    def _scalars(self, step, **values):
        summary = tf.Summary(value=[tf.Summary.Value(tag=tag.replace("__", "/"), simple_value=float(v))
                                    for tag, v in values.items() if v is not None])
        self.writer.add_summary(summary, step)

    def after_step(self, step, cost):
        values = {"cost": cost}
        if self.lr is not None:
            values["learning_rate"] = self.sess.run(self.lr)
        self._scalars(step, **values)

    def after_epoch(self, record):
        step = self.loop.step
        test_acc = None
        if self.test is not None:
            test_acc = evaluate(self.sess, self.graph, self.test, self.eval_keep_prob,
                                dropout_seed=(step, TEST_SALT))
            self.test_accuracy.append(test_acc)
        self._scalars(step, epoch__avg_cost=record.avg_cost, epoch__validation_accuracy=record.validation_accuracy,
                      epoch__test_accuracy=test_acc)
        if self.hist_op is not None:
            self.writer.add_summary(self.sess.run(self.hist_op), step)
        self.writer.flush()

    def flush(self):
        """Events up to now onto disk, so that a kill loses none before the
        checkpoint that a resume starts from."""
        if self.writer is not None:
            self.writer.flush()

    def close(self):
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def _schedule(graph):
    """The tensor named ``learning_rate`` (any scope), unless it is a constant."""
    for op in graph.get_operations():
        if op.name.split("/")[-1] == "learning_rate" and op.type not in ("Const", "Placeholder") and op.outputs \
                and op.outputs[0].shape.ndims == 0:
            return op.outputs[0]
    return None
