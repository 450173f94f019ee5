"""The few layer ops the study uses, written with plain tf.Variable / tf.nn.

golbin's tutorials spell every layer out as ``tf.Variable`` + ``tf.matmul``;
these helpers keep that math visible while removing the repetition. No
``tf.layers``, Keras or ``tf.contrib``: the same code must build under TF 2's
``tf.compat.v1``.
"""
from legacy.tf import tf


def weight(shape, init="normal", stddev=0.01, name="W"):
    """The study's initialisers: N(0, 0.01) for MNIST, Uniform(-1, 1) for the toy nets."""
    if init == "normal":
        initial = tf.random_normal(shape, stddev=stddev)
    elif init == "uniform":
        initial = tf.random_uniform(shape, -1.0, 1.0)
    else:
        raise ValueError("unknown init %r (normal, uniform)" % init)
    return tf.Variable(initial, name=name)


def dense(x, units, init="normal", stddev=0.01, use_bias=False):
    """x·W (+ b). The MNIST networks of the study have no biases anywhere."""
    w = weight([int(x.shape[-1]), units], init, stddev)
    y = tf.matmul(x, w)
    if use_bias:
        y = y + tf.Variable(tf.zeros([units]), name="b")
    return y


def dropout(x, keep_prob):
    """TF 1.15's ``tf.nn.dropout(x, rate=1 - keep_prob)``, spelled out op for op.

    ``keep_prob`` is a tensor, so that the same graph trains with 0.8 and
    evaluates with 1.0 (or 0.8, as the original did).

    Why not call ``tf.nn.dropout``: TF 2 builds it from fewer ops, and an
    unseeded random op's seed is the number of ops built before it (see
    legacy/tf.py), so every weight after the first dropout would start from
    other random numbers on TF 2. Written out, the graph has the same ops in
    the same order on both versions: on TF 1.15 it is exactly the graph
    ``tf.nn.dropout`` built (same seeds, same numbers), and TF 2 draws the same
    weights and masks.
    """
    rate = 1.0 - keep_prob
    with tf.name_scope("dropout"):
        shape = tf.shape(x)
        # Explicit bounds: TF 2's random_uniform omits these two ops for [0, 1).
        low = tf.constant(0.0, dtype=x.dtype, name="min")
        high = tf.constant(1.0, dtype=x.dtype, name="max")
        random_tensor = tf.random_uniform(shape, low, high, dtype=x.dtype)
        scale = 1 / (1 - rate)
        keep_mask = random_tensor >= rate
        return x * scale * tf.cast(keep_mask, x.dtype)


def batch_norm(x, training, decay=0.9, epsilon=1e-3):
    """Batch normalization as hunkim's BN lab places it: after the matmul,
    before the ReLU.

    In training the batch's own mean and variance normalise, and two update
    ops (collected in ``tf.GraphKeys.UPDATE_OPS``, which the optimizer step
    depends on) move the running averages; at inference the running averages
    are used. ``training`` is a boolean tensor.

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
    mean, variance = tf.cond(training,
                             lambda: (batch_mean, batch_variance),
                             lambda: (tf.identity(moving_mean), tf.identity(moving_variance)))
    return tf.nn.batch_normalization(x, mean, variance, beta, gamma, epsilon)
