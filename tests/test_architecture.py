"""The layout rules of issue 14, checked on the code itself.

- No two modules of ``legacy/`` share a file name (``scripts/x.py`` and its
  ``legacy/experiments/x.py`` or ``legacy/study/x.py`` are one job: the entry
  point and what it runs).
- Following ``--keep_prob`` or ``--seed`` from the flag to the ops it
  controls passes through at most five files. A file is on the path when its
  code (not its docstrings or comments) names the value; the files that carry
  the whole RunConfig without naming a field (``legacy/experiments/mnist_dnn.py``)
  are counted too. The scan covers every ``legacy`` module that a
  ``mnist_dnn.py`` run imports up to its built training graph, so a builder or
  wrapper that starts passing ``keep_prob`` along again fails here.
"""
import ast
import collections
import glob
import json
import os
import subprocess
import sys

from conftest import REPO
from test_config import string_value

# The modules a mnist_dnn.py run imports, up to its built graph (a subprocess:
# this test process has imported everything).
_CLOSURE = """
import json, sys
sys.argv = ["mnist_dnn"]
from legacy import config as run_config
import legacy.experiments.mnist_dnn as experiment
import legacy.runners.mnist_classifier
from legacy.graph import build_classifier
from legacy.tf import tf
run_config.FLAGS(sys.argv)
config = run_config.build(experiment.MODELS[experiment.DEFAULT].settings)
x = tf.placeholder(tf.float32, [100, 784])
y = tf.placeholder(tf.float32, [100, 10])
build_classifier(experiment.MODELS[experiment.DEFAULT].build(config), x, y, config.optimizer, config.learning_rate)
print(json.dumps(sorted({m.__file__ for name, m in list(sys.modules.items())
                         if name.startswith("legacy") and getattr(m, "__file__", None)})))
"""

# keep_prob: defined and validated (config.py), the RunConfig handed to the
# runner (experiments/mnist_dnn.py), to the loop (runners/mnist_classifier.py),
# fed to the graph's keep_prob input (train.py), which dropout reads
# (models/layers.py). The registry holds the presets' values (the default a
# flag falls back to), not a hop.
KEEP_PROB_PATH = ["legacy/config.py", "legacy/experiments/mnist_dnn.py", "legacy/runners/mnist_classifier.py",
                  "legacy/train.py", "legacy/models/layers.py"]
KEEP_PROB_HOME = "legacy/models/registry.py"
# Feeds the same keep_prob input with --eval_keep_prob (that flag's path, not this one's).
EVAL_KEEP_PROB_ONLY = "legacy/predictions.py"
# seed: config.py -> experiments/mnist_dnn.py -> runners/mnist_classifier.py
# (tf.set_random_seed, the dataflow's seed) -> data/mnist.py (the batch order)
# and models/layers.py (op seeds and dropout keys from the graph seed).
# runs.py names the run folder after it ("...-seed3") and controls no op.
SEED_PATH = ["legacy/config.py", "legacy/experiments/mnist_dnn.py", "legacy/runners/mnist_classifier.py",
             "legacy/data/mnist.py", "legacy/models/layers.py"]
SEED_LABEL_ONLY = "legacy/runs.py"


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


def test_keep_prob_crosses_five_files_from_flag_to_dropout():
    files = _closure()
    assert _naming(files, "keep_prob") == sorted(set(KEEP_PROB_PATH + [KEEP_PROB_HOME, EVAL_KEEP_PROB_ONLY])
                                                 - {"legacy/experiments/mnist_dnn.py"})
    assert "legacy/experiments/mnist_dnn.py" in files and len(KEEP_PROB_PATH) <= 5


def test_seed_crosses_five_files_from_flag_to_its_ops():
    files = _closure()
    assert _naming(files, "seed") == sorted(set(SEED_PATH + [SEED_LABEL_ONLY]) - {"legacy/experiments/mnist_dnn.py"})
    assert len(SEED_PATH) <= 5


def test_the_scan_sees_code_and_not_prose(tmp_path):
    path = tmp_path / "m.py"
    path.write_text('"""keep_prob in prose."""\n'
                    "# keep_prob in a comment\n"
                    "def f(x, keep_prob):\n"
                    "    return g(x, keep_prob=0.5) + h.keep_prob + define('float', 'keep_prob')\n")
    assert names_in_code(str(path), "keep_prob") == [3, 4, 4, 4]
    assert names_in_code(str(path), "seed") == []
