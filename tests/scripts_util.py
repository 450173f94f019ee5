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


def first_in_make_test(cases, fast=1):
    """Parametrize ``cases`` with only the first ``fast`` of them in make test's tier; the others are
    marked ``long`` (make test-all, which CI also runs). For the one-line-error checks that each start
    a Python with TensorFlow (2-6 s apiece): make test keeps an end-to-end case of each kind, the
    5-minute budget (issue 27) holds, and every case still runs in CI."""
    import pytest
    out = []
    for i, case in enumerate(cases):
        if i < fast:
            out.append(case)
            continue
        if hasattr(case, "values") and hasattr(case, "marks"):  # already a pytest.param
            out.append(pytest.param(*case.values, marks=[pytest.mark.long] + list(case.marks), id=case.id))
        else:
            out.append(pytest.param(*(case if isinstance(case, tuple) else (case,)), marks=pytest.mark.long))
    return out
