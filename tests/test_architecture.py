"""The layout rules (issues 14 and 27), checked on the code itself.

- No two modules of ``legacy/`` share a file name.
- Imports go down: the core of the 2021 study never imports a feature
  package (pggan/, chapters/, distributed/, tensorpack_trainer/), except what
  a script picks (experiments/) and the study's measurements (study/); no
  feature imports another.
- Following ``--keep_prob`` or ``--seed`` from the flag to the ops it
  controls passes through at most five files. A file is on the path when its
  code (not its docstrings or comments) names the value. The scan covers
  every ``legacy`` module that a ``mnist_dnn.py`` run imports up to its built
  training graph, so a builder or wrapper that starts passing ``keep_prob``
  along again fails here (a test plants such wrappers and sees it fail).
"""
import ast
import collections
import glob
import json
import os
import subprocess
import sys

import pytest

from conftest import REPO
from test_config import string_value

# The modules a mnist_dnn.py run imports, up to its built graph (a subprocess:
# this test process has imported everything).
_CLOSURE = """
import json, sys
sys.argv = ["mnist_dnn"]
from legacy import run_config
import legacy.experiments.mnist_dnn as experiment
import legacy.runners.mnist_classifier
from legacy.distributed.cluster import ClusterRunConfig
from legacy.graph import build_classifier
from legacy.tf import tf
run_config.FLAGS(sys.argv)
config = run_config.build(experiment.MODELS[experiment.DEFAULT].settings, kind=ClusterRunConfig)
x = tf.placeholder(tf.float32, [100, 784])
y = tf.placeholder(tf.float32, [100, 10])
build_classifier(experiment.MODELS[experiment.DEFAULT].build(config), x, y, config.optimizer, config.learning_rate)
print(json.dumps(sorted({m.__file__ for name, m in list(sys.modules.items())
                         if name.startswith("legacy") and getattr(m, "__file__", None)})))
"""

# Files that name a value without being a hop of its path from the flag to
# the ops: the registry holds the presets' values (the default a flag falls
# back to); predictions.py feeds the same dropout input with --eval_keep_prob;
# runs.py names the run folder after the seed ("...-seed3").
NOT_HOPS = {"keep_prob": {"legacy/models/registry.py", "legacy/predictions.py"},
            "seed": {"legacy/runs.py"}}
MAX_HOPS = 5


def names_in_code(path, identifier):
    """Lines where ``identifier`` is a name, attribute, argument, keyword or a
    string of its own (a flag's name) in the file's code; docstrings are
    strings of their own too, but never just the bare identifier."""
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), path)
    lines = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Name) and node.id == identifier
                or isinstance(node, ast.Attribute) and node.attr == identifier
                or isinstance(node, ast.arg) and node.arg == identifier
                or string_value(node) == identifier):
            lines.append(node.lineno)
        elif isinstance(node, ast.keyword) and node.arg == identifier:
            lines.append(node.value.lineno)
    return sorted(lines)


def _closure():
    proc = subprocess.run([sys.executable, "-c", _CLOSURE], cwd=REPO, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    files = [os.path.relpath(path, REPO) for path in json.loads(proc.stdout.strip().splitlines()[-1])]
    assert "legacy/models/mlp.py" in files and "legacy/train.py" in files  # the scan saw the builder and the loop
    return files


def _naming(files, identifier):
    return sorted(path for path in files if names_in_code(os.path.join(REPO, path), identifier))


def test_no_two_library_modules_share_a_file_name():
    names = collections.defaultdict(list)
    for path in glob.glob(os.path.join(REPO, "legacy", "**", "*.py"), recursive=True):
        if os.path.basename(path) != "__init__.py":
            names[os.path.basename(path)].append(os.path.relpath(path, REPO))
    assert not {name: paths for name, paths in names.items() if len(paths) > 1}


def hops(files, identifier):
    """The files of ``files`` whose code names ``identifier`` (a value's path
    from its flag to its ops), less those that name it without passing it on."""
    return sorted(set(_naming(files, identifier)) - NOT_HOPS[identifier])


def check_path(found, identifier):
    """The rule: the flag's home and the ops' builder are on the path (the
    scan saw both ends), and the path crosses at most MAX_HOPS files."""
    assert "legacy/run_config.py" in found and "legacy/models/layers.py" in found, found
    assert len(found) <= MAX_HOPS, "%s crosses %d files: %s" % (identifier, len(found), found)


@pytest.mark.parametrize("identifier", ["keep_prob", "seed"])
def test_a_value_crosses_at_most_five_files_from_flag_to_its_ops(identifier):
    check_path(hops(_closure(), identifier), identifier)


def test_the_rule_fails_when_wrappers_pass_the_value_along(tmp_path):
    # The mutation the rule exists for: builders that take keep_prob as an
    # argument again add hops, until the rule fails.
    files = _closure()
    found = hops(files, "keep_prob")
    check_path(found, "keep_prob")
    for k in range(MAX_HOPS - len(found) + 1):
        wrapper = tmp_path / ("wrapper%d.py" % k)
        wrapper.write_text("def build(x, keep_prob):\n    return dropout(x, keep_prob=keep_prob)\n")
        files.append(os.path.relpath(str(wrapper), REPO))
    with pytest.raises(AssertionError, match="keep_prob crosses 6 files"):
        check_path(hops(files, "keep_prob"), "keep_prob")


FEATURES = ("chapters", "distributed", "pggan", "tensorpack_trainer")
# The core modules that may use a feature: what a script picks
# (experiments/: mnist_dnn and mnist_cnn join a cluster), the study's
# measurements (study/: make bench times tensorpack's trainer too), and the
# registry, the one home of every MNIST model's settings, which names the
# builders of golbin's RNN and tensorpack's convnet (imported only when that
# model is built, so the study's own runs never load them).
MAY_USE_FEATURES = ("legacy/experiments/", "legacy/study/", "legacy/models/registry.py")


def _imports(path):
    """Every ``legacy`` module the file imports, at its top or in a function."""
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), path)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("legacy"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("legacy"):
            found.update("%s.%s" % (node.module, a.name) for a in node.names)
    return found


def _feature_of(name):
    parts = name.replace("/", ".").split(".")
    return parts[1] if len(parts) > 1 and parts[1] in FEATURES else None


def test_imports_go_down_core_never_reaches_into_a_feature_nor_one_feature_into_another():
    bad = []
    for path in glob.glob(os.path.join(REPO, "legacy", "**", "*.py"), recursive=True):
        rel = os.path.relpath(path, REPO)
        own = _feature_of(rel)
        for name in _imports(path):
            used = _feature_of(name)
            if used and used != own and not (own is None and rel.startswith(MAY_USE_FEATURES)):
                bad.append("%s imports %s" % (rel, name))
    assert not bad, bad


def test_the_import_rule_sees_a_function_level_import(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("def f():\n    from legacy.pggan import networks\n    import legacy.chapters.game\n")
    assert _imports(str(path)) == {"legacy.pggan.networks", "legacy.chapters.game"}
    assert _feature_of("legacy.pggan.networks") == "pggan" and _feature_of("legacy/runners/grid.py") is None


def test_the_scan_sees_code_and_not_prose(tmp_path):
    path = tmp_path / "m.py"
    path.write_text('"""keep_prob in prose."""\n'
                    "# keep_prob in a comment\n"
                    "def f(x, keep_prob):\n"
                    "    return g(x, keep_prob=0.5) + h.keep_prob + define('float', 'keep_prob')\n")
    assert names_in_code(str(path), "keep_prob") == [3, 4, 4, 4]
    assert names_in_code(str(path), "seed") == []
