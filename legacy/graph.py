"""Turns a model builder into the training graph every experiment shares.

A model is a function ``logits = model(x)``; this module adds what golbin's
scripts wrote around it: the cost
``reduce_mean(softmax_cross_entropy_with_logits)``, the optimizer step, and
accuracy. Tensors are named (``cost``, ``accuracy``) so that hooks and
evaluation find them by name. Dropout and batch norm read the graph's mode
inputs (``keep_prob``, ``is_training``: legacy/models/layers.py
``mode_inputs``), which the training loop feeds.
"""
import collections

from legacy.models.layers import mode_inputs
from legacy.optim import make_optimizer
from legacy.tf import tf

# The tensors of one model wired for training; ``model_variables`` are the
# model's own (not the optimizer's slots), which --init_from restores.
# ``phases``: for models trained by several optimizer steps per batch (a GAN's
# D step, then its G step), a sequence of Phase; None is the one phase
# (train_op, cost).
TrainGraph = collections.namedtuple(
    "TrainGraph", ["x", "y", "logits", "cost", "accuracy", "correct", "train_op",
                   "global_step", "model_variables", "phases"], defaults=(None,))
# One optimizer step of a training step: ``train_op`` runs with ``cost`` fetched;
# ``name`` labels the cost in hooks and records ("d_loss", "g_loss").
Phase = collections.namedtuple("Phase", ["name", "train_op", "cost"])


def phases_of(net):
    """The optimizer steps of one training step of ``net``, in order."""
    return tuple(net.phases) if net.phases else (Phase("cost", net.train_op, net.cost),)


def minimize(cost, optimizer, learning_rate, adam=None, wrap_optimizer=None):
    """The optimizer step, after batch norm's moving-average updates.
    ``adam``: Adam's constants (legacy/optim.py make_optimizer), None for TF1's defaults.
    ``wrap_optimizer``: a function of the optimizer that returns the one to
    minimise with (an engine's, legacy/engine.py: e.g. Horovod's
    ``DistributedOptimizer``, which averages the gradients over the ranks)."""
    with tf.name_scope("optimizer"):
        global_step = tf.Variable(0, trainable=False, name="global_step", dtype=tf.int64)
        opt = make_optimizer(optimizer, learning_rate, adam)
        if wrap_optimizer is not None:
            opt = wrap_optimizer(opt)
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            train_op = opt.minimize(cost, global_step=global_step)
    return train_op, global_step


def build_classifier(model_fn, x, y, optimizer, learning_rate, loss="xent", adam=None, wrap_optimizer=None):
    """Wire ``model_fn`` between inputs ``x``, one-hot ``y`` and an optimizer.

    ``loss="xent"`` is the study's ``softmax_cross_entropy_with_logits``;
    ``loss="mse"`` is the squared error of the softmax outputs, the cost
    function that the study's "cost function and learning rate" goal
    compares it with. ``adam``: Adam's constants ({adam_epsilon: ...},
    legacy/optim.py), None for TF1's defaults. ``wrap_optimizer``: see ``minimize``.
    """
    mode_inputs()  # made here, before the model, so every graph has them
    logits, cost, correct, accuracy, model_variables = classifier_tensors(model_fn, x, y, loss)
    train_op, global_step = minimize(cost, optimizer, learning_rate, adam, wrap_optimizer)
    return TrainGraph(x, y, logits, cost, accuracy, correct, train_op, global_step, model_variables)


def classifier_tensors(model_fn, x, y, loss="xent"):
    """The model and its named ``cost`` and ``accuracy``, without an optimizer
    (a tensorpack ModelDesc's build_graph, legacy/tensorpack_trainer/trainer.py,
    calls this and lets tensorpack's trainer minimise the cost).

    A model may add weight decay terms to ``tf.GraphKeys.REGULARIZATION_LOSSES``
    (tensorpack's mnist-convnet does, on its dense layers); the terms added by
    this call are part of the cost. The study's models add none.
    """
    before = len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES))
    logits = model_fn(x)
    model_variables = tf.global_variables()
    decay = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)[before:]
    with tf.name_scope("cost"):
        if loss == "xent":
            per_example = tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=y)
        elif loss == "mse":
            per_example = tf.reduce_sum(tf.square(tf.nn.softmax(logits) - y), axis=1)
        else:
            raise ValueError("unknown loss %r (xent, mse)" % loss)
        if decay:
            data_cost = tf.reduce_mean(per_example, name="data_cost")
            cost = tf.add_n([data_cost] + decay, name="cost")
        else:
            cost = tf.reduce_mean(per_example, name="cost")
    with tf.name_scope("accuracy"):
        correct = tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1), name="correct")
        accuracy = tf.reduce_mean(tf.cast(correct, tf.float32), name="accuracy")
    return logits, cost, correct, accuracy, model_variables


def build_regression(x, y, cost, optimizer, learning_rate, output, accuracy=None, adam=None):
    """The same TrainGraph around a regression's own cost, so the regressions
    run through the one training loop too."""
    mode_inputs()
    model_variables = tf.global_variables()
    train_op, global_step = minimize(cost, optimizer, learning_rate, adam)
    return TrainGraph(x, y, output, cost, accuracy, None, train_op, global_step, model_variables)
