"""The ``legacy`` package: the SWU study's TF1 graph code, data and training loop.

Ranges here are what the code works with; requirements.txt (TF 1.15,
Python 3.7) and requirements-tf2.txt (TF 2.21, Python 3.10-3.13) hold the exact
pins that reproduce the reference numbers.
"""
from setuptools import find_packages, setup

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
        # legacy/console.py: each command sets its signal handlers before absl,
        # TensorFlow or the experiment loads, then runs legacy/<module>.run.
        "console_scripts": [
            "swu-%s = legacy.console:%s" % (name.replace("_", "-"), name)
            for name in ("fetch_mnist", "make_data", "mnist_dnn", "mnist_cnn", "linear_regression",
                         "logistic_regression", "animals_dnn", "compare_optimizers", "lr_sweep", "reproduce",
                         "benchmark")
        ],
    },
)
