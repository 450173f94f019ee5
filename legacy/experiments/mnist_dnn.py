"""The study's "4-layer" MNIST network (its README section "Batch Normalization").

784 -> 256 -> 256 -> 256 -> 10, ReLU, dropout after each hidden layer, weights
N(0, 0.01), no biases, GradientDescentOptimizer(0.2), 30 epochs, batch 100.
The study ran it with keep_prob 1.0 and 0.8, and measured test accuracy with
dropout still on (``--eval_keep_prob=0.8`` reproduces that).

``--preset=mlp`` is golbin's 784-256-256-10 MLP with Adam (15 epochs) and
``--preset=mlp-dropout`` its dropout version (keep 0.8, 30 epochs); flags
given explicitly override a preset.

Example (`make run`): python scripts/mnist_dnn.py --keep_prob=0.8
"""
from legacy import cli, flags
from legacy.experiments import zoo
from legacy.experiments.mnist_classifier import run_mnist

EXPERIMENT = "mnist_dnn"
PRESETS = {"dnn4": {}, "mlp": {"hidden": ["256", "256"]}, "mlp-dropout": {"hidden": ["256", "256"]}}

flags.define_data_flags()
flags.define_training_flags(EXPERIMENT, epochs=30, batch_size=100, optimizer="gd", learning_rate=0.2,
                            keep_prob=1.0)
flags.define_mlp_flags(hidden=[256, 256, 256])
flags.define("enum", "preset", "dnn4", sorted(PRESETS),
              "dnn4: the study's 4-layer GD network; mlp: golbin's Adam MLP; mlp-dropout: with keep 0.8.")


def main(_):
    fv = flags.ours()
    preset = fv["preset"]
    flags.apply_preset(fv, dict(zoo.MODELS[preset].defaults, **PRESETS[preset]))
    experiment = EXPERIMENT if preset == "dnn4" else "%s_%s" % (EXPERIMENT, preset)
    run_mnist(experiment, zoo.MODELS[preset].build(fv), fv)


def run():
    cli.run(main)
