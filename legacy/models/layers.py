"""The few layer ops the study uses, written with plain tf.Variable / tf.nn.

golbin's tutorials spell every layer out as ``tf.Variable`` + ``tf.matmul``;
these helpers keep that math visible while removing the repetition. No
``tf.layers``, Keras or ``tf.contrib``: the same code must build under TF 2's
``tf.compat.v1``.
"""
import collections
import contextlib
import math

from legacy.tf import tf


def op_seed(graph=None):
    """The next explicit op-level seed of ``graph``: 1, 2, 3, ... in build order.

    Without one, a random op's seed is derived from the ops built before it,
    and TF 1.15 and TF 2 count those differently (and build dropout and other
    ops from different numbers of ops), so the same code would start from other
    weights on each version. With ``tf.set_random_seed(s)`` and an explicit op
    seed, both versions seed the op with exactly ``(s, op_seed)``.
    """
    graph = graph or tf.get_default_graph()
    graph.add_to_collection("op_seeds", None)
    return len(graph.get_collection("op_seeds"))


def glorot_limit(shape):
    """Bound of Glorot-uniform, computed as TF1's ``glorot_uniform_initializer``
    (VarianceScaling, fan_avg) does, so that the same seed draws the same bits."""
    fan_in, fan_out = shape[-2], shape[-1]
    for size in shape[:-2]:  # convolution kernels: the receptive field
        fan_in, fan_out = fan_in * size, fan_out * size
    scale = 1.0 / max(1., (fan_in + fan_out) / 2.)
    return math.sqrt(3.0 * scale)


def weight(shape, init="normal", stddev=0.01, name="W"):
    """The study's initialisers: N(0, 0.01) for MNIST, Uniform(-1, 1) for the toy
    nets; "glorot" is ``tf.layers.dense``'s default (hunkim's BN lab)."""
    if init == "normal":
        initial = tf.random_normal(shape, stddev=stddev, seed=op_seed())
    elif init == "uniform":
        initial = tf.random_uniform(shape, -1.0, 1.0, seed=op_seed())
    elif init == "glorot":
        limit = glorot_limit(shape)
        initial = tf.random_uniform(shape, -limit, limit, seed=op_seed())
    else:
        raise ValueError("unknown init %r (normal, uniform, glorot)" % init)
    return tf.Variable(initial, name=name)


def dense(x, units, init="normal", stddev=0.01, use_bias=False):
    """x·W (+ b). The MNIST networks of the study have no biases anywhere."""
    w = weight([int(x.shape[-1]), units], init, stddev)
    y = tf.matmul(x, w)
    if use_bias:
        y = y + tf.Variable(tf.zeros([units]), name="b")
    return y


DROPOUT_SEED = "dropout_seed"


def dropout_seed(graph=None):
    """The int64 ``[2]`` tensor every dropout mask of ``graph`` is drawn from.

    TF's stateful random ops restart their sequence in a new process, so a run
    resumed from a checkpoint would draw other masks than the run it continues.
    The masks therefore come from stateless random ops keyed by this tensor,
    which the training loop feeds with ``[global step, 0]`` (and evaluation
    with its own values): step N draws the same masks in any process. Unfed,
    it is ``[0, 0]``.
    """
    graph = graph or tf.get_default_graph()
    found = graph.get_collection(DROPOUT_SEED)
    if found:
        return found[0]
    with graph.as_default(), graph.name_scope(""):  # top level, not inside layer1/
        seed = tf.placeholder_with_default(tf.constant([0, 0], tf.int64), [2], name=DROPOUT_SEED)
    graph.add_to_collection(DROPOUT_SEED, seed)
    return seed


def find_dropout_seed(graph=None):
    """``dropout_seed`` if the graph has dropout, else None (nothing to feed)."""
    found = (graph or tf.get_default_graph()).get_collection(DROPOUT_SEED)
    return found[0] if found else None


# The graph's mode inputs: what the training loop feeds (legacy/train.py) and
# what dropout() and batch_norm() read. Each lives in a collection of its own
# (tensors, so that meta graphs can save them); the newest entry is current.
ModeInputs = collections.namedtuple("ModeInputs", ["keep_prob", "training"])
KEEP_PROB, TRAINING = "mode_keep_prob", "mode_is_training"


