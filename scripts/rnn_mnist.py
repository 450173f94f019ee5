#!/usr/bin/env python
"""Entry point; the experiment itself is legacy/experiments/rnn_mnist.py."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from legacy.experiments.rnn_mnist import run  # noqa: E402

if __name__ == "__main__":
    run()
