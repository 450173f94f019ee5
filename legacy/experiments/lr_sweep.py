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

from legacy import cli, config as run_config, figures, results
from legacy.errors import UsageError
from legacy.models.registry import MODELS
from legacy.runners import grid

EXPERIMENT = "lr_sweep"
# The cost of guessing 1/10 for every class: a run that ends at or above it
# learned nothing (or blew up without reaching NaN).
CHANCE_COST = {"xent": math.log(10), "mse": 0.9}

grid.define_grid_flags(EXPERIMENT, model="mlp")
run_config.define("list", "learning_rates", ["0.001", "0.01", "0.1", "1", "10", "100"], "The grid of rates.")
run_config.define("list", "losses", ["xent", "mse"],
                  "xent: softmax cross-entropy (the study's); mse: squared error of the softmax outputs.")
absl_flags.register_validator("losses", lambda v: bool(v) and set(v) <= {"xent", "mse"},
                              message="--losses must be a comma list of: xent, mse")


def main(_):
    # The sweep's point is the rate: plain GD (no rate-adapting state), one epoch.
    config = grid.grid_config(optimizer="gd", epochs=1)
    try:
        rates = sorted(float(r) for r in config.learning_rates)
    except ValueError:
        raise UsageError("--learning_rates=%s: not all numbers" % ",".join(config.learning_rates))
    if not rates or rates[0] <= 0:
        raise UsageError("--learning_rates must all be > 0")
    path, stem = grid.output_stem(config, EXPERIMENT)
    rows, curves, accuracies = [], {}, {}
    for loss in config.losses:
        xs, costs, accs = [], [], []
        for rate in rates:
            label = "%s-%s-%g" % (loss, config.optimizer, rate)
            record = grid.run_setting(EXPERIMENT, config, label, stem, learning_rate=rate, loss=loss)
            final = record["epoch_avg_cost"][-1] if record["epoch_avg_cost"] else float("nan")
            if record["status"] != "ok":
                verdict = record["status"]
            elif not final < CHANCE_COST[loss]:
                verdict = "no better than chance"
            else:
                verdict = "learned"
            rows.append([loss, rate, final, record["test_accuracy"], verdict])
            if verdict != "diverged" and math.isfinite(final):
                xs.append(rate)
                costs.append(final)
                accs.append(record["test_accuracy"])
        curves["final cost, " + loss] = (xs, costs)
        accuracies["test accuracy, " + loss] = (xs, accs)
    headers = ["loss", "learning rate", "final avg. cost", "test accuracy", "verdict"]
    title = "%s: %s, %s, %d epoch(s), seed %d" % (EXPERIMENT, MODELS[config.model].source.split(",")[0],
                                                  config.optimizer, config.epochs, config.seed)
    figures.write_table(stem, headers, rows, title=title)
    figures.plot_curves(stem + ".png", dict(curves, **accuracies), title, ylabel="final cost / accuracy",
                       xlabel="learning rate", logx=True)
    print(figures.markdown_table(headers, rows))
    results.write_results(path, EXPERIMENT, run_config.record(config), {"rows": [dict(zip(headers, r)) for r in rows],
                                                  "table": stem + ".md", "plot": stem + ".png"})


def run():
    cli.run(main)
