"""The one run configuration: built in one order, immutable, and no code
reads a field that does not exist (a misspelling fails here, not at step
10,000 of a run)."""
import ast
import glob
import os
import sys

import pytest

from conftest import REPO
from legacy import config as run_config
from legacy.config import FIELDS, RunConfig
from legacy.models.registry import MODELS

_TUPLE_API = {"_replace", "_asdict", "_fields"}


def string_value(node):
    """The text of a string literal node, else None (Python 3.7 parses them as ast.Str)."""
    if sys.version_info < (3, 8):
        return node.s if isinstance(node, ast.Str) else None
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _names(node, name):
    """Whether ``node`` is the object called ``name``: ``name``, ``<anything>.name``
    (``self.config``) or ``<anything>["name"]`` (``report["config"]``)."""
    if isinstance(node, ast.Name):
        return node.id == name
    if isinstance(node, ast.Attribute):
        return node.attr == name
    if isinstance(node, ast.Subscript):
        key = node.slice.value if isinstance(node.slice, ast.Index) else node.slice  # 3.7 wraps it in ast.Index
        return string_value(key) == name
    return False


def _attribute_reads(path, name):
    """(line, attribute) of every ``<name>.<attribute>`` in the file, with
    ``<name>`` also reached as an attribute or a string key (``_names``)."""
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), path)
    return [(node.lineno, node.attr) for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and _names(node.value, name)]


def _sources():
    for folder in ("legacy", "scripts", "tests"):
        for path in glob.glob(os.path.join(REPO, folder, "**", "*.py"), recursive=True):
            if os.path.basename(path) != "conftest.py":  # pytest's own ``config`` lives there
                yield path


def test_every_config_field_read_in_the_code_exists():
    # By convention the RunConfig is called ``config`` and the module
    # ``run_config`` (``from legacy import config as run_config``).
    module_names = set(dir(run_config))
    bad = []
    for path in _sources():
        rel = os.path.relpath(path, REPO)
        bad += ["%s:%d config.%s" % (rel, line, attr) for line, attr in _attribute_reads(path, "config")
                if attr not in FIELDS and attr not in _TUPLE_API]
        bad += ["%s:%d run_config.%s" % (rel, line, attr) for line, attr in _attribute_reads(path, "run_config")
                if attr not in module_names]
    assert not bad, "fields that RunConfig does not have: " + ", ".join(bad)


def test_the_check_finds_a_misspelling(tmp_path):
    path = tmp_path / "typo.py"
    path.write_text("def f(config, report):\n"
                    "    a = config.keep_prb\n"
                    "    b = self.config.sed\n"
                    "    c = report['config'].epoch\n"
                    "    return config.keep_prob + self.config.seed + report['config'].epochs + other.keep_prb\n")
    found = [attr for _, attr in _attribute_reads(str(path), "config") if attr not in FIELDS]
    assert sorted(found) == ["epoch", "keep_prb", "sed"]


def test_config_is_immutable_and_refuses_unknown_fields():
    config = RunConfig(seed=3)
    with pytest.raises(AttributeError):
        config.seed = 4
    with pytest.raises(TypeError):
        RunConfig(keep_prb=0.5)
    with pytest.raises(ValueError):
        config._replace(keep_prb=0.5)
    assert config._replace(seed=4).seed == 4 and config.seed == 3


def test_every_registry_setting_is_a_field():
    for name, entry in MODELS.items():
        assert set(entry.settings) <= set(FIELDS), name
        assert RunConfig(**entry.settings).epochs == entry.settings["epochs"]


def test_defining_a_flag_that_is_no_field_fails():
    with pytest.raises(ValueError, match="not a RunConfig field"):
        run_config.define("float", "keep_prb", 0.5, "a misspelt flag")
