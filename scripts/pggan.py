#!/usr/bin/env python
"""Entry point; what it runs is legacy/experiments/pggan.py (PGGAN, legacy/pggan/experiment.py, alone or as a Horovod rank)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from legacy import startup  # noqa: E402  (os and signal only: absl, TensorFlow and the script load inside launch)

if __name__ == "__main__":
    startup.launch("legacy.experiments.pggan")
