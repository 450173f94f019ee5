"""The study's MNIST models by name, each with the hyper-parameters it ran with.

This is the one home of every model's original settings (epochs, batch size,
optimizer, learning rate, keep_prob, widths): ``mnist_dnn.py --preset``,
``mnist_cnn.py --variant``, the ``--model`` of the comparison and sweep
scripts, ``make bench`` and ``make reproduce`` all resolve to these entries,
and the scripts take their flag defaults from them.
"""
import collections
import functools


class ModelEntry(collections.namedtuple("ModelEntry", ["source", "settings", "builder"])):
    """``settings``: the original hyper-parameters, as RunConfig fields;
    ``builder(config)``: the model function ``logits = model(x)`` for a
    RunConfig (whose --hidden, --batch_norm win)."""

    def build(self, config):
        return self.builder(config)


def _mlp(config, **options):
    from legacy.models.mlp import mlp
    return functools.partial(mlp, hidden=list(config.hidden), batch_norm=config.batch_norm, **options)


def _hunkim_dense(config):
    """tf.layers.dense as hunkim's labs use it: Glorot-uniform weights, zero
    biases; tf.layers.batch_normalization's momentum 0.99."""
    return _mlp(config, init="glorot", use_bias=True, bn_decay=0.99)


def _cnn(variant):
    def build(config):
        from legacy.models.cnn import cnn
        return functools.partial(cnn, variant=variant)
    return build


def _tensorpack_convnet(config):
    from legacy.tensorpack_trainer.convnet import tensorpack_convnet
    return tensorpack_convnet


def _rnn(config):
    from legacy.chapters.rnn import rnn_mnist
    return rnn_mnist


def _softmax(config):
    from legacy.models.regression import softmax_regression
    return softmax_regression


def _settings(epochs, optimizer, learning_rate, keep_prob, batch_size=100, **network):
    return dict(epochs=epochs, batch_size=batch_size, optimizer=optimizer, learning_rate=learning_rate,
                keep_prob=keep_prob, **network)


BN_LAB = _settings(10, "adam", 0.01, 1.0, batch_size=32, hidden=(32, 32))

MODELS = collections.OrderedDict([
    # The study's "4-layer" network (README section "Batch Normalization").
    ("dnn4", ModelEntry("SWU 4-layer MLP, GD 0.2",
                        _settings(30, "gd", 0.2, 1.0, hidden=(256, 256, 256)), _mlp)),
    # golbin 06: 784-256-256-10 with Adam; its dropout version is "mlp-dropout".
    ("mlp", ModelEntry("golbin 06 MLP, Adam 0.001", _settings(15, "adam", 0.001, 1.0, hidden=(256, 256)), _mlp)),
    ("mlp-dropout", ModelEntry("golbin 06 MLP + dropout 0.8, Adam 0.001",
                               _settings(30, "adam", 0.001, 0.8, hidden=(256, 256)), _mlp)),
    # hunkim's lab-10-6, the BN lab the study's README section points to, as
    # hunkim wrote it: 784-32-32-10, Adam 0.01, 10 epochs, batch 32
    # (--batch_norm adds its BN half).
    ("bn-lab", ModelEntry("hunkim lab-10-6 784-32-32-10, Glorot + biases, Adam 0.01, batch 32", BN_LAB,
                          _hunkim_dense)),
    # The same network with the study's own init (N(0, 0.01), no biases): BN
    # as the study would have added it to its networks.
    ("bn-lab-study", ModelEntry("hunkim lab-10-6 sizes with the study's N(0, 0.01) init, Adam 0.01, batch 32",
                                BN_LAB, _mlp)),
    # golbin 07: the CNN the study ran first.
    ("cnn", ModelEntry("golbin 07 CNN, Adam 0.001", _settings(15, "adam", 0.001, 0.7), _cnn("golbin"))),
    # The study's own CNN of its Adam-vs-RMSProp comparison.
    ("cnn-swu", ModelEntry("SWU CNN (dropout after pools, 2 dense), Adam 0.001", _settings(15, "adam", 0.001, 0.8),
                           _cnn("swu"))),
    # tensorpack's anchor, examples/basics/mnist-convnet.py ("about 0.6% validation
    # error after 30 epochs"): batch 128, Adam 1e-3 x 0.3 every 468 * 10 steps,
    # dropout rate 0.5. Its schedule needs mnist_tensorpack.py (lr_decay_*).
    ("tensorpack-convnet", ModelEntry("tensorpack mnist-convnet.py, Adam 1e-3 x0.3/4680 steps, batch 128",
                                      _settings(30, "adam", 1e-3, 0.5, batch_size=128, lr_decay_steps=4680,
                                                lr_decay_rate=0.3), _tensorpack_convnet)),
    # TF1's "MNIST for ML beginners" baseline.
    # golbin 10/01: each image as 28 steps of 28 pixels into an RNN of 128 units.
    ("rnn", ModelEntry("golbin 10/01 RNN 128 over 28 rows, Adam 0.001, batch 128",
                       _settings(30, "adam", 0.001, 1.0, batch_size=128), _rnn)),
    ("softmax", ModelEntry("softmax regression 784-10, GD 0.5", _settings(2, "gd", 0.5, 1.0),
                           _softmax)),
])

# The MLP entries, which mnist_dnn.py --preset picks from.
MLPS = [name for name, entry in MODELS.items() if "hidden" in entry.settings]

# What each optimizer gets in a comparison unless --learning_rates says
# otherwise: the rates the study's sources used with it (GD 0.2 as in the
# 4-layer net, Adam/RMSProp 0.001 as in the CNN comparison, Adagrad 0.01 and
# momentum 0.01 as in TF1 tutorials), since one rate for all is unfair to all.
DEFAULT_RATES = {"gd": 0.2, "adam": 0.001, "rmsprop": 0.001, "adagrad": 0.01, "momentum": 0.01}
