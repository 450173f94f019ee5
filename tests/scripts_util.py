"""Running a script as a user would, for the script tests."""
import json
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_script(name, *args, check=True):
    proc = subprocess.run([sys.executable, os.path.join(REPO, "scripts", name)] + list(args), cwd=REPO,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=600)
    if check:
        assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def read_json(path):
    with open(str(path)) as handle:
        return json.load(handle)


def default_signals():
    """``preexec_fn`` for a child that a test will signal: SIGINT and SIGTERM at
    their defaults, whatever this test process inherited. Under ``nohup``,
    ``make test &`` or a CI runner that ignores SIGINT, a child would inherit
    the ignored disposition, and the programs rightly keep an ignored signal
    ignored (legacy/hooks.py, legacy/child.py), so the test's own signal would
    go unheard. Runs in the child between fork and exec."""
    import signal
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
