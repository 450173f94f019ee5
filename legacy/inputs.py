"""How batches reach the graph, behind one small interface.

An input makes the ``x`` and ``y`` tensors the model is built on
(``tensors()``), prepares a new session (``start(sess)``, which the loop
calls), and for each epoch yields the ``feed_dict`` of every step
(``epoch()``). Both inputs below take their batches from the same tensorpack
dataflow (``BatchData`` over ``ArraySplit``), so for one seed they train on
exactly the same batches; a checkpoint that saves the ArraySplit's RNG state
at the start of an epoch and the number of batches done resumes either of
them the same way.

- ``FeedInput`` (``--input=feed``) is the original's way: numpy batches into
  ``tf.placeholder``s of shape ``[None, 784]``.
- ``GraphInput`` (``--input=graph``) keeps the split in the session and
  feeds only each batch's 100 row numbers; a ``tf.gather`` picks the rows.
  The static batch dimension of its tensors is what makes it fast: with a
  known batch size Grappler folds the shape arithmetic of dropout and of the
  gradients, which with ``[None, 784]`` runs as small ops every step (see
  docs/speed.md).
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

    def start(self, sess):
        """Whatever the input needs in a new session before its first step (nothing here)."""

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


class GraphInput(FeedInput):
    """Batches of a known size gathered in the graph; each step feeds only its
    100 row numbers.

    A FeedInput in all but how the batch gets in: it shares the dataflow, its
    length and anything else that reads the dataflow's RNG.

    ``dataflow`` is the same ``BatchData(ArraySplit)`` FeedInput iterates;
    here only its ``epoch_order()`` is used, so both inputs draw the same
    permutation from the same RNG, and a resumed run that restores that RNG
    replays the same batches. Each yielded feed holds that step's row numbers
    (``epoch_rows``), so skipping the first k feeds of an epoch skips exactly
    k batches.

    The split lives in two local variables (``train_split/images``,
    ``labels``), filled from the verified arrays once per session by
    ``start`` (the loop calls it); ``x`` and ``y`` are ``tf.gather``s of the
    fed rows, with a static batch dimension. That static shape is what makes
    it fast: Grappler folds the shape arithmetic of dropout and of the
    gradients, which with ``[None, 784]`` runs as small ops every step. Local
    variables are neither saved nor hashed, and their initial value is a
    placeholder, so checkpoints and meta graphs stay small. How this came
    about (a ``tf.py_func`` gather until 2026-12-04, then fed rows) and what
    each cost: docs/speed.md. Every random op of the models has an explicit
    op seed (legacy/models/layers.py), so the ops this input adds change no
    initial weight or dropout mask: both inputs train the same numbers.

    ``evaluate`` in legacy/train.py feeds ``x`` and ``y`` themselves, in
    chunks of the static batch size (feeding a gather's output is allowed in
    TF1, and then the gather does not run).
    """

    name = "graph"

    def __init__(self, dataflow, feature_shape):
        split = getattr(dataflow, "ds", None)
        if not hasattr(split, "epoch_order") or getattr(dataflow, "remainder", False):
            raise ValueError("GraphInput needs BatchData(ArraySplit, remainder=False), as batch_dataflow makes")
        super(GraphInput, self).__init__(dataflow, feature_shape)
        self.split = split
        self.batch_size = dataflow.batch_size

    def tensors(self, num_classes):
        images, labels = self.split.images, self.split.labels
        if (images.dtype != np.float32 or labels.dtype != np.float32
                or list(images.shape[1:]) != self.feature_shape or labels.shape[1:] != (num_classes,)):
            raise ValueError("arrays %s %s, %s %s do not match float32 features %s and %d classes"
                             % (images.dtype, images.shape, labels.dtype, labels.shape, self.feature_shape,
                                num_classes))
        self.index = tf.placeholder(tf.int32, [self.batch_size], name="index")
        self.fill = {}
        with tf.name_scope("train_split"):
            tables = []
            for name, array in (("images", images), ("labels", labels)):
                value = tf.placeholder(array.dtype, array.shape, name=name + "_value")
                tables.append(tf.Variable(value, trainable=False, collections=[tf.GraphKeys.LOCAL_VARIABLES],
                                          name=name))
                self.fill[value] = array
            self.initializer = tf.group(*[table.initializer for table in tables], name="fill")
        self.x = tf.gather(tables[0], self.index, name="X")
        self.y = tf.gather(tables[1], self.index, name="Y")
        return self.x, self.y

    def start(self, sess):
        """Copies the split into the graph's tables (once per session)."""
        sess.run(self.initializer, self.fill)

    def epoch_rows(self, skip=0):
        """The row numbers of each batch of one epoch; ``skip`` drops the
        first batches (a resumed run's), after drawing the whole order as
        FeedInput does (once per epoch, however far the epoch runs)."""
        order = self.split.epoch_order()
        size = self.batch_size
        for step in range(skip, self.steps_per_epoch):
            yield order[step * size:(step + 1) * size]

    def epoch(self, skip=0):
        """Feed dicts of one epoch: the row numbers ``epoch_rows`` names."""
        for rows in self.epoch_rows(skip):
            yield {self.index: rows}


INPUTS = {"feed": FeedInput, "graph": GraphInput}


def make_input(name, dataflow, feature_shape):
    """The input called ``name`` (a ``--input`` value) over ``dataflow``."""
    return INPUTS[name](dataflow, feature_shape)
