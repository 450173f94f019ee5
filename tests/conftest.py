"""Shared fixtures. MNIST comes from data/mnist (``make test`` fetches and
verifies it first); a test never downloads on its own except through that
same verified code path."""
import os
import resource
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)


def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true", default=False,
                     help="run the long reproductions marked slow")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: full-size reproduction; runs only with --run-slow")
    config.addinivalue_line("markers", "long: a subprocess or end-to-end test of seconds to minutes; "
                                       "`make test-all` runs it, `make test` does not")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow reproduction: run with `make test-slow`")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def pytest_report_header(config):
    from legacy.tf import TF_VERSION
    import platform
    return "lane: TensorFlow %s on Python %s" % (TF_VERSION, platform.python_version())


def pytest_terminal_summary(terminalreporter):
    from legacy.tf import TF_VERSION
    terminalreporter.write_line("tested against TensorFlow %s" % TF_VERSION)
    # What a tier costs apart from collection and imports, and apart from what else the machine runs:
    # the sum of every test's own setup + call + teardown time, and the CPU time of pytest and its
    # children (subprocess runs), which a busy machine inflates less than wall time.
    reports = [r for key in ("passed", "failed", "error", "skipped") for r in terminalreporter.stats.get(key, [])
               if hasattr(r, "duration")]
    if not reports:
        return
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    terminalreporter.write_line("sum of the tests' durations: %.1f s over %d tests; CPU time %.1f s "
                                "(pytest %.1f s, its children %.1f s)" % (
                                    sum(r.duration for r in reports),
                                    len({r.nodeid for r in reports}),
                                    sum(u.ru_utime + u.ru_stime for u in usage),
                                    usage[0].ru_utime + usage[0].ru_stime, usage[1].ru_utime + usage[1].ru_stime))


@pytest.fixture(autouse=True)
def _runs_in_tmp(tmp_path, monkeypatch):
    """In-process runs without --logdir put their run folder under tmp, not ./runs."""
    from legacy import runs
    monkeypatch.setattr(runs, "ROOT", str(tmp_path / "runs"))


@pytest.fixture(scope="session")
def mnist_dir():
    from legacy.data.mnist_files import ensure_mnist
    return ensure_mnist(os.environ.get("MNIST_DIR", os.path.join(REPO, "data", "mnist")))


@pytest.fixture(scope="session")
def mnist(mnist_dir):
    from legacy.data.mnist import load_mnist
    return load_mnist(mnist_dir, download=False)


def run_config(kind=None, **overrides):
    """The RunConfig (or ``kind``, a feature's config type) a script would
    pass to run_mnist, for in-process runs."""
    from legacy.run_config import RunConfig
    values = dict(data_dir=os.path.join(REPO, "data", "mnist"), download=False, train_limit=2000, epochs=2,
                  batch_size=100, optimizer="gd", learning_rate=0.2, keep_prob=1.0, eval_keep_prob=1.0,
                  seed=0, output="", intra_op_threads=0, inter_op_threads=0, input="graph")
    values.update(overrides)
    return (kind or RunConfig)(**values)
