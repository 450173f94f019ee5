"""SWU AI Deep Learning (2021), re-implemented as plain TF1 graph code.

The 2021 study's core:
- ``legacy.experiments``: what each of the study's scripts picks (its flags' defaults, a model, a runner).
- ``legacy.runners``: the study's runs (an MNIST run, a full-batch run, a grid of runs) and the
  recorded run the extensions share.
- ``legacy.models``: graph builders (no Session) and the registry of every MNIST model's settings.
- ``legacy.data``: verified MNIST and the study's tables, as tensorpack dataflows (no TensorFlow).
- ``legacy.study``: the reproduction plan and report, and the benchmark.
- ``legacy.originals``: the study's own scripts (and golbin's chapters), ported literally.
- top level: the run configuration (run_config), the one Session loop (train) and its hooks,
  checkpoints, run folders (runs), inputs, results, the entry points (console, startup, cli,
  child: signal-forwarding subprocesses), memory checks, figures, TensorBoard events.

One package per extension, each importing the core and never imported by it:
``legacy.pggan`` (progressive GANs), ``legacy.chapters`` (golbin's other chapters),
``legacy.distributed`` (the PS/worker cluster), ``legacy.tensorpack_trainer`` (tensorpack's trainer).
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
