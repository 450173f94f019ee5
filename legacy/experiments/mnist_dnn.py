"""The study's "4-layer" MNIST network (its README section "Batch Normalization").

784 -> 256 -> 256 -> 256 -> 10, ReLU, dropout after each hidden layer, weights
N(0, 0.01), no biases, GradientDescentOptimizer(0.2), 30 epochs, batch 100.
The study ran it with keep_prob 1.0 and 0.8, and measured test accuracy with
dropout still on (``--eval_keep_prob=0.8`` reproduces that).
"""
import functools

from legacy import cli, flags
from legacy.experiments.mnist_classifier import run_mnist
from legacy.models.mlp import mlp

EXPERIMENT = "mnist_dnn"

flags.define_data_flags()
flags.define_training_flags(EXPERIMENT, epochs=30, batch_size=100, optimizer="gd", learning_rate=0.2,
                            keep_prob=1.0)
flags.define_mlp_flags(hidden=[256, 256, 256])


def main(_):
    fv = flags.ours()
    model = functools.partial(mlp, hidden=flags.parse_int_list(fv["hidden"]), batch_norm=fv["batch_norm"])
    run_mnist(EXPERIMENT, model, fv)


def run():
    cli.run(main)
