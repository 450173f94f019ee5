"""The study's split and batches: 55,000 / 5,000 / 10,000, one-hot labels,
pixels in [0, 1], and a data order fixed by the seed."""
import os

import numpy as np
from tensorpack.dataflow import dataset

from legacy.data.mnist import ArraySplit, batch_dataflow, load_mnist


def test_split_sizes_and_ranges(mnist):
    assert len(mnist.train.images) == 55000
    assert len(mnist.validation.images) == 5000
    assert len(mnist.test.images) == 10000
    for split in mnist:
        assert split.images.dtype == np.float32 and split.images.shape[1] == 784
        assert split.images.min() == 0.0 and split.images.max() == 1.0
        assert split.labels.shape[1] == 10
        assert np.all(split.labels.sum(axis=1) == 1.0)


def test_validation_is_first_5000_training_images(mnist, mnist_dir):
    raw = dataset.Mnist("train", shuffle=False, dir=mnist_dir)
    assert np.array_equal(mnist.validation.images, raw.images[:5000].reshape(-1, 784))
    assert np.array_equal(mnist.train.images[0], raw.images[5000].reshape(784))
    assert np.array_equal(mnist.train.labels.argmax(1), raw.labels[5000:])


def test_train_limit_keeps_first_images(mnist, mnist_dir):
    small = load_mnist(mnist_dir, download=False, train_limit=300)
    assert len(small.train.images) == 300
    assert np.array_equal(small.train.images, mnist.train.images[:300])
    assert len(small.validation.images) == 5000 and len(small.test.images) == 10000


def test_batches_have_study_shapes(mnist):
    flow = batch_dataflow(mnist.train, 100, seed=0)
    assert len(flow) == 550
    images, labels = next(iter(flow))
    assert images.shape == (100, 784) and labels.shape == (100, 10)
    assert np.all(labels.sum(axis=1) == 1.0) and set(np.unique(labels)) == {0.0, 1.0}


def _orders(seed, epochs=2, n=1000):
    flow = ArraySplit(np.arange(n).reshape(n, 1), np.zeros((n, 1)), seed=seed)
    return [np.concatenate([row[0] for row in flow]) for _ in range(epochs)]


def test_shuffle_repeats_for_a_seed_and_changes_each_epoch():
    first, again = _orders(seed=7), _orders(seed=7)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not np.array_equal(first[0], first[1])  # reshuffled every epoch
    assert sorted(first[0]) == list(range(1000))  # a permutation: each image once per epoch
    assert not np.array_equal(first[0], _orders(seed=8)[0])


def test_remainder_is_dropped_like_the_original(mnist):
    split = type(mnist.train)(mnist.train.images[:250], mnist.train.labels[:250])
    assert len(batch_dataflow(split, 100, seed=0)) == 2
    assert sum(1 for _ in batch_dataflow(split, 100, seed=0)) == 2


def test_data_module_does_not_need_tensorflow():
    import subprocess
    import sys
    code = ("import sys; import legacy.data.mnist_files; "
            "sys.exit('tensorflow' in sys.modules)")
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    assert subprocess.run([sys.executable, "-c", code], cwd=repo).returncode == 0
