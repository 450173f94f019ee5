"""MNIST split and fed exactly as the study's ``input_data.read_data_sets``.

The first 5,000 training images are the validation set, the other 55,000 the
training set; the test set has 10,000. Images are flattened to 784 float32 in
[0, 1], labels are one-hot float32. Batches come from a tensorpack dataflow:
``dataset.Mnist`` -> ``ArraySplit`` (a slice, reshuffled every epoch by a
seeded RNG) -> ``BatchData``. With batch 100 that is 550 steps per epoch,
as the original printed.
"""
import collections

import numpy as np
from tensorpack.dataflow import BatchData, RNGDataFlow, dataset

from legacy.data.mnist_files import ensure_mnist
from legacy.errors import UsageError

VALIDATION_SIZE = 5000
NUM_CLASSES = 10

Split = collections.namedtuple("Split", ["images", "labels"])
MnistData = collections.namedtuple("MnistData", ["train", "validation", "test"])


def one_hot(labels, num_classes=NUM_CLASSES):
    out = np.zeros((len(labels), num_classes), dtype=np.float32)
    out[np.arange(len(labels)), labels.astype(np.int64)] = 1.0
    return out


def _as_split(tp_dataset, start=0, stop=None):
    images = tp_dataset.images[start:stop].reshape(-1, 28 * 28)
    return Split(np.ascontiguousarray(images, dtype=np.float32), one_hot(tp_dataset.labels[start:stop]))


def load_mnist(data_dir, download=True, train_limit=None):
    """Verified MNIST as numpy arrays, split as the study did.

    ``train_limit`` keeps only the first N training images (for tests and
    quick looks); validation and test sets stay whole.
    """
    data_dir = ensure_mnist(data_dir, download=download)
    train = dataset.Mnist("train", shuffle=False, dir=data_dir)
    test = dataset.Mnist("test", shuffle=False, dir=data_dir)
    stop = None if train_limit is None else VALIDATION_SIZE + train_limit
    return MnistData(train=_as_split(train, VALIDATION_SIZE, stop),
                     validation=_as_split(train, 0, VALIDATION_SIZE),
                     test=_as_split(test))


def load_for_training(data_dir, download, train_limit, batch_size):
    """MNIST as a run's flags say (--data_dir, --download, --train_limit),
    refusing a --batch_size larger than the training images with one line."""
    data = load_mnist(data_dir, download=download, train_limit=train_limit)
    if len(data.train.images) < batch_size:
        raise UsageError("--batch_size=%d is larger than the %d training images (--train_limit)"
                         % (batch_size, len(data.train.images)))
    return data


class ArraySplit(RNGDataFlow):
    """Yields [image, label] rows of in-memory arrays, reshuffled every epoch.

    The RNG is seeded (tensorpack's default seeds from the PID and clock), so a
    seed fixes the order of every epoch. ``epoch_order`` is the single source
    of that order, so any other input path can replay exactly these batches.
    """

    def __init__(self, images, labels, shuffle=True, seed=0):
        assert len(images) == len(labels)
        self.images, self.labels = images, labels
        self.shuffle, self.seed = shuffle, seed
        self.reset_state()

    def reset_state(self):
        self.rng = np.random.RandomState(self.seed)

    def __len__(self):
        return len(self.images)

    def epoch_order(self):
        idxs = np.arange(len(self.images))
        if self.shuffle:
            self.rng.shuffle(idxs)
        return idxs

    def __iter__(self):
        for k in self.epoch_order():
            yield [self.images[k], self.labels[k]]


def batch_dataflow(split, batch_size, seed, shuffle=True):
    """Batches of ``split``; the incomplete last batch is dropped, as
    ``total_batch = int(num_examples / batch_size)`` did in the original."""
    return BatchData(ArraySplit(split.images, split.labels, shuffle=shuffle, seed=seed),
                     batch_size, remainder=False)
