"""The study's small full-batch experiments, through the same training loop.

golbin's toy scripts run ``for step in range(100)`` over the whole table at
once. Here that is ``train()`` with one batch per "epoch", the table's
arrays fed as they are, with a hook that prints what the original printed.
"""
from legacy.hooks import StepPrinter
from legacy.inputs import FeedInput
from legacy.tf import tf
from legacy.train import session_config, train


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


def run_full_batch(config, build, features, targets, steps, hooks, report):
    """Build ``build(x, y) -> TrainGraph``, train ``steps`` full-batch steps.

    Returns (history, report(sess, net, feed)), where ``feed`` is the
    whole table and ``report`` reads whatever the experiment prints at the end.
    """
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
        sess.run(tf.global_variables_initializer())
        initial = report(sess, net, feed, initial=True)
        history = train(sess, net, inputs, steps, keep_prob=1.0, hooks=hooks)
        final = report(sess, net, feed, initial=False)
    return history, initial, final
