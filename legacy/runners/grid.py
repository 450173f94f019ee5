"""Several MNIST runs that differ in one setting, for comparisons and sweeps.

Every run starts from the same seed, so the same initial weights and the same
data order (the graph seed fixes the initialisers, the dataflow seed the
batches), and only the setting under study differs. A run whose cost turns
NaN/Inf is recorded as diverged and the grid goes on.
"""
import os

from legacy import config as run_config, results
from legacy.errors import Diverged
from legacy.models.registry import MODELS
from legacy.runners.mnist import run_mnist


def define_grid_flags(experiment, model):
    run_config.define_data_flags()
    run_config.define_training_flags(experiment, dict(epochs=None, optimizer="gd", learning_rate=0.1))
    run_config.define("enum", "model", model, list(MODELS),
                      "Model, with its original epochs, batch size and keep_prob unless given.")


def grid_config(**settings):
    """The RunConfig of a grid: for the flags not given explicitly, the
    model's original settings, updated by the grid's own (lr_sweep's GD)."""
    return run_config.build(dict(MODELS[run_config.FLAGS.model].settings, **settings))


def run_setting(experiment, config, label, out_dir, **overrides):
    """One run of the grid; returns its results record (status ok or diverged)."""
    config = config._replace(output=os.path.join(out_dir, label + ".json"), **overrides)
    print("== %s: %s ==" % (experiment, label), flush=True)
    try:
        return run_mnist(experiment, MODELS[config.model].build(config), config)
    except Diverged as err:
        # run_mnist wrote the full record (status "diverged", the step, the costs so far).
        print("diverged: %s" % err, flush=True)
        return err.record


def output_stem(config, experiment):
    """Where the grid's summary goes: --output's stem, or results/<experiment>_<model>."""
    path = results.output_path(config.output or os.path.join("results", "%s_%s.json" % (experiment, config.model)),
                               experiment)
    stem = os.path.splitext(path)[0]
    os.makedirs(stem, exist_ok=True)
    return path, stem
