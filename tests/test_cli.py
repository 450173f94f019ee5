"""The scripts as a user runs them: the study's lines, a valid JSON, and
one-line errors with a non-zero exit for bad input."""
import json
import os
import re
import subprocess
import sys

import pytest

from conftest import REPO
from scripts_util import default_signals, first_in_make_test


def _script(name, *args):
    return subprocess.run([sys.executable, os.path.join(REPO, "scripts", name)] + list(args), cwd=REPO,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=300)


def test_mnist_dnn_prints_epoch_lines_and_writes_json(tmp_path, mnist_dir):
    out = tmp_path / "r.json"
    proc = _script("mnist_dnn.py", "--keep_prob=0.8", "--train_limit=500", "--epochs=2",
                   "--data_dir=" + mnist_dir, "--output=" + str(out), "--logdir=" + str(tmp_path / "run"))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    epoch_lines = [l for l in lines if l.startswith("Epoch:")]
    assert len(epoch_lines) == 2
    assert all(re.match(r"^Epoch: 000[12] Avg\. cost = \d+\.\d{3}$", l) for l in epoch_lines)
    assert "최적화 완료!" in lines
    assert any(re.match(r"^정확도: 0\.\d+$", l) for l in lines)
    record = json.loads(out.read_text())
    assert record["status"] == "ok" and record["flags"]["keep_prob"] == 0.8
    assert len(record["epoch_avg_cost"]) == 2 and len(record["seconds_per_epoch"]) == 2
    assert 0 <= record["test_accuracy"] <= 1
    assert record["environment"]["tensorflow"] and record["environment"]["git_revision"]
    assert [round(c, 3) for c in record["epoch_avg_cost"]] == [float(l.split("= ")[1]) for l in epoch_lines]


@pytest.mark.parametrize("args, names", first_in_make_test([
    (["--keep_prob=1.5"], "--keep_prob"),
    (["--keep_prob=0"], "--keep_prob"),
    (["--hidden=abc"], "--hidden"),
    (["--hidden=256,-3"], "--hidden"),
    (["--hidden=0"], "--hidden"),
    (["--learning_rate=0"], "--learning_rate"),
    (["--learning_rate=-0.1"], "--learning_rate"),
    (["--batch_size=0"], "--batch_size"),
    (["--batch_size=-5"], "--batch_size"),
    (["--epochs=-1"], "--epochs"),
    (["--save_every_steps=-1"], "--save_every_steps"),
    (["--optimizer=sgd"], "adagrad"),  # lists the valid names
    (["--output=/no/such/folder/r.json"], "/no/such/folder"),
    (["--data_dir={tmp}/absent", "--nodownload"], "MNIST files missing in"),
    (["--data_dir={tmp}/a_file/mnist"], "cannot create data folder {tmp}/a_file/mnist"),
    (["--init_from={tmp}/no.ckpt"], "--init_from={tmp}/no.ckpt: no such checkpoint"),
    (["--init_from={tmp}"], "no checkpoint in this folder"),
    (["--resume", "--init_from={tmp}"], "pass one of them"),
    (["stray"], "unexpected arguments"),
], fast=3))
def test_bad_input_is_one_line_and_non_zero(tmp_path, args, names):
    (tmp_path / "a_file").write_text("not a folder")
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    names = names.replace("{tmp}", str(tmp_path))
    out = tmp_path / "never.json"
    extra = [] if any(a.startswith("--output") for a in args) else ["--output=" + str(out)]
    proc = _script("mnist_dnn.py", *(args + extra))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    errors = [l for l in proc.stderr.splitlines() if l.strip()]
    assert len(errors) == 1 and errors[0].startswith("error: "), proc.stderr
    assert names in errors[0]
    assert not out.exists()


@pytest.mark.long
def test_divergence_is_one_line_naming_step_rate_and_optimizer(tmp_path, mnist_dir):
    out = tmp_path / "r.json"
    proc = _script("mnist_dnn.py", "--train_limit=500", "--learning_rate=1e8", "--data_dir=" + mnist_dir,
                   "--output=" + str(out), "--logdir=" + str(tmp_path / "run"))
    assert proc.returncode == 3 and "Traceback" not in proc.stderr
    line, = [l for l in proc.stderr.splitlines() if l.strip()]
    assert re.match(r"^error: training diverged: cost is nan at step \d+ \(epoch 1\) with optimizer gd, "
                    r"learning rate 1e\+08; try a lower --learning_rate; results in ", line), line
    record = json.loads(out.read_text())
    assert record["status"] == "diverged" and record["test_accuracy"] is None
    assert "step %d " % record["diverged"]["step"] in line


def test_unwritable_data_folder_is_named(tmp_path, monkeypatch):
    # As root, chmod cannot make a folder unwritable; test the check itself.
    from legacy.data import mnist_files
    from legacy.errors import DataError
    monkeypatch.setattr(mnist_files.os, "access", lambda path, mode: False)
    with pytest.raises(DataError, match="data folder %s is not writable; pass a writable --data_dir" % tmp_path):
        mnist_files.ensure_mnist(str(tmp_path), sources=())


def test_fetch_mnist_verifies_existing_folder(mnist_dir):
    proc = _script("fetch_mnist.py", "--data_dir=" + mnist_dir)
    assert proc.returncode == 0, proc.stderr
    assert "MNIST verified in" in proc.stdout


def test_bootstrap_without_python37_says_what_to_do(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYENV_ROOT": str(tmp_path / "nopyenv"),
           "VENV": str(tmp_path / "venv")}
    proc = subprocess.run(["bash", os.path.join(REPO, "tools", "bootstrap.sh")], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
    assert "no Python 3.7 found" in proc.stderr and "pyenv install 3.7.16" in proc.stderr
    assert "Docker" in proc.stderr
    env["PYTHON"] = "/bin/false"
    proc = subprocess.run(["bash", os.path.join(REPO, "tools", "bootstrap.sh")], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert proc.returncode != 0 and "PYTHON=/bin/false" in proc.stderr


# The CI failure of stop 20 (TF 2 lane): the second of two quick SIGINTs landed
# after run() had printed the interrupt's line and called sys.exit(130); the
# KeyboardInterrupt replaced the SystemExit and Python 3.11 died by SIGINT (-2).
# Here the process sends itself the late signals at the two moments that can
# happen: while the Interrupted propagates (in a finally) and after the exit.
_LATE_SIGNAL = r'''
import os, signal, sys
sys.path.insert(0, %(repo)r)
from legacy import cli
from legacy.errors import Interrupted

def main(argv):
    err = Interrupted(signal.SIGINT, 5, 1)
    err.record, err.checkpoint = {"logdir": "/tmp/run"}, "/tmp/run/model.ckpt-5"
    try:
        raise err
    finally:
        if %(during)r:
            os.kill(os.getpid(), signal.SIGINT)

try:
    cli.run(main)
finally:
    if %(after)r:
        os.kill(os.getpid(), signal.SIGINT)
'''


@pytest.mark.parametrize("during, after", [(True, False), (False, True), (True, True)])
def test_a_late_signal_keeps_the_recorded_interrupt(tmp_path, during, after):
    script = tmp_path / "late.py"
    script.write_text(_LATE_SIGNAL % dict(repo=REPO, during=during, after=after))
    proc = subprocess.run([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=120, preexec_fn=default_signals)
    assert proc.returncode == 130, (proc.returncode, proc.stderr)
    assert proc.stderr.splitlines() == [
        "interrupted: SIGINT at step 5 (epoch 1) (checkpoint /tmp/run/model.ckpt-5); "
        "continue with --resume --logdir=/tmp/run"]
