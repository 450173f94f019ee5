"""Cost function and learning rate: one model over a log grid of rates, with
the study's cross-entropy and with the squared error of the softmax outputs.

Shows which rates learn, which crawl and which diverge (a NaN/Inf cost is
recorded as "diverged", and the sweep goes on). Writes <stem>.md / .csv (one
row per loss x rate: final cost, test accuracy, status), <stem>.png (final
cost and accuracy against the rate), <stem>.json, and each run's JSON in
<stem>/.

    python scripts/lr_sweep.py --model=mlp --optimizer=gd --learning_rates=0.001,0.01,0.1,1,10,100 --epochs=1
"""
import math

from absl import flags as absl_flags

from legacy import run_config
from legacy.errors import Interrupted
from legacy.models.registry import MODELS
from legacy.runners import grid

EXPERIMENT = "lr_sweep"
# The verdicts ("learned", "no better than chance") are legacy/runners/grid.py judge().
grid.define_grid_flags(EXPERIMENT, model="mlp")
run_config.define("list", "learning_rates", ["0.001", "0.01", "0.1", "1", "10", "100"], "The grid of rates.")
run_config.define("list", "losses", ["xent", "mse"],
                  "xent: softmax cross-entropy (the study's); mse: squared error of the softmax outputs.")
absl_flags.register_validator("losses", lambda v: bool(v) and set(v) <= {"xent", "mse"},
                              message="--losses must be a comma list of: xent, mse")


def main(_):
    # The sweep's point is the rate: plain GD (no rate-adapting state), one epoch.
    config = grid.grid_config(optimizer="gd", epochs=1)
    rates = sorted(run_config.parse_rates(config.learning_rates, "--learning_rates"))
    path, stem = grid.output_stem(config, EXPERIMENT)
    rows, curves, accuracies, runs, stopped = [], {}, {}, [], None
    for loss in config.losses:
        xs, costs, accs = [], [], []
        for rate in rates:
            if stopped:
                break
            label = "%s-%s-%g" % (loss, config.optimizer, rate)
            try:
                record = grid.run_setting(EXPERIMENT, config, label, stem, learning_rate=rate, loss=loss)
            except Interrupted as err:  # the table of the runs so far, then stop
                record, stopped = grid.interrupted_record(err), err
            runs.append((label, record))
            final = record["epoch_avg_cost"][-1] if record["epoch_avg_cost"] else float("nan")
            verdict = grid.judge(record["status"], final, record["test_accuracy"], loss)
            rows.append([loss, rate, final, record["test_accuracy"], verdict])
            if record["status"] == "ok" and math.isfinite(final):
                xs.append(rate)
                costs.append(final)
                accs.append(record["test_accuracy"])
        curves["final cost, " + loss] = (xs, costs)
        accuracies["test accuracy, " + loss] = (xs, accs)
    headers = ["loss", "learning rate", "final avg. cost", "test accuracy", "verdict"]
    title = "%s: %s, %s, %d epoch(s), seed %d" % (EXPERIMENT, MODELS[config.model].source.split(",")[0],
                                                  config.optimizer, config.epochs, config.seed)
    grid.publish(EXPERIMENT, config, path, stem, runs, stopped, (headers, rows, title), dict(curves, **accuracies),
                 {"rows": [dict(zip(headers, r)) for r in rows]}, ylabel="final cost / accuracy",
                 xlabel="learning rate", logx=True)
