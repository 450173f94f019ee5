"""The ``legacy`` package: the SWU study's TF1 graph code, data and training loop.

Ranges here are what the code works with; requirements.txt (TF 1.15,
Python 3.7) and requirements-tf2.txt (TF 2.21, Python 3.10-3.13) hold the exact
pins that reproduce the reference numbers.
"""
import ast
import os
import re

from setuptools import find_packages, setup


def _commands():
    """The names of legacy/console.py's COMMANDS, the one list of entry points."""
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "legacy", "console.py")) as handle:
        source = handle.read()
    return list(ast.literal_eval(re.search(r"COMMANDS = (\{.*?\n\})", source, re.S).group(1)))


setup(
    name="swu-legacy",
    version="0.1.0",
    description="Faithful TF 1.x graph-mode re-implementation of the SWU AI Deep Learning study",
    packages=find_packages(include=["legacy", "legacy.*"]),
    python_requires=">=3.7",
    install_requires=[
        "tensorflow>=1.15,<1.16; python_version<'3.8'",
        "tensorpack>=0.11,<0.12",
        "absl-py>=0.9",
        "numpy>=1.16,<1.19; python_version<'3.8'",
        "protobuf>=3.6,<3.21; python_version<'3.8'",
        # The TF 2 lane (Python 3.10-3.13). TensorFlow itself is an extra there,
        # because the CPU and GPU builds are different distributions that must
        # not be installed side by side: pip install -e .[tf2] or .[tf2-gpu].
        "numpy>=1.26,<3; python_version>='3.10'",
        "matplotlib>=3.1",
        "tqdm>=4",
    ],
    extras_require={
        "test": ["pytest>=6"],
        "tf2": ["tensorflow-cpu>=2.16,<3; python_version>='3.10'"],
        "tf2-gpu": ["tensorflow[and-cuda]>=2.16,<3; python_version>='3.10' and sys_platform=='linux'"],
        # intel-tensorflow installs the same `tensorflow` module as the stock
        # wheel, so use this extra in a venv of its own (README, Speed, has the
        # commands and what it measured). Not the default lane.
        "mkl": ["intel-tensorflow==1.15.2; python_version<'3.8'"],
    },
    entry_points={
        # One swu-<name> command per entry of legacy/console.py's COMMANDS (read
        # here without importing the package): each sets its signal handlers
        # before absl, TensorFlow or the experiment loads.
        "console_scripts": ["swu-%s = legacy.console:%s" % (name.replace("_", "-"), name) for name in _commands()],
    },
)
