"""SWU AI Deep Learning (2021), re-implemented as plain TF1 graph code.

Subpackages: ``legacy.data`` (verified datasets and tensorpack dataflows, no
TensorFlow), ``legacy.models`` (graph builders, no Session), ``legacy.train``
(the one Session loop), ``legacy.experiments`` (what each script picks).
"""
import time as _time

from legacy import tfenv as _tfenv

__version__ = "0.1.0"
# When the process began its work, for the "script_seconds" of every results
# JSON: the whole cost of a run (TensorFlow's import, data, graph, training,
# evaluation), where "wall_seconds" counts the training loop only.
STARTED = _time.time()

# Before any TensorFlow import, ours or tensorpack's (see legacy/tfenv.py).
_tfenv.prepare()
