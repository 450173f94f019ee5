"""The one place that imports TensorFlow.

Everything in ``legacy`` takes ``tf`` from here, so the same graph code runs
on TF 1.15 and, through ``tf.compat.v1``, on TF 2. TF 1.15 already ships
``tensorflow.compat.v1``; using it on both versions keeps the API identical
and silences 1.15's "moved to tf.compat.v1" deprecation warnings.

The environment TensorFlow reads while loading (log level, oneDNN) is set by
``legacy/tfenv.py`` when the ``legacy`` package is imported, because
tensorpack may import TensorFlow before this module does.
"""
import os

from legacy import tfenv

tfenv.prepare()  # no-op when legacy/__init__.py already ran it

import tensorflow as _tf_root  # noqa: E402
import tensorflow.compat.v1 as tf  # noqa: E402

TF_VERSION = _tf_root.__version__
IS_TF2 = not TF_VERSION.startswith("1.")
# Before disable_v2_behavior(), which logs its own deprecation warning.
tf.logging.set_verbosity(tf.logging.ERROR)
if IS_TF2:
    tf.disable_v2_behavior()


def onednn_enabled():
    """Whether TF runs its oneDNN kernels (TF 2.5+ pip builds); False on TF 1.15."""
    try:
        from tensorflow.python.util import _pywrap_util_port
        return bool(_pywrap_util_port.IsMklEnabled())
    except (ImportError, AttributeError):
        return False


ONEDNN = onednn_enabled() if IS_TF2 else False
ONEDNN_OPTS_ENV = os.environ.get("TF_ENABLE_ONEDNN_OPTS")



def contrib_training():
    """TF 1.15's ``tf.contrib.training`` (e.g. GreedyLoadBalancingStrategy),
    or None on TF 2, which has no tf.contrib."""
    if IS_TF2:
        return None
    from tensorflow.contrib import training  # noqa: E402  (loads tf.contrib: seconds, so only when asked)
    return training


__all__ = ["tf", "TF_VERSION", "IS_TF2", "ONEDNN", "contrib_training"]
