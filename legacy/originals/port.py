"""What every port adds to its original, in one place: flags, data, output.

The ports in this folder are the study's scripts as they were written; the
only lines they add call this module, and each such line is marked with a
``# port:`` comment. What is added, and why:

- ``--seed``: ``tf.set_random_seed`` and the order of the batches. With the
  explicit op seeds 1, 2, 3... that the ports give their ``tf.random_*``
  initialisers (the library's ``layers.op_seed`` numbers its weights the same
  way), a port and the library command start from the same weights for the
  same seed.
- ``--data_dir``: the project's verified MNIST (legacy/data/mnist.py), because
  ``input_data.read_data_sets`` downloads from a host that is gone.
  ``read_data_sets`` below hands out batches with ``next_batch`` exactly as
  the library's dataflow does: a fresh permutation from a RandomState(seed)
  every epoch, the incomplete last batch dropped.
- ``--epochs`` / ``--steps``: a limit, for quick looks and tests
  (default: the original's count). ``--train_limit``: the first N training
  images only.
- ``--output``: a JSON of what the run printed (per-step costs too), for the
  equivalence tests and the measurements; ``--plot``: where the 2x5 figure
  goes instead of ``plt.show()``.
- ``--nodropout``: feed keep_prob 1.0 in training. Only the equivalence tests
  use it: the masks of ``tf.nn.dropout`` and of the library's stateless
  dropout come from different random streams, so costs can agree exactly
  only without dropout (tests/test_originals.py shows separately that the
  two draw masks from the same distribution).

Flags are defined only when a port runs as a program (``run``), so that the
ports can be imported next to the library's scripts, whose flags share names.
"""
import collections
import os
import time

import numpy as np

from legacy import fileio, results
from legacy.data.mnist import ArraySplit, load_mnist

Args = collections.namedtuple("Args", ["data_dir", "seed", "epochs", "steps", "train_limit", "output", "plot",
                                       "dropout"])


def args(**overrides):
    """The port's settings: the defaults, then ``overrides`` (tests call ports in-process this way)."""
    values = dict(data_dir=os.path.join(results.REPO, "data", "mnist"), seed=0, epochs=None, steps=None,
                  train_limit=None, output="", plot="", dropout=True)
    values.update(overrides)
    return Args(**values)


def limit(given, original):
    """``--epochs`` / ``--steps`` if given, else the original's count."""
    return original if given is None else given


class Split(object):
    """``mnist.train`` / ``mnist.test`` of input_data, over the verified arrays."""

    def __init__(self, images, labels, seed):
        self.images, self.labels = images, labels
        self.num_examples = len(images)
        self._flow = ArraySplit(images, labels, shuffle=True, seed=seed)
        self._order, self._pos = None, 0

    def next_batch(self, batch_size):
        """The next ``batch_size`` rows of this epoch's permutation; a new
        permutation once fewer than ``batch_size`` rows are left (the library's
        ``BatchData(remainder=False)``)."""
        if self._order is None or self._pos + batch_size > self.num_examples:
            self._order, self._pos = self._flow.epoch_order(), 0
        index = self._order[self._pos:self._pos + batch_size]
        self._pos += batch_size
        return self.images[index], self.labels[index]


Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])


def read_data_sets(a, one_hot=True):
    """``input_data.read_data_sets(dir, one_hot=True)`` from the verified MNIST files."""
    if not one_hot:
        raise ValueError("the study read MNIST with one_hot=True only")
    data = load_mnist(a.data_dir, download=False, train_limit=a.train_limit)
    return Datasets(*(Split(s.images, s.labels, a.seed) for s in data))


class Recorder(object):
    """What a run printed, kept for ``--output``."""

    def __init__(self, name, a):
        self.name, self.a = name, a
        self.values = collections.OrderedDict(step_costs=[], epoch_avg_cost=[])
        self.final_weights = None
        self.start = time.time()
        if a.output:
            fileio.check_writable_path(a.output)
        if a.plot:
            fileio.check_writable_path(a.plot, "--plot")

    def step(self, cost):
        self.values["step_costs"].append(float(cost))

    def epoch(self, avg_cost):
        self.values["epoch_avg_cost"].append(float(avg_cost))

    def set(self, **values):
        for key, value in values.items():
            self.values[key] = value.tolist() if hasattr(value, "tolist") else value

    def weights(self, values):
        """The trained weights, in the original's order (returned by ``finish``, not written)."""
        self.final_weights = [np.asarray(v) for v in values]

    def finish(self):
        record = {"original": self.name, "port_args": dict(self.a._asdict()), "metrics": dict(self.values),
                  "environment": results.environment(),
                  "wall_seconds": round(time.time() - self.start, 1)}
        if self.a.output:
            fileio.write_json(self.a.output, record)
        record["weights"] = self.final_weights
        return record


def save_figure(fig, a):
    """``plt.show()`` of the original, as a file: ``--plot`` (nothing without it)."""
    if a.plot:
        fig.savefig(a.plot, dpi=80)


def pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _define_flags():
    from absl import flags
    flags.DEFINE_string("data_dir", "data/mnist", "Folder of the verified MNIST files (make data).")
    flags.DEFINE_integer("seed", 0, "Graph seed (tf.set_random_seed) and seed of the batch order.")
    flags.DEFINE_integer("epochs", None, "Stop after this many epochs (default: the original's).")
    flags.DEFINE_integer("steps", None, "Stop after this many steps, for the full-batch scripts (default: "
                         "the original's).")
    flags.DEFINE_integer("train_limit", None, "Use only the first N training images.")
    flags.DEFINE_string("output", "", "Write what the run printed, per-step costs too, to this JSON.")
    flags.DEFINE_string("plot", "", "Save the original's 2x5 figure of test digits to this PNG.")
    flags.DEFINE_bool("dropout", True, "--nodropout feeds keep_prob 1.0 in training (equivalence tests only).")
    for name in ("epochs", "steps", "train_limit"):
        flags.register_validator(name, lambda v: v is None or v >= 0, message="--%s must be >= 0" % name)
    return flags.FLAGS


def run(train):
    """``python -m legacy.originals.<name> [--flags]``: parse, then ``train(args)``."""
    from legacy import cli
    flag_values = _define_flags()

    def main(_):
        train(args(**{name: flag_values[name].value for name in Args._fields}))

    cli.run(main)


def dropout_keep(a, keep_prob):
    """The keep_prob a port feeds in training: the original's, or 1.0 with --nodropout."""
    return keep_prob if a.dropout else 1.0


def as_float32(values):
    return np.asarray(values, dtype=np.float32)
