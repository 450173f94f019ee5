"""Turns a model builder into the training graph every experiment shares.

A model is a function ``logits = model(x, keep_prob, training)``; this module
adds what golbin's scripts wrote around it: the cost
``reduce_mean(softmax_cross_entropy_with_logits)``, the optimizer step, and
accuracy. Tensors are named (``cost``, ``accuracy``, ``keep_prob``,
``is_training``) so that hooks and evaluation find them by name.
"""
import collections

from legacy.optim import make_optimizer
from legacy.tf import tf

TrainGraph = collections.namedtuple(
    "TrainGraph", ["x", "y", "keep_prob", "training", "logits", "cost", "accuracy", "correct", "train_op",
                   "global_step"])


def build_classifier(model_fn, x, y, optimizer, learning_rate):
    """Wire ``model_fn`` between inputs ``x``, one-hot ``y`` and an optimizer."""
    # Defaults make plain evaluation the no-feed case: dropout off, BN in
    # inference mode. Training feeds both explicitly.
    keep_prob = tf.placeholder_with_default(1.0, shape=[], name="keep_prob")
    training = tf.placeholder_with_default(False, shape=[], name="is_training")
    logits = model_fn(x, keep_prob, training)
    with tf.name_scope("cost"):
        cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=y), name="cost")
    with tf.name_scope("accuracy"):
        correct = tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1), name="correct")
        accuracy = tf.reduce_mean(tf.cast(correct, tf.float32), name="accuracy")
    with tf.name_scope("optimizer"):
        global_step = tf.Variable(0, trainable=False, name="global_step", dtype=tf.int64)
        # Batch norm's moving averages must move on every training step.
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            train_op = make_optimizer(optimizer, learning_rate).minimize(cost, global_step=global_step)
    return TrainGraph(x, y, keep_prob, training, logits, cost, accuracy, correct, train_op, global_step)
