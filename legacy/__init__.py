"""SWU AI Deep Learning (2021), re-implemented as plain TF1 graph code.

Subpackages: ``legacy.data`` (verified datasets and tensorpack dataflows, no
TensorFlow), ``legacy.models`` (graph builders, no Session), ``legacy.train``
(the one Session loop), ``legacy.experiments`` (what each script picks).
"""
from legacy import tfenv as _tfenv

__version__ = "0.1.0"

# Before any TensorFlow import, ours or tensorpack's (see legacy/tfenv.py).
_tfenv.prepare()
