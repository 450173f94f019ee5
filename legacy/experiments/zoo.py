"""The study's MNIST models by name, each with the hyper-parameters it ran with.

Scripts pick from here, so a model and its original settings are written
once: ``mnist_dnn.py --preset``, ``mnist_cnn.py --variant`` and the
``--model`` of the comparison and sweep scripts all resolve to these entries.
"""
import collections
import functools

from legacy.models.cnn import cnn
from legacy.models.mlp import mlp
from legacy.models.regression import softmax_regression

Entry = collections.namedtuple("Entry", ["build", "defaults", "source"])


def _mlp(hidden, **options):
    """An MLP entry; a script's --hidden and --batch_norm, when it has them, win."""
    return lambda fv: functools.partial(mlp, hidden=[int(h) for h in fv.get("hidden") or hidden],
                                        batch_norm=fv.get("batch_norm", False), **options)


MODELS = {
    # The study's "4-layer" network (README section "Batch Normalization").
    "dnn4": Entry(_mlp([256, 256, 256]),
                  dict(optimizer="gd", learning_rate=0.2, epochs=30, batch_size=100, keep_prob=1.0),
                  "SWU 4-layer MLP, GD 0.2"),
    # golbin 06: 784-256-256-10 with Adam; its dropout version is "mlp-dropout".
    "mlp": Entry(_mlp([256, 256]),
                 dict(optimizer="adam", learning_rate=0.001, epochs=15, batch_size=100, keep_prob=1.0),
                 "golbin 06 MLP, Adam 0.001"),
    "mlp-dropout": Entry(_mlp([256, 256]),
                         dict(optimizer="adam", learning_rate=0.001, epochs=30, batch_size=100, keep_prob=0.8),
                         "golbin 06 MLP + dropout 0.8, Adam 0.001"),
    # hunkim's lab-10-6 as hunkim wrote it: tf.layers.dense (Glorot-uniform
    # weights, zero biases) and tf.layers.batch_normalization (momentum 0.99).
    # The plan's older bn_lab_* rows keep the study's N(0, 0.01) without
    # biases: that is BN added to the study's own networks.
    "bn-lab": Entry(_mlp([32, 32], init="glorot", use_bias=True, bn_decay=0.99),
                    dict(optimizer="adam", learning_rate=0.01, epochs=10, batch_size=32, keep_prob=1.0),
                    "hunkim lab-10-6 784-32-32-10, Glorot + biases, Adam 0.01"),
    # golbin 07: the CNN the study ran first.
    "cnn": Entry(lambda fv: functools.partial(cnn, variant="golbin"),
                 dict(optimizer="adam", learning_rate=0.001, epochs=15, batch_size=100, keep_prob=0.7),
                 "golbin 07 CNN, Adam 0.001"),
    # The study's own CNN of its Adam-vs-RMSProp comparison.
    "cnn-swu": Entry(lambda fv: functools.partial(cnn, variant="swu"),
                     dict(optimizer="adam", learning_rate=0.001, epochs=15, batch_size=100, keep_prob=0.8),
                     "SWU CNN (dropout after pools, 2 dense), Adam 0.001"),
    # TF1's "MNIST for ML beginners" baseline.
    "softmax": Entry(lambda fv: softmax_regression,
                     dict(optimizer="gd", learning_rate=0.5, epochs=2, batch_size=100, keep_prob=1.0),
                     "softmax regression 784-10, GD 0.5"),
}

# What each optimizer gets in a comparison unless --learning_rates says
# otherwise: the rates the study's sources used with it (GD 0.2 as in the
# 4-layer net, Adam/RMSProp 0.001 as in the CNN comparison, Adagrad 0.01 and
# momentum 0.01 as in TF1 tutorials), since one rate for all is unfair to all.
DEFAULT_RATES = {"gd": 0.2, "adam": 0.001, "rmsprop": 0.001, "adagrad": 0.01, "momentum": 0.01}
