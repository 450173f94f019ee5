#!/usr/bin/env python
"""Entry point; the experiment itself is legacy/experiments/word2vec.py."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from legacy.cli import launch  # noqa: E402  (light: absl; TensorFlow loads inside launch)

if __name__ == "__main__":
    launch("legacy.experiments.word2vec")
