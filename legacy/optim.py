"""The optimizers the study and its sources used, by name.

Defaults are TF1's own: RMSProp is ``RMSPropOptimizer(lr, decay=0.9)`` with
momentum 0 and epsilon 1e-10, as in the study's CNN comparison; momentum is
0.9 as in most TF1 tutorials; Adam is ``tf.train.AdamOptimizer(lr)``, i.e.
beta1 0.9, beta2 0.999 and epsilon 1e-8 (TF1's defaults, which the study's
``AdamOptimizer(0.001)`` took; Keras's Adam would have epsilon 1e-7).
``--adam_epsilon``, ``--adam_beta1`` and ``--adam_beta2`` (legacy/run_config.py)
change Adam's three constants, and only Adam's.
"""
import collections

from legacy.tf import tf

# The RunConfig fields of Adam's constants and their defaults: TF1's tf.train.AdamOptimizer.
ADAM_DEFAULTS = collections.OrderedDict([("adam_beta1", 0.9), ("adam_beta2", 0.999), ("adam_epsilon", 1e-8)])


def _adam(learning_rate, **constants):
    c = dict(ADAM_DEFAULTS, **constants)
    return tf.train.AdamOptimizer(learning_rate, beta1=c["adam_beta1"], beta2=c["adam_beta2"], epsilon=c["adam_epsilon"])


OPTIMIZERS = {
    "gd": lambda lr: tf.train.GradientDescentOptimizer(lr),
    "adam": _adam,
    "rmsprop": lambda lr: tf.train.RMSPropOptimizer(lr, decay=0.9),
    "adagrad": lambda lr: tf.train.AdagradOptimizer(lr),
    "momentum": lambda lr: tf.train.MomentumOptimizer(lr, momentum=0.9),
}


def adam_settings(config):
    """Adam's constants of a RunConfig, as make_optimizer's ``adam``."""
    return collections.OrderedDict((name, getattr(config, name)) for name in ADAM_DEFAULTS)


def make_optimizer(name, learning_rate, adam=None):
    """The optimizer ``name`` at ``learning_rate``; ``adam`` ({field: value}
    of ADAM_DEFAULTS' fields, e.g. adam_settings(config)) sets Adam's
    constants. Another optimizer with Adam constants away from the defaults
    is a mistake and raises ValueError (legacy/run_config.py's build() reports
    it to the user as one line first)."""
    adam = dict(adam or {})
    unknown = set(adam) - set(ADAM_DEFAULTS)
    if unknown:
        raise ValueError("unknown Adam settings %s (%s)" % (sorted(unknown), ", ".join(ADAM_DEFAULTS)))
    if name == "adam":
        return _adam(learning_rate, **adam)
    changed = sorted(k for k, v in adam.items() if v != ADAM_DEFAULTS[k])
    if changed:
        raise ValueError("%s apply to the adam optimizer only, not %s" % (", ".join(changed), name))
    return OPTIMIZERS[name](learning_rate)
