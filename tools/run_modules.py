#!/usr/bin/env python
"""Which ``legacy`` modules one script run loads: runs the script as ``__main__`` in this
process and, at exit, writes the names of the ``legacy`` modules in ``sys.modules`` to OUT
(one a line, sorted). Issue 27's measure of what a ``mnist_dnn.py`` run drags in.

    cd <checkout> && .venv/bin/python tools/run_modules.py OUT scripts/mnist_dnn.py --epochs=1 --train_limit=500
"""
import atexit
import runpy
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: run_modules.py OUT SCRIPT [FLAGS...]")
    out = sys.argv[1]

    def dump():
        with open(out, "w") as handle:
            handle.write("\n".join(sorted(m for m in sys.modules if m == "legacy" or m.startswith("legacy."))) + "\n")

    atexit.register(dump)
    sys.argv = sys.argv[2:]
    sys.path.insert(0, ".")
    runpy.run_path(sys.argv[0], run_name="__main__")


if __name__ == "__main__":
    main()
