"""Fully connected MNIST networks of the study.

The "4-layer" network (golbin 06, the study's README section "Batch
Normalization"): 784 -> 256 ReLU -> dropout -> 256 ReLU -> dropout -> 256 ReLU
-> dropout -> 10 logits, weights N(0, 0.01), no biases. ``hidden`` picks any
depth and width; ``[256, 256]`` is the Adam MLP.
"""
from legacy.models import layers
from legacy.tf import tf


def mlp(x, hidden=(256, 256, 256), num_classes=10, batch_norm=False,
        init="normal", stddev=0.01, use_bias=False, bn_decay=0.9):
    """Logits of an MLP; each hidden layer is matmul [-> BN] -> ReLU -> dropout."""
    h = x
    for i, units in enumerate(hidden, start=1):
        with tf.name_scope("layer%d" % i):
            h = layers.dense(h, units, init, stddev, use_bias)
            if batch_norm:
                h = layers.batch_norm(h, decay=bn_decay)
            h = tf.nn.relu(h)
            h = layers.dropout(h)
    with tf.name_scope("output"):
        return tf.identity(layers.dense(h, num_classes, init, stddev, use_bias), name="logits")
