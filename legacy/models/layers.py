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
    """tf.nn.dropout with the study's keep probability (a tensor, so that the
    same graph trains with 0.8 and evaluates with 1.0, or 0.8 as the original)."""
    return tf.nn.dropout(x, rate=1.0 - keep_prob)


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
