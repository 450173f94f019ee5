"""The one run configuration: built in one order, immutable, and no code
reads a field that does not exist (a misspelling fails here, not at step
10,000 of a run)."""
import ast
import glob
import os

import pytest

from conftest import REPO
from legacy import config as run_config
from legacy.config import FIELDS, RunConfig
from legacy.models.registry import MODELS

_TUPLE_API = {"_replace", "_asdict", "_fields"}


def _attribute_reads(path, name):
    """(line, attribute) of every ``<name>.<attribute>`` in the file."""
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), path)
    return [(node.lineno, node.attr) for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == name]


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
    path.write_text("def f(config):\n    return config.keep_prb\n")
    assert [attr for _, attr in _attribute_reads(str(path), "config") if attr not in FIELDS] == ["keep_prb"]


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
