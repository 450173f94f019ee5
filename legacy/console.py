"""Every entry point of the project, in one list: ``COMMANDS``.

scripts/<name>.py is ``startup.launch(COMMANDS[name])`` (tests/test_cli.py
checks each script against this list), and setup.py reads this list for its
swu-<name> console commands, whose wrapper imports only this module (``os``
and ``signal``), so a signal while absl, TensorFlow and the experiment load
is one line, not a traceback. (An old setuptools' wrapper imports
``pkg_resources`` first, which takes a fraction of a second in which
Python's default still holds.)
"""
from legacy import startup

# script name -> the module whose main() it runs (legacy/cli.py launch).
COMMANDS = {
    # the 2021 study
    "fetch_mnist": "legacy.data.fetch_mnist",
    "make_data": "legacy.data.make_data",
    "mnist_dnn": "legacy.experiments.mnist_dnn",
    "mnist_cnn": "legacy.experiments.mnist_cnn",
    "linear_regression": "legacy.experiments.linear_regression",
    "logistic_regression": "legacy.experiments.logistic_regression",
    "animals_dnn": "legacy.experiments.animals_dnn",
    "compare_optimizers": "legacy.experiments.compare_optimizers",
    "lr_sweep": "legacy.experiments.lr_sweep",
    "reproduce": "legacy.study.reproduce",
    "benchmark": "legacy.study.benchmark",
    "plot_scalars": "legacy.events",
    # golbin's other chapters
    "word2vec": "legacy.chapters.word2vec",
    "rnn_mnist": "legacy.chapters.rnn_mnist",
    "autocomplete": "legacy.chapters.autocomplete",
    "seq2seq": "legacy.chapters.seq2seq",
    "autoencoder": "legacy.chapters.autoencoder",
    "gan": "legacy.chapters.gan",
    "dqn": "legacy.chapters.dqn",
    # PGGAN
    "pggan": "legacy.experiments.pggan",
    "pggan_study": "legacy.pggan.study",
    # tensorpack's trainer
    "mnist_tensorpack": "legacy.tensorpack_trainer.mnist_tensorpack",
    # the PS/worker cluster
    "launch_cluster": "legacy.distributed.launcher",
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
