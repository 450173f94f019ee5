"""The study's "4-layer" MNIST network (its README section "Batch Normalization").

784 -> 256 -> 256 -> 256 -> 10, ReLU, dropout after each hidden layer, weights
N(0, 0.01), no biases, GradientDescentOptimizer(0.2), 30 epochs, batch 100.
The study ran it with keep_prob 1.0 and 0.8, and measured test accuracy with
dropout still on (``--eval_keep_prob=0.8`` reproduces that).

``--preset`` picks another MLP of the registry with its original settings:
``mlp`` is golbin's 784-256-256-10 MLP with Adam (15 epochs), ``mlp-dropout``
its dropout version (keep 0.8, 30 epochs), ``bn-lab`` hunkim's BN lab network
as hunkim wrote it (784-32-32-10, Glorot-uniform weights with biases, Adam
0.01, 10 epochs, batch 32; with ``--batch_norm`` its BN half), ``bn-lab-study``
the same sizes with the study's N(0, 0.01) weights and no biases; flags given
explicitly override a preset.

Example (`make run`): python scripts/mnist_dnn.py --keep_prob=0.8
"""
from legacy import run_config
from legacy.distributed import cluster
from legacy.runners.mnist_classifier import run_mnist
from legacy.models.registry import MLPS, MODELS

EXPERIMENT = "mnist_dnn"
DEFAULT = "dnn4"

run_config.define_data_flags()
cluster.define_cluster_flags()
run_config.define_training_flags(EXPERIMENT, MODELS[DEFAULT].settings)
run_config.define_mlp_flags(hidden=MODELS[DEFAULT].settings["hidden"])
run_config.define("enum", "preset", DEFAULT, MLPS,
                  "The network and its original settings: %s." % "; ".join(
                      "%s: %s" % (name, MODELS[name].source) for name in MLPS))


def main(_):
    preset = run_config.FLAGS.preset
    config = run_config.build(MODELS[preset].settings, kind=cluster.ClusterRunConfig)
    experiment = EXPERIMENT if preset == DEFAULT else "%s_%s" % (EXPERIMENT, preset)
    cluster.run_classifier(run_mnist, experiment, MODELS[preset].build(config), config)
