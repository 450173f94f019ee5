"""The swu-* commands of ``pip install -e .`` (setup.py's entry points).

Each is ``startup.launch`` of its module, as scripts/*.py are: the command's
wrapper imports only this module (``os`` and ``signal``), so a signal while
absl, TensorFlow and the experiment load is one line, not a traceback. (An
old setuptools' wrapper imports ``pkg_resources`` first, which takes a
fraction of a second in which Python's default still holds.)
"""
from legacy import startup

COMMANDS = {
    "fetch_mnist": "legacy.data.fetch_mnist", "make_data": "legacy.data.make_data",
    "mnist_dnn": "legacy.experiments.mnist_dnn", "mnist_cnn": "legacy.experiments.mnist_cnn",
    "linear_regression": "legacy.experiments.linear_regression",
    "logistic_regression": "legacy.experiments.logistic_regression",
    "animals_dnn": "legacy.experiments.animals_dnn", "compare_optimizers": "legacy.experiments.compare_optimizers",
    "lr_sweep": "legacy.experiments.lr_sweep", "reproduce": "legacy.study.reproduce",
    "benchmark": "legacy.study.benchmark",
}


def main(name):
    """Run the command ``name`` (a key of COMMANDS)."""
    startup.launch(COMMANDS[name])


def fetch_mnist():
    main("fetch_mnist")


def make_data():
    main("make_data")


def mnist_dnn():
    main("mnist_dnn")


def mnist_cnn():
    main("mnist_cnn")


def linear_regression():
    main("linear_regression")


def logistic_regression():
    main("logistic_regression")


def animals_dnn():
    main("animals_dnn")


def compare_optimizers():
    main("compare_optimizers")


def lr_sweep():
    main("lr_sweep")


def reproduce():
    main("reproduce")


def benchmark():
    main("benchmark")
