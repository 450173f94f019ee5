"""golbin 10/01: MNIST read by an RNN, each image as 28 steps of 28 pixels.

A BasicRNNCell of 128 units (written out in legacy/chapters/rnn.py, as TF 2.21
has no rnn_cell without Keras 2), its last output -> W [128, 10] + b, softmax
cross-entropy, Adam 0.001, 30 epochs, batch 128. Prints golbin's
``Epoch: 0001 Avg. cost = 0.xxx`` lines, ``최적화 완료!`` and ``정확도:``.
The model is the registry's "rnn" entry, so compare_optimizers.py and
lr_sweep.py take ``--model=rnn`` too.

Example: python scripts/rnn_mnist.py --epochs=30
"""
from legacy import run_config
from legacy.models.registry import MODELS
from legacy.runners.mnist_classifier import run_mnist

EXPERIMENT = "rnn_mnist"
MODEL = "rnn"

run_config.define_data_flags()
run_config.define_training_flags(EXPERIMENT, MODELS[MODEL].settings)


def main(_):
    config = run_config.build(MODELS[MODEL].settings)
    run_mnist(EXPERIMENT, MODELS[MODEL].build(config), config)
