"""The two lanes' shared ground: one module imports TensorFlow, and TF's
environment is set before anyone (tensorpack included) imports it."""
import ast
import os
import subprocess
import sys

import pytest

from conftest import REPO
from legacy import tfenv
from legacy.tf import IS_TF2, TF_VERSION

IMPORT_POINT = os.path.join("legacy", "tf.py")


def tensorflow_imports(source, filename="<source>"):
    """Line numbers where ``source`` imports tensorflow (any submodule too)."""
    def is_tf(name):
        return name == "tensorflow" or name.startswith("tensorflow.")
    hits = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import) and any(is_tf(a.name) for a in node.names):
            hits.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and is_tf(node.module or ""):
            hits.append(node.lineno)
        elif (isinstance(node, ast.Call) and node.args
              and getattr(node.func, "attr", getattr(node.func, "id", "")) in ("import_module", "__import__")):
            # Python 3.7 parses string literals as ast.Str (.s), 3.8+ as ast.Constant (.value).
            name = getattr(node.args[0], "value", getattr(node.args[0], "s", None))
            if isinstance(name, str) and is_tf(name):
                hits.append(node.lineno)
    return hits


def test_import_detector_sees_every_form():
    source = ("import os\nimport tensorflow as tf\nfrom tensorflow.compat import v1\n"
              "import importlib\nimportlib.import_module('tensorflow.compat.v1')\n__import__('tensorflow')\n"
              "import tensorflow_datasets\nfrom legacy.tf import tf\n")
    assert tensorflow_imports(source) == [2, 3, 5, 6]


def test_only_legacy_tf_imports_tensorflow():
    offenders = []
    for top in ("legacy", "scripts", "tools", "tests"):
        for folder, _, files in os.walk(os.path.join(REPO, top)):
            for name in sorted(files):
                path = os.path.join(folder, name)
                rel = os.path.relpath(path, REPO)
                if not name.endswith(".py") or rel == IMPORT_POINT:
                    continue
                with open(path, encoding="utf-8") as handle:
                    offenders += ["%s:%d" % (rel, line) for line in tensorflow_imports(handle.read(), rel)]
    assert offenders == [], "import TensorFlow only in %s (from legacy.tf import tf)" % IMPORT_POINT
    with open(os.path.join(REPO, IMPORT_POINT), encoding="utf-8") as handle:
        assert tensorflow_imports(handle.read())  # the import point itself is seen


# Records the environment at the moment tensorflow starts loading, whoever imports it.
_PROBE = r"""
import importlib.abc, json, os, sys
seen = {}
class Probe(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "tensorflow" and not seen:
            seen.update({k: os.environ.get(k) for k in ("TF_ENABLE_ONEDNN_OPTS", "TF_CPP_MIN_LOG_LEVEL")})
        return None
sys.meta_path.insert(0, Probe())
import legacy.data.mnist  # tensorpack imports tensorflow here, before legacy.tf
assert "tensorflow" in sys.modules
from legacy.tf import ONEDNN
seen["onednn"] = ONEDNN
print(json.dumps(seen))
"""


def _probe(**env):
    import json
    full = {k: v for k, v in os.environ.items() if k not in ("TF_ENABLE_ONEDNN_OPTS", "TF_CPP_MIN_LOG_LEVEL")}
    full.update(env)
    proc = subprocess.run([sys.executable, "-c", _PROBE], cwd=REPO, env=full, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1]), proc.stderr


def test_tf_environment_is_set_before_tensorpack_imports_tensorflow():
    seen, stderr = _probe()
    assert seen["TF_CPP_MIN_LOG_LEVEL"] == "2"
    assert seen["TF_ENABLE_ONEDNN_OPTS"] == ("1" if tfenv.onednn_wanted() else None)
    # TF 2.21 logs "oneDNN custom operations are on" twice while loading, past
    # TF_CPP_MIN_LOG_LEVEL; the import filter keeps stderr clean.
    assert stderr.strip() == ""


