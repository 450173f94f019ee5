"""The study's regressions, written out as golbin wrote them.

Linear: ``hypothesis = W * X + b`` with scalar W, b ~ Uniform(-1, 1) and the
mean squared error. Logistic: ``sigmoid(X W + b)`` with the cross-entropy of
hunkim's lab 05. Softmax regression on MNIST is the one-layer ``X W + b``
classifier of TF1's "MNIST for ML beginners" (zeros init).
"""
from legacy.models import layers
from legacy.tf import tf


def linear_regression(x, y):
    """Cost and predictions of the scalar model ``W * x + b``; x, y are [N]."""
    W = layers.weight([1], init="uniform", name="W")
    b = layers.weight([1], init="uniform", name="b")
    with tf.name_scope("hypothesis"):
        hypothesis = tf.add(W * x, b, name="hypothesis")
    with tf.name_scope("cost"):
        cost = tf.reduce_mean(tf.square(hypothesis - y), name="cost")
    return W, b, hypothesis, cost


def logistic_regression(x, y):
    """Cost, probabilities and 0/1 predictions of ``sigmoid(x W + b)``; y is [N, 1]."""
    n_features = int(x.shape[-1])
    W = layers.weight([n_features, 1], init="uniform", name="W")
    b = tf.Variable(tf.zeros([1]), name="b")
    with tf.name_scope("hypothesis"):
        hypothesis = tf.sigmoid(tf.matmul(x, W) + b, name="hypothesis")
    with tf.name_scope("cost"):
        # Clipping keeps log() finite once the sigmoid saturates; the
        # gradient inside (eps, 1 - eps) is unchanged.
        p = tf.clip_by_value(hypothesis, 1e-7, 1 - 1e-7)
        cost = tf.negative(tf.reduce_mean(y * tf.log(p) + (1 - y) * tf.log(1 - p)), name="cost")
    predicted = tf.cast(hypothesis > 0.5, tf.float32)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(predicted, y), tf.float32), name="accuracy")
    return W, b, hypothesis, cost, accuracy


def softmax_regression(x, num_classes=10):
    """Logits of the 784 -> 10 softmax regression (no hidden layer)."""
    with tf.name_scope("output"):
        W = tf.Variable(tf.zeros([int(x.shape[-1]), num_classes]), name="W")
        b = tf.Variable(tf.zeros([num_classes]), name="b")
        return tf.add(tf.matmul(x, W), b, name="logits")
