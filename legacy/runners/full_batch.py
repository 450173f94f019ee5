"""The study's small full-batch experiments, through the same training loop.

golbin's toy scripts run ``for step in range(100)`` over the whole table at
once. Here that is ``train()`` with one batch per "epoch", fed from a
tensorpack dataflow over the table, with a hook that prints what the
original printed.
"""
from tensorpack.dataflow import BatchData

from legacy.data.mnist import ArraySplit
from legacy.hooks import StepPrinter
from legacy.inputs import FeedInput
from legacy.tf import tf
from legacy.train import session_config, train


def full_batch_input(features, targets):
    """The whole table as one batch per step, in file order (no shuffling)."""
    flow = BatchData(ArraySplit(features, targets, shuffle=False), len(features), remainder=True)
    return FeedInput(flow, features.shape[1:])


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
