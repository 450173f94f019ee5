"""tensorpack's own MNIST anchor, ``examples/basics/mnist-convnet.py``, in tf.nn.

Its docstring says "about 0.6% validation error after 30 epochs" (its
"validation" set is the 10,000 test images). The network::

    [N, 28, 28, 1] * 2 - 1               (pixels centred at zero)
    conv0 3x3x32 SAME ReLU, max-pool 2   -> 14x14x32
    conv1 3x3x32, conv2 3x3x32, pool 2   ->  7x7x32
    conv3 3x3x32                         ->  7x7x32
    fc0 1568 -> 512 ReLU, dropout 0.5, fc1 512 -> 10 logits

tensorpack's layer defaults, written out: every conv and dense layer has a
bias (zeros), weights ~ N(0, 2 / fan_in) (``VarianceScaling(2.0,
'untruncated_normal')``), SAME padding. Weight decay 1e-5 * l2_loss of the
two dense layers' weights goes into ``REGULARIZATION_LOSSES``, which
legacy/graph.py adds to the cost. The training schedule (Adam 1e-3 times
0.3 every 4,680 steps, batch 128) is the registry entry's
(legacy/models/registry.py).
"""
import math

from legacy.models import layers
from legacy.tf import tf

WEIGHT_DECAY = 1e-5


def _he_weight(shape, fan_in, name="W"):
    initial = tf.random_normal(shape, stddev=math.sqrt(2.0 / fan_in), seed=layers.op_seed())
    return tf.Variable(initial, name=name)


def _conv(x, name, channels=32):
    in_channels = int(x.shape[-1])
    with tf.name_scope(name):
        w = _he_weight([3, 3, in_channels, channels], 9 * in_channels)
        b = tf.Variable(tf.zeros([channels]), name="b")
        return tf.nn.relu(tf.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding="SAME") + b)


def _fc(x, name, units, decay=True):
    fan_in = int(x.shape[-1])
    with tf.name_scope(name):
        w = _he_weight([fan_in, units], fan_in)
        b = tf.Variable(tf.zeros([units]), name="b")
        if decay:
            tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES,
                                 tf.multiply(WEIGHT_DECAY, tf.nn.l2_loss(w), name="weight_decay"))
        return tf.matmul(x, w) + b


def _pool(x):
    return tf.nn.max_pool(x, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID")


def tensorpack_convnet(x):
    """Logits of mnist-convnet.py's network; ``x`` is [N, 784] in [0, 1]."""
    h = tf.reshape(x, [-1, 28, 28, 1]) * 2 - 1
    h = _pool(_conv(h, "conv0"))
    h = _pool(_conv(_conv(h, "conv1"), "conv2"))
    h = _conv(h, "conv3")
    h = tf.reshape(h, [-1, 7 * 7 * 32])
    h = layers.dropout(tf.nn.relu(_fc(h, "fc0", 512)))
    with tf.name_scope("output"):
        return tf.identity(_fc(h, "fc1", 10), name="logits")
