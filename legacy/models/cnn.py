"""The study's MNIST convolutional networks (golbin 07, and the study's own).

golbin's CNN, which the study ran first::

    [N, 28, 28, 1] -> conv 3x3x32 SAME, ReLU, max-pool 2x2/2  -> 14x14x32
                   -> conv 3x3x64 SAME, ReLU, max-pool 2x2/2  ->  7x7x64
                   -> flatten 3136 -> 256 ReLU -> dropout -> 10 logits

``variant="swu"`` is the network of the study's Adam-vs-RMSProp comparison:
dropout also after each pooling layer, and a second dense layer
256 -> 256 ReLU + dropout before the logits. Weights N(0, 0.01), no biases.
"""
from legacy.models import layers
from legacy.tf import tf

VARIANTS = ("golbin", "swu")


def _conv_block(x, in_channels, out_channels, dropout_after_pool):
    w = layers.weight([3, 3, in_channels, out_channels])
    h = tf.nn.relu(tf.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding="SAME"))
    h = tf.nn.max_pool(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
    if dropout_after_pool:
        h = layers.dropout(h)
    return h


def cnn(x, variant="golbin"):
    """Logits of the golbin or swu CNN; ``x`` is [N, 784] and reshaped here."""
    if variant not in VARIANTS:
        raise ValueError("unknown CNN variant %r (%s)" % (variant, ", ".join(VARIANTS)))
    swu = variant == "swu"
    h = tf.reshape(x, [-1, 28, 28, 1])
    with tf.name_scope("layer1"):
        h = _conv_block(h, 1, 32, swu)
    with tf.name_scope("layer2"):
        h = _conv_block(h, 32, 64, swu)
    with tf.name_scope("layer3"):
        h = tf.reshape(h, [-1, 7 * 7 * 64])
        h = layers.dropout(tf.nn.relu(layers.dense(h, 256)))
    if swu:
        with tf.name_scope("layer4"):
            h = layers.dropout(tf.nn.relu(layers.dense(h, 256)))
    with tf.name_scope("output"):
        return tf.identity(layers.dense(h, 10), name="logits")
