"""golbin 12's Q network, with plain tf.Variable / tf.nn.

``[batch, width, height, 4]`` stacked screens -> conv 32@4x4 ReLU -> conv
64@2x2 ReLU (both stride 1, "same") -> flatten -> dense 512 ReLU -> one Q per
action. golbin built it with ``tf.layers`` (Glorot-uniform kernels, zero
biases), once in the scope "main" (trained) and once in "target" (the copy
the targets are computed from). The cost is the squared error between the
Q of the action taken and its target Y; Adam(1e-6).
"""
import collections

from legacy.models import layers
from legacy.tf import tf

DQNGraph = collections.namedtuple("DQNGraph", ["x", "action", "target", "q", "target_q", "cost", "copy_op",
                                               "main_vars", "target_vars"])


def _glorot(shape, name):
    """tf.layers' default kernel: Glorot-uniform, its bound computed as TF1's
    initializer does (layers.glorot_limit), so that the same op seed draws the
    same bits as golbin's ``tf.layers`` (legacy/originals/dqn_model.py)."""
    return layers.weight(shape, init="glorot", name=name)


def q_network(x, n_action, name):
    """Q values [batch, n_action] and the network's variables."""
    variables = []
    with tf.name_scope(name):
        h = x
        for i, (size, channels) in enumerate(((4, 32), (2, 64)), start=1):
            with tf.name_scope("conv%d" % i):
                c_in = int(h.shape[-1])
                w = _glorot([size, size, c_in, channels], "kernel")
                b = tf.Variable(tf.zeros([channels]), name="bias")
                h = tf.nn.relu(tf.nn.conv2d(h, w, strides=[1, 1, 1, 1], padding="SAME") + b)
                variables += [w, b]
        flat = int(h.shape[1] * h.shape[2] * h.shape[3])
        h = tf.reshape(h, [-1, flat])
        for i, units in enumerate((512, n_action), start=1):
            with tf.name_scope("dense%d" % i):
                w = _glorot([int(h.shape[-1]), units], "kernel")
                b = tf.Variable(tf.zeros([units]), name="bias")
                h = tf.matmul(h, w) + b
                if units != n_action:
                    h = tf.nn.relu(h)
                variables += [w, b]
    return tf.identity(h, name=name + "_q"), variables


def dqn(width, height, n_action=3, state_len=4):
    """The placeholders, main and target networks, cost and target copy op."""
    x = tf.placeholder(tf.float32, [None, width, height, state_len], name="state")
    action = tf.placeholder(tf.int64, [None], name="action")
    target = tf.placeholder(tf.float32, [None], name="Y")
    q, main_vars = q_network(x, n_action, "main")
    target_q, target_vars = q_network(x, n_action, "target")
    with tf.name_scope("cost"):
        q_taken = tf.reduce_sum(q * tf.one_hot(action, n_action, 1.0, 0.0), axis=1)
        cost = tf.reduce_mean(tf.square(target - q_taken), name="cost")
    with tf.name_scope("update_target"):
        copy_op = tf.group(*[t.assign(m) for m, t in zip(main_vars, target_vars)], name="copy")
    return DQNGraph(x, action, target, q, target_q, cost, copy_op, main_vars, target_vars)
