"""MNIST CNNs: golbin's (the study's first) and the study's comparison network.

``--variant=golbin``: conv 3x3x32 SAME ReLU, max-pool 2x2/2; conv 3x3x64,
max-pool; flatten 3136 -> 256 ReLU -> dropout -> 10; Adam 0.001, keep 0.7 in
training, 15 epochs, batch 100.
``--variant=swu``: dropout after each pool too and a second dense layer
256 -> 256; keep 0.8. The study evaluated it with dropout still on; that is
``--eval_keep_prob=0.8``, while the default 1.0 is the fixed version.

Example (the study's run): python scripts/mnist_cnn.py --variant=swu --eval_keep_prob=0.8
"""
from legacy import run_config
from legacy.distributed import cluster
from legacy.runners.mnist_classifier import run_mnist
from legacy.models.registry import MODELS

EXPERIMENT = "mnist_cnn"
VARIANT_MODEL = {"golbin": "cnn", "swu": "cnn-swu"}

run_config.define_data_flags()
cluster.define_cluster_flags()
run_config.define_training_flags(EXPERIMENT, MODELS["cnn"].settings)
run_config.define("enum", "variant", "golbin", sorted(VARIANT_MODEL),
                  "golbin: the tutorial CNN (keep 0.7); swu: the study's comparison CNN (keep 0.8).")


def main(_):
    variant = run_config.FLAGS.variant
    entry = MODELS[VARIANT_MODEL[variant]]
    config = run_config.build(entry.settings, kind=cluster.ClusterRunConfig)
    experiment = EXPERIMENT if variant == "golbin" else "%s_%s" % (EXPERIMENT, variant)
    cluster.run_classifier(run_mnist, experiment, entry.build(config), config)
