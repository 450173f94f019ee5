#!/usr/bin/env python
"""Entry point; the study itself is legacy/study/pggan_study.py."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from legacy import startup  # noqa: E402  (os and signal only)

startup.install()  # first: a signal while the modules below load is one line, not a traceback
from legacy import cli  # noqa: E402
from legacy.study import pggan_study  # noqa: E402

if __name__ == "__main__":
    pggan_study.define_flags()
    cli.run(pggan_study.main)
