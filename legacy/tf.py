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


def _use_tf1_op_seeds():
    """Give unseeded random ops TF 1.15's seeds under TF 2.

    After ``tf.set_random_seed(s)``, a random op without its own seed gets the
    op seed ``graph._last_id`` on TF 1.15 (the number of ops built so far),
    but a per-graph counter of random ops (0, 1, 2, ...) on TF 2. The same
    graph code therefore started from other weights on each version. TF 2's
    graph keeps the count as ``len(graph._nodes_by_id)``; feeding that to
    TF 2's own ``get_seed`` makes it return what TF 1.15 returned, so both
    lanes draw the same initial weights and dropout masks (the ops use the
    same Philox generator). Explicit op seeds and eager code are unchanged.
    """
    from tensorflow.python.eager import context
    from tensorflow.python.framework import ops, random_seed
    tf2_get_seed = random_seed.get_seed
    if getattr(tf2_get_seed, "tf1_op_seeds", False):
        return

    def get_seed(op_seed):
        if op_seed is None and not context.executing_eagerly():
            graph = ops.get_default_graph()
            if graph.seed is not None:
                op_seed = len(graph._nodes_by_id)
        return tf2_get_seed(op_seed)

    get_seed.tf1_op_seeds = True
    random_seed.get_seed = get_seed


if IS_TF2:
    _use_tf1_op_seeds()


def onednn_enabled():
    """Whether TF runs its oneDNN kernels (TF 2.5+ pip builds); False on TF 1.15."""
    try:
        from tensorflow.python.util import _pywrap_util_port
        return bool(_pywrap_util_port.IsMklEnabled())
    except (ImportError, AttributeError):
        return False


ONEDNN = onednn_enabled() if IS_TF2 else False
ONEDNN_OPTS_ENV = os.environ.get("TF_ENABLE_ONEDNN_OPTS")

__all__ = ["tf", "TF_VERSION", "IS_TF2", "ONEDNN"]
