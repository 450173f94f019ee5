"""The one place that imports TensorFlow.

Everything in ``legacy`` takes ``tf`` from here, so the same graph code runs
on TF 1.15 and, through ``tf.compat.v1``, on TF 2. TF 1.15 already ships
``tensorflow.compat.v1``; using it on both versions keeps the API identical
and silences 1.15's "moved to tf.compat.v1" deprecation warnings.
"""
import os

# TF's C++ start-up chatter (CPU feature notices) would drown the study's
# printed lines; errors still show.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as _tf_root  # noqa: E402
import tensorflow.compat.v1 as tf  # noqa: E402

TF_VERSION = _tf_root.__version__
IS_TF2 = not TF_VERSION.startswith("1.")
if IS_TF2:
    tf.disable_v2_behavior()
tf.logging.set_verbosity(tf.logging.ERROR)

__all__ = ["tf", "TF_VERSION", "IS_TF2"]
