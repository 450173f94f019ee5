#!/usr/bin/env python
"""Entry point; the experiment itself is legacy/data/make_data.py."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from legacy.data.make_data import run  # noqa: E402

if __name__ == "__main__":
    run()