def mode_inputs(graph=None):
    """The ``keep_prob`` and ``is_training`` placeholders of ``graph``, made on
    first use at the top level. Their defaults make plain evaluation the
    no-feed case: dropout off, batch norm in inference mode; the training loop
    feeds both (``--keep_prob``, True). Inside ``use_mode`` the tensors given
    there are returned instead."""
    graph = graph or tf.get_default_graph()
    if not graph.get_collection(KEEP_PROB):
        with graph.as_default(), graph.name_scope(""):
            graph.add_to_collection(KEEP_PROB, tf.placeholder_with_default(1.0, shape=[], name="keep_prob"))
            graph.add_to_collection(TRAINING, tf.placeholder_with_default(False, shape=[], name="is_training"))
    return ModeInputs(graph.get_collection(KEEP_PROB)[-1], graph.get_collection(TRAINING)[-1])


@contextlib.contextmanager
def use_mode(keep_prob, training):
    """Models built inside read these tensors as their mode inputs (a
    tensorpack tower's constants, legacy/tensorpack_trainer/trainer.py)."""
    graph = tf.get_default_graph()
    pushed = ((graph.get_collection_ref(KEEP_PROB), keep_prob), (graph.get_collection_ref(TRAINING), training))
    for stack, tensor in pushed:
        stack.append(tensor)
    try:
        yield
    finally:
        for stack, _ in pushed:
            stack.pop()


def dropout(x, keep_prob=None):
    """Dropout with the study's keep probability: the graph's ``keep_prob``
    input (``mode_inputs``) unless a tensor is given, so that the same graph
    trains with 0.8 and evaluates with 1.0, or 0.8 as the original.

    The arithmetic is ``tf.nn.dropout``'s: keep where ``floor(keep_prob + U)``
    is 1, scale by ``1 / keep_prob``; at keep_prob 1 the output is ``x``
    exactly. Only the source of ``U`` differs: ``tf.random.stateless_uniform``
    keyed by ``dropout_seed()``, the graph seed (``tf.set_random_seed``) and
    this layer's index, so masks differ between layers, steps and seeds and
    repeat after a resume.
    """
    graph = tf.get_default_graph()
    seed = dropout_seed(graph)
    index = len(graph.get_collection("dropout_layers"))
    graph.add_to_collection("dropout_layers", x)
    salt = ((graph.seed or 0) % 2 ** 20) * 2 ** 10 + index  # < 2**30
    if keep_prob is None:
        keep_prob = mode_inputs(graph).keep_prob
    with tf.name_scope("dropout"):
        keep_prob = tf.convert_to_tensor(keep_prob, dtype=x.dtype, name="keep_prob")
        key = tf.stack([seed[0], seed[1] * 2 ** 30 + salt], name="mask_seed")
        uniform = tf.random.stateless_uniform(tf.shape(x), seed=key, dtype=x.dtype)
        keep = tf.floor(keep_prob + uniform)
        return tf.div(x, keep_prob) * keep


def batch_norm(x, decay=0.9, epsilon=1e-3):
    """Batch normalization as hunkim's BN lab places it: after the matmul,
    before the ReLU.

    In training the batch's own mean and variance normalise, and two update
    ops (collected in ``tf.GraphKeys.UPDATE_OPS``, which the optimizer step
    depends on) move the running averages; at inference the running averages
    are used: the graph's ``is_training`` input (``mode_inputs``) chooses.

    ``decay`` 0.9 (PyTorch's default momentum) rather than Keras's 0.99: the
    averages then settle within about 50 steps, so short runs and tests also
    evaluate with the right statistics; over 550 steps per epoch both agree.
    """
    size = int(x.shape[-1])
    beta = tf.Variable(tf.zeros([size]), name="beta")
    gamma = tf.Variable(tf.ones([size]), name="gamma")
    moving_mean = tf.Variable(tf.zeros([size]), trainable=False, name="moving_mean")
    moving_variance = tf.Variable(tf.ones([size]), trainable=False, name="moving_variance")
    batch_mean, batch_variance = tf.nn.moments(x, axes=list(range(len(x.shape) - 1)))
    for var, value in ((moving_mean, batch_mean), (moving_variance, batch_variance)):
        update = tf.assign_sub(var, (var - value) * (1.0 - decay))
        tf.add_to_collection(tf.GraphKeys.UPDATE_OPS, update)
    mean, variance = tf.cond(mode_inputs().training,
                             lambda: (batch_mean, batch_variance),
                             lambda: (tf.identity(moving_mean), tf.identity(moving_variance)))
    return tf.nn.batch_normalization(x, mean, variance, beta, gamma, epsilon)
