#!/usr/bin/env python
"""Entry point; the benchmark itself is legacy/experiments/benchmark.py and legacy/benchmark.py."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from legacy.experiments.benchmark import run  # noqa: E402

if __name__ == "__main__":
    run()
