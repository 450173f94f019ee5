"""A second signal that TensorFlow's C code wraps: when the handler of a second
Ctrl-C / SIGTERM raises while TF is inside a C call that checks for signals
(a checkpoint's CreateWritableFile), Python reports ``SystemError: <built-in
function ...> returned a result with an error set`` caused by the signal's
KeyboardInterrupt. tests/test_run_folder_safety.py's
test_a_second_signal_still_records_the_last_complete_checkpoint[SIGTERM] ended
that way once (exit 1 and a traceback, 2026-12-07, TF 1.15, load 8); the
runners now treat it as the signal it carries."""
import json
import signal
import subprocess
import sys

import pytest

from conftest import REPO, run_config
from scripts_util import default_signals
from legacy.errors import Interrupted, SignalStop, interrupt_behind, signal_of
from legacy.models.mlp import mlp
from legacy.runners import mnist_classifier


def _wrapped(signum):
    """The exception CPython raises for a C function that returned a value with the signal's error set."""
    try:
        try:
            raise SignalStop(signum)
        except SignalStop as stop:
            raise SystemError("<built-in function CreateWritableFile> returned a result with an error set") from stop
    except SystemError as err:
        return err


def test_interrupt_behind_finds_the_signal_a_system_error_carries():
    err = _wrapped(signal.SIGTERM)
    assert signal_of(interrupt_behind(err)) == signal.SIGTERM
    plain = KeyboardInterrupt()
    assert interrupt_behind(plain) is plain and signal_of(plain) == signal.SIGINT
    assert interrupt_behind(SystemError("a real one")) is None
    assert interrupt_behind(ValueError("not a signal")) is None


def test_run_mnist_records_a_wrapped_second_signal_as_interrupted(tmp_path, monkeypatch):
    def fails_in_tf(report, model_fn, feature_shape):
        report["during"] = "training"
        raise _wrapped(signal.SIGTERM)

    monkeypatch.setattr(mnist_classifier, "_run", fails_in_tf)
    out = tmp_path / "results.json"
    with pytest.raises(Interrupted) as caught:
        mnist_classifier.run_mnist("test", mlp, run_config(output=str(out)))
    assert caught.value.signum == signal.SIGTERM
    record = json.loads(out.read_text())
    assert record["status"] == "interrupted" and record["interrupted"]["signal"] == signal.SIGTERM


def test_run_mnist_lets_any_other_system_error_through(tmp_path, monkeypatch):
    def fails(report, model_fn, feature_shape):
        raise SystemError("not a signal")

    monkeypatch.setattr(mnist_classifier, "_run", fails)
    with pytest.raises(SystemError, match="not a signal"):
        mnist_classifier.run_mnist("test", mlp, run_config(output=str(tmp_path / "results.json")))
    assert not (tmp_path / "results.json").exists()


# Any runner (PGGAN's, tensorpack's, a cluster task's): the CLI's own catch.
_WRAPPED_IN_MAIN = r'''
import signal, sys
sys.path.insert(0, %(repo)r)
from legacy import cli
from legacy.errors import SignalStop

def main(argv):
    try:
        raise SignalStop(signal.SIGTERM)
    except SignalStop as stop:
        raise SystemError(%(message)r) from stop

cli.run(main)
'''


@pytest.mark.parametrize("message", ["<built-in function CreateWritableFile> returned a result with an error set"])
def test_the_cli_reports_a_wrapped_signal_in_one_line(tmp_path, message):
    script = tmp_path / "wrapped.py"
    script.write_text(_WRAPPED_IN_MAIN % dict(repo=REPO, message=message))
    proc = subprocess.run([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=120, preexec_fn=default_signals)
    assert proc.returncode == 143, (proc.returncode, proc.stderr)
    assert proc.stderr.splitlines() == ["interrupted: SIGTERM before any result was saved; nothing was written"]
