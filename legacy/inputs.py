"""How batches reach the graph, behind one small interface.

An input makes the ``x`` and ``y`` tensors the model is built on
(``tensors()``), and for each epoch yields the ``feed_dict`` of every step
(``epoch()``). ``FeedInput`` is the original's way: numpy batches from a
tensorpack dataflow into ``tf.placeholder``s. A faster in-graph input can
replace it without touching model code.
"""
import numpy as np

from legacy.tf import tf


class FeedInput(object):
    """Batches from a tensorpack dataflow, fed to placeholders."""

    name = "feed"

    def __init__(self, dataflow, feature_shape):
        self.dataflow = dataflow
        self.feature_shape = list(feature_shape)
        self.x = self.y = None

    @property
    def steps_per_epoch(self):
        return len(self.dataflow)

    def tensors(self, num_classes):
        self.x = tf.placeholder(tf.float32, [None] + self.feature_shape, name="X")
        self.y = tf.placeholder(tf.float32, [None, num_classes], name="Y")
        return self.x, self.y

    def epoch(self, skip=0):
        """Feed dicts of one epoch; ``skip`` drops the first batches, which a
        resumed run already trained on (their order still comes from the RNG)."""
        for i, (images, labels) in enumerate(self.dataflow):
            if i >= skip:
                yield {self.x: images, self.y: labels}

    def rng_state(self):
        """The data order's RNG state, JSON-ready; taken at the start of an
        epoch it fixes that epoch's batches (see legacy/checkpoints.py)."""
        return rng_to_json(_rng_of(self.dataflow).get_state())

    def set_rng_state(self, state):
        _rng_of(self.dataflow).set_state(rng_from_json(state))


def _rng_of(dataflow):
    """The RandomState of the first dataflow in the ``.ds`` chain that has one
    (tensorpack's RNGDataFlow, here ``ArraySplit`` under ``BatchData``)."""
    df = dataflow
    while df is not None:
        if hasattr(df, "rng"):
            return df.rng
        df = getattr(df, "ds", None)
    raise TypeError("dataflow %r has no RNG to save; resume needs one" % (dataflow,))


def rng_to_json(state):
    name, keys, pos, has_gauss, cached = state
    return [name, [int(k) for k in keys], int(pos), int(has_gauss), float(cached)]


def rng_from_json(state):
    name, keys, pos, has_gauss, cached = state
    return (name, np.array(keys, dtype=np.uint32), pos, has_gauss, cached)
