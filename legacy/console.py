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


def _command(name):
    def command():
        main(name)
    command.__name__ = command.__qualname__ = name
    command.__doc__ = "swu-%s: runs %s" % (name.replace("_", "-"), COMMANDS[name])
    return command


# One function per command (fetch_mnist, mnist_dnn, ...), the names setup.py's entry points give.
globals().update((name, _command(name)) for name in COMMANDS)
