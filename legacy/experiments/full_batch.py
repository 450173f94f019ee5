"""The study's small full-batch experiments, through the same training loop.

golbin's toy scripts run ``for step in range(100)`` over the whole table at
once. Here that is ``train()`` with one batch per "epoch", fed from a
tensorpack dataflow over the table, with a hook that prints what the
original printed.
"""
import sys

from legacy.inputs import FeedInput
from legacy.tf import tf
from legacy.train import Hook, session_config, train


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

    def begin(self, sess, graph):
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


def run_full_batch(fv, build, features, targets, steps, hooks, report):
    """Build ``build(x, y) -> TrainGraph``, train ``steps`` full-batch steps.

    Returns (history, report(sess, graph, feed)), where ``feed`` is the
    whole table and ``report`` reads whatever the experiment prints at the end.
    """
    tf.reset_default_graph()
    tf.set_random_seed(fv["seed"])
    inputs = full_batch_input(features, targets)
    x, y = inputs.tensors(num_classes=targets.shape[1])
    graph = build(x, y)
    feed = {x: features, y: targets}
    for hook in hooks:
        if isinstance(hook, StepPrinter) and hook.feed is None:
            hook.feed = feed
    config = session_config(fv["intra_op_threads"], fv["inter_op_threads"])
    with tf.Session(config=config) as sess:
        sess.run(tf.global_variables_initializer())
        initial = report(sess, graph, feed, initial=True)
        history = train(sess, graph, inputs, steps, keep_prob=1.0, hooks=hooks)
        final = report(sess, graph, feed, initial=False)
    return history, initial, final
