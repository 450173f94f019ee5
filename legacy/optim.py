"""The optimizers the study and its sources used, by name.

Defaults are TF1's own: RMSProp is ``RMSPropOptimizer(lr, decay=0.9)`` with
momentum 0 and epsilon 1e-10, as in the study's CNN comparison; momentum is
0.9 as in most TF1 tutorials.
"""
from legacy.tf import tf

OPTIMIZERS = {
    "gd": lambda lr: tf.train.GradientDescentOptimizer(lr),
    "adam": lambda lr: tf.train.AdamOptimizer(lr),
    "rmsprop": lambda lr: tf.train.RMSPropOptimizer(lr, decay=0.9),
    "adagrad": lambda lr: tf.train.AdagradOptimizer(lr),
    "momentum": lambda lr: tf.train.MomentumOptimizer(lr, momentum=0.9),
}


def make_optimizer(name, learning_rate):
    return OPTIMIZERS[name](learning_rate)
