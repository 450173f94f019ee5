"""The one run configuration: built in one order, immutable, and no code
reads a field that does not exist (a misspelling fails here, not at step
10,000 of a run)."""
import ast
import glob
import os
import sys

import pytest

from conftest import REPO
from legacy import run_config
from legacy.run_config import FIELDS, RunConfig
from legacy.models.registry import MODELS
from legacy.chapters.chapter_config import ChapterConfig
from legacy.distributed.cluster import ClusterRunConfig
from legacy.pggan.pggan_config import PGGANConfig
from legacy.tensorpack_trainer.trainer import TensorpackConfig

# Each feature package reads its own config type's fields; the core (every
# other module of legacy/, and scripts/) only the study's RunConfig.
PACKAGE_TYPES = {"legacy/chapters/": ChapterConfig, "legacy/distributed/": ClusterRunConfig,
                 "legacy/pggan/": PGGANConfig, "legacy/tensorpack_trainer/": TensorpackConfig}
ALL_FIELDS = set(FIELDS).union(*(kind.FIELDS for kind in PACKAGE_TYPES.values()))
# The core's one module that composes two features builds its own type:
# legacy/experiments/pggan.py's EngineConfig is PGGAN's fields plus --engine.
MODULE_FIELDS = {"legacy/experiments/pggan.py": set(PGGANConfig.FIELDS) | {"engine"}}


def fields_for(rel):
    """The fields code at ``rel`` (a path from the checkout) may read."""
    if rel.startswith("tests/"):
        return ALL_FIELDS
    if rel in MODULE_FIELDS:
        return MODULE_FIELDS[rel]
    for folder, kind in PACKAGE_TYPES.items():
        if rel.startswith(folder):
            return set(kind.FIELDS)
    return set(FIELDS)

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
    # ``run_config`` (``from legacy import run_config``).
    module_names = set(dir(run_config))
    bad = []
    for path in _sources():
        rel = os.path.relpath(path, REPO)
        allowed = fields_for(rel)
        bad += ["%s:%d config.%s" % (rel, line, attr) for line, attr in _attribute_reads(path, "config")
                if attr not in allowed and attr not in _TUPLE_API]
        bad += ["%s:%d run_config.%s" % (rel, line, attr) for line, attr in _attribute_reads(path, "run_config")
                if attr not in module_names]
    assert not bad, "fields that the code's config type does not have: " + ", ".join(bad)


def test_the_core_reads_no_feature_field(tmp_path):
    # The check above is per package: core code reading PGGAN's --dataset fails it.
    assert "dataset" in fields_for("legacy/pggan/training.py")
    assert "dataset" not in fields_for("legacy/runners/mnist_classifier.py")
    assert "job_name" not in fields_for("legacy/pggan/training.py")


def test_feature_types_extend_the_core_and_own_their_fields():
    for kind in PACKAGE_TYPES.values():
        assert list(kind.FIELDS)[:len(FIELDS)] == list(FIELDS)
        assert kind(seed=5).seed == 5
    assert not set(PGGANConfig.FIELDS) - set(FIELDS) & set(ChapterConfig.FIELDS)
    with pytest.raises(TypeError):
        RunConfig(dataset="mnist32")
    assert PGGANConfig(dataset="fashion32").dataset == "fashion32"


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
    with pytest.raises(ValueError, match="is no config field"):
        run_config.define("float", "keep_prb", 0.5, "a misspelt flag")