def test_users_own_setting_wins():
    seen, _ = _probe(TF_ENABLE_ONEDNN_OPTS="0", TF_CPP_MIN_LOG_LEVEL="3")
    assert seen["TF_ENABLE_ONEDNN_OPTS"] == "0" and seen["TF_CPP_MIN_LOG_LEVEL"] == "3"
    assert seen["onednn"] is False  # TF read it: no oneDNN kernels


@pytest.mark.skipif(not IS_TF2, reason="other lane: TF 1.15's pip wheels have no oneDNN kernels to switch on")
@pytest.mark.skipif(not tfenv.onednn_wanted(), reason="oneDNN is switched on only on x86-64")
def test_tf2_runs_onednn_on_x86():
    seen, _ = _probe()
    assert seen["onednn"] is True


def test_defaults_follow_the_machine():
    env = {}
    tfenv.set_defaults(env, machine="aarch64")
    assert env == {"TF_CPP_MIN_LOG_LEVEL": "2"}
    env = {"TF_CPP_MIN_LOG_LEVEL": "0"}
    tfenv.set_defaults(env, machine="x86_64")
    assert env == {"TF_CPP_MIN_LOG_LEVEL": "0", "TF_ENABLE_ONEDNN_OPTS": "1"}


def test_children_never_inherit_tf2_behavior(monkeypatch):
    # TF 2's import sets TF2_BEHAVIOR=1 in os.environ; a TF 1.15 child run by
    # `reproduce.py --lane=tf1` from the TF 2 lane would start in eager mode.
    monkeypatch.setenv("TF2_BEHAVIOR", "1")
    monkeypatch.setattr(tfenv, "_ENVIRON_BEFORE_TF", dict(os.environ))
    child = tfenv.child_environ()
    assert "TF2_BEHAVIOR" not in child and child["TF_CPP_MIN_LOG_LEVEL"] == os.environ["TF_CPP_MIN_LOG_LEVEL"]


def test_log_filter_drops_absl_info_and_keeps_the_rest():
    data = (b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
            b"I0000 00:00:1795813217.937977   18646 port.cc:153] oneDNN custom operations are on.\n"
            b"W0000 00:00:1795813217.937977   18646 cuda_executor.cc:1] no GPU found\n"
            b"E1127 20:54:01.123456   18646 something.cc:9] broken\n"
            b"Traceback (most recent call last):\n"
            b"ImportError: libfoo.so\n")
    kept = tfenv.filter_native_log(data).decode().splitlines()
    assert [line[:5] for line in kept] == ["W0000", "E1127", "Trace", "Impor"]


def test_summary_names_the_lane():
    assert TF_VERSION.split(".")[0] == ("2" if IS_TF2 else "1")


def test_bootstrap_tf2_lane_names_the_python_it_needs(tmp_path):
    base = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANE": "tf2", "VENV": str(tmp_path / "venv")}
    for python, says in (("/bin/false", "PYTHON=/bin/false is not a Python interpreter"),
                         (None, "is Python 3.8.18")):
        env = dict(base)
        if python:
            env["PYTHON"] = python
        else:
            # A python3 on PATH that is too old for TF 2.
            bindir = tmp_path / "bin"
            bindir.mkdir(exist_ok=True)
            (bindir / "python3").write_text('#!/bin/sh\n[ "$1" = --version ] && echo Python 3.8.18 && exit 0\nexit 1\n')
            (bindir / "python3").chmod(0o755)
            env["PATH"] = "%s:/usr/bin:/bin" % bindir
        proc = subprocess.run(["bash", os.path.join(REPO, "tools", "bootstrap.sh")], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        assert proc.returncode != 0
        errors = proc.stderr.strip().splitlines()
        assert len(errors) == 1 and "LANE=tf2 needs Python 3.10-3.13" in errors[0] and says in errors[0], errors
        assert not (tmp_path / "venv").exists()
    proc = subprocess.run(["bash", os.path.join(REPO, "tools", "bootstrap.sh")], env=dict(base, LANE="tf3"),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert proc.returncode == 2 and "LANE=tf3 is not a lane" in proc.stderr
