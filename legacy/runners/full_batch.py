"""The study's small full-batch experiments, through the same training loop.

golbin's toy scripts run ``for step in range(100)`` over the whole table at
once. Here that is ``train()`` with one batch per "epoch", the table's
arrays fed as they are, with a hook that prints what the original printed.

``recording`` gives such a script the MNIST runs' interrupt record: a
SIGINT or SIGTERM once its ``--output`` is checked (reading the CSV,
building the graph, training, reporting) writes the results JSON with
status "interrupted", the steps done and their costs, then exits 130 / 143
(legacy/cli.py). The first signal during training lets the current step
finish; a second one stops at once. There are no checkpoints.
"""
import contextlib

from legacy import run_config, results
from legacy.errors import Interrupted, interrupt_behind, signal_of
from legacy.hooks import StepPrinter, StopOnSignal, signals_ignored
from legacy.inputs import FeedInput
from legacy.tf import tf
from legacy.train import LoopState, session_config, train


class WholeTable(FeedInput):
    """The whole table as the one batch of every step, in file order.

    The arrays are handed to the feed as they are, once built: re-batching
    the rows through a dataflow each step cost about 3 s per step for a
    1,000,000-row CSV (each row a Python object, stacked again every step).
    The batch is the same array, so the numbers are the same as before.
    """

    def __init__(self, features, targets):
        super(WholeTable, self).__init__(None, features.shape[1:])
        self.features, self.targets = features, targets

    @property
    def steps_per_epoch(self):
        return 1

    def epoch(self, skip=0):
        if skip == 0:
            yield {self.x: self.features, self.y: self.targets}

    def rng_state(self):
        return None  # no shuffling, nothing to restore

    def set_rng_state(self, state):
        pass


def full_batch_input(features, targets):
    """The whole table as one batch per step, in file order (no shuffling)."""
    return WholeTable(features, targets)


class Run(object):
    """Where a full-batch script is (``during``, the loop's ``loop``) and its
    results JSON (``write``); made by ``recording``."""

    def __init__(self, out, experiment, config):
        self.out, self.experiment, self.config = out, experiment, config
        self.loop = LoopState()
        self.during = "reading the data"

    def write(self, metrics):
        """The finished run's record (status "ok"), never cut in half by a signal."""
        self.during = "writing the results"
        with signals_ignored():
            return results.write_results(self.out, self.experiment, run_config.record(self.config), metrics)


@contextlib.contextmanager
def recording(out, experiment, config):
    """``with recording(out, EXPERIMENT, config) as run:`` around all of a
    full-batch script's work after ``out`` is checked; ``run`` goes to
    ``run_full_batch`` and ``run.write`` writes the record."""
    run = Run(out, experiment, config)
    try:
        yield run
    except (Interrupted, KeyboardInterrupt, SystemError) as err:
        interrupt = err if isinstance(err, Interrupted) else interrupt_behind(err)
        if interrupt is None:
            raise
        with signals_ignored():
            loop = run.loop
            stop = Interrupted(signal_of(interrupt), loop.step, None)
            stop.during, stop.output = run.during, out
            stop.record = results.write_results(out, experiment, run_config.record(config), {
                "global_step": loop.step, "step_cost": [r.avg_cost for r in loop.history], "checkpoint": None,
                "interrupted": {"signal": stop.signum, "step": loop.step, "during": run.during, "checkpoint": None},
            }, status="interrupted")
        raise stop


def run_recorded(experiment, config, train_and_report):
    """A full-batch script's run: check --output, then
    ``train_and_report(config, run)`` inside ``recording``."""
    out = results.output_path(config.output, experiment)
    with recording(out, experiment, config) as run:  # an interrupt from here on is recorded
        return train_and_report(config, run)


def run_full_batch(config, build, features, targets, steps, hooks, report, run=None):
    """Build ``build(x, y) -> TrainGraph``, train ``steps`` full-batch steps.

    Returns (history, report(sess, net, feed)), where ``feed`` is the
    whole table and ``report`` reads whatever the experiment prints at the end.
    With ``run`` (from ``recording``) signals stop the loop after its step
    and ``run`` follows what is being done.
    """
    run = run or Run(None, None, None)
    hooks = list(hooks) + [StopOnSignal()]
    run.during = "building the graph"
    tf.reset_default_graph()
    tf.set_random_seed(config.seed)
    inputs = full_batch_input(features, targets)
    x, y = inputs.tensors(num_classes=targets.shape[1])
    net = build(x, y)
    feed = {x: features, y: targets}
    for hook in hooks:
        if isinstance(hook, StepPrinter) and hook.feed is None:
            hook.feed = feed
    with tf.Session(config=session_config(config.intra_op_threads, config.inter_op_threads)) as sess:
        run.during = "initializing the variables"
        sess.run(tf.global_variables_initializer())
        initial = report(sess, net, feed, initial=True)
        run.during = "training"
        history = train(sess, net, inputs, steps, keep_prob=1.0, hooks=hooks, state=run.loop)
        run.during = "the final evaluation"
        final = report(sess, net, feed, initial=False)
    run.during = "reporting the results"
    return history, initial, final
