"""SWU AI Deep Learning (2021), re-implemented as plain TF1 graph code.

Layout:
- ``legacy.experiments``: what each script picks (its flags' defaults, a model, a runner).
- ``legacy.runners``: the shared runs (an MNIST run, a full-batch run, a grid of runs).
- ``legacy.models``: graph builders (no Session) and the registry of the study's models.
- ``legacy.data``: verified datasets and tensorpack dataflows (no TensorFlow).
- ``legacy.study``: the reproduction plan and report, the benchmark, the PGGAN study.
- ``legacy.originals``: the study's own scripts, ported literally.
- ``legacy.metrics``: sliced Wasserstein distance; ``legacy.rl``: the DQN's game and replay.
- top level: the run configuration (config), the one Session loop (train) and
  its hooks, checkpoints, run folders (runs), inputs, results, the CLI (cli,
  child: signal-forwarding subprocesses), memory checks, figures and
  pictures, and the distributed runtime's cluster spec and launcher.
"""
import os as _os
import time as _time

from legacy import tfenv as _tfenv

__version__ = "0.1.0"
# The checkout (or the image's /app): scripts/, data/reference/, the venvs.
REPO = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))
# When the process began its work, for the "script_seconds" of every results
# JSON: the whole cost of a run (TensorFlow's import, data, graph, training,
# evaluation), where "wall_seconds" counts the training loop only.
STARTED = _time.time()

# Before any TensorFlow import, ours or tensorpack's (see legacy/tfenv.py).
_tfenv.prepare()
