"""One model under several optimizers: same seed, initial weights and data order.

The study's goals name two comparisons; each is one command:

    python scripts/compare_optimizers.py --optimizers=rmsprop,adagrad
    python scripts/compare_optimizers.py --model=cnn-swu --optimizers=adam,rmsprop --eval_keep_prob=0.8

Writes <stem>.md / .csv (one row per optimizer: its average cost per epoch,
test accuracy and seconds), <stem>.png (cost per epoch), <stem>.json, and each
run's own JSON in <stem>/.
"""
from absl import flags as absl_flags

from legacy import run_config
from legacy.errors import Interrupted, UsageError
from legacy.models.registry import DEFAULT_RATES, MODELS
from legacy.optim import OPTIMIZERS
from legacy.runners import grid

EXPERIMENT = "compare_optimizers"

grid.define_grid_flags(EXPERIMENT, model="mlp")
run_config.define("list", "optimizers", ["gd", "adam", "rmsprop", "adagrad", "momentum"],
                  "Optimizers to compare (%s)." % ", ".join(sorted(OPTIMIZERS)))
absl_flags.register_validator("optimizers", lambda v: bool(v) and set(v) <= set(OPTIMIZERS),
                              message="--optimizers must be a comma list of: %s" % ", ".join(sorted(OPTIMIZERS)))
run_config.define("list", "learning_rates", [],
                  "Learning rate per optimizer, in the order of --optimizers (default: each one's usual rate, %s)."
                  % ", ".join("%s %g" % kv for kv in sorted(DEFAULT_RATES.items())))


def main(_):
    config = grid.grid_config()
    names = config.optimizers
    rates = config.learning_rates
    if rates and len(rates) != len(names):
        raise UsageError("--learning_rates has %d values for %d --optimizers; give one per optimizer"
                             % (len(rates), len(names)))
    rates = run_config.parse_rates(rates, "--learning_rates") if rates else [DEFAULT_RATES[n] for n in names]
    path, stem = grid.output_stem(config, EXPERIMENT)
    runs, stopped = [], None
    for name, rate in zip(names, rates):
        label = "%s-%g" % (name, rate)
        try:
            runs.append((label, grid.run_setting(EXPERIMENT, config, label, stem, optimizer=name, learning_rate=rate)))
        except Interrupted as err:  # the table of the runs so far, then stop
            runs.append((label, grid.interrupted_record(err)))
            stopped = err
            break
    rates = rates[:len(runs)]

    epochs = max(len(r["epoch_avg_cost"]) for _, r in runs)
    headers = (["optimizer", "learning rate"] + ["epoch %d" % (e + 1) for e in range(epochs)]
               + ["test accuracy", "seconds", "status"])
    rows = [[label.rsplit("-", 1)[0], rate] + r["epoch_avg_cost"] + [None] * (epochs - len(r["epoch_avg_cost"]))
            + [r["test_accuracy"], sum(r.get("seconds_per_epoch") or []), r["status"]]
            for (label, r), rate in zip(runs, rates)]
    title = "%s: average cost per epoch (%s, seed %d)" % (EXPERIMENT, MODELS[config.model].source, config.seed)
    grid.publish(EXPERIMENT, config, path, stem, runs, stopped, (headers, rows, title),
                 {l: r["epoch_avg_cost"] for l, r in runs if r["epoch_avg_cost"]}, {"runs": dict(runs)})
