"""How batches reach the graph, behind one small interface.

An input makes the ``x`` and ``y`` tensors the model is built on
(``tensors()``), and for each epoch yields the ``feed_dict`` of every step
(``epoch()``). ``FeedInput`` is the original's way: numpy batches from a
tensorpack dataflow into ``tf.placeholder``s. A faster in-graph input can
replace it without touching model code.
"""
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

    def epoch(self):
        for images, labels in self.dataflow:
            yield {self.x: images, self.y: labels}
