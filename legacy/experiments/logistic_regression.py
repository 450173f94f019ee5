"""Logistic regression: the one the study's goals list but its code lacks.

``--model=binary`` (default): ``sigmoid(X W + b)`` with hunkim's lab-05
cross-entropy, trained with gradient descent on data/height_weight.csv
(height_m, weight_kg -> overweight; made by ``scripts/make_data.py
height_weight --n=200 --seed=0``: overweight means BMI >= 23). Features are
z-scored first (``--nostandardize`` turns that off), for the reason the
linear regression shows: raw metres and kilograms make GD crawl. Prints
step, cost and accuracy every 100 steps.

``--model=softmax``: MNIST softmax regression, 784 -> 10 with zeros init and
biases, GD 0.5, batch 100, the classic TF1 baseline at about 92 %.

Example: python scripts/logistic_regression.py --model=softmax
"""

from legacy import cli, flags, results
from legacy.data import csv_table, tables
from legacy.experiments.full_batch import StepPrinter, run_full_batch
from legacy.experiments.mnist_classifier import run_mnist
from legacy.graph import build_regression
from legacy.models.regression import logistic_regression, softmax_regression

EXPERIMENT = "logistic_regression"

flags.define("enum", "model", "binary", ["binary", "softmax"],
              "binary: sigmoid on the height/weight CSV; softmax: 784 -> 10 on MNIST.")
flags.define_steps_flag(2000, "Full-batch GD steps of --model=binary.")
flags.define_data_flags()
flags.define_training_flags(EXPERIMENT, epochs=2, batch_size=100, optimizer="gd", learning_rate=0.5)
flags.define("string", "csv", "data/height_weight.csv",
              "CSV of --model=binary (columns height_m,weight_kg,overweight).")
flags.define("bool", "standardize", True, "z-score the features of --model=binary.")


def run_binary(fv):
    out = results.output_path(fv["output"], EXPERIMENT)
    table = csv_table.read_csv(fv["csv"], tables.HEIGHT_WEIGHT_COLUMNS)
    features, labels = table[:, :2], table[:, 2:]
    if fv["standardize"]:
        features = (features - features.mean(0)) / features.std(0)

    def build(x, y):
        _, _, hypothesis, cost, accuracy = logistic_regression(x, y)
        return build_regression(x, y, cost, fv["optimizer"], fv["learning_rate"], hypothesis, accuracy)

    def report(sess, graph, feed, initial):
        cost, accuracy = sess.run([graph.cost, graph.accuracy], feed)
        return {"cost": float(cost), "accuracy": float(accuracy)}

    printer = StepPrinter(every=100, fetches=["cost/cost:0", "accuracy:0"],
                          fmt=lambda step, cost, acc: "%5d cost %.4f accuracy %.4f" % (step, cost, acc))
    history, initial, final = run_full_batch(fv, build, features, labels, fv["steps"], [printer], report)
    majority = max(labels.mean(), 1 - labels.mean())
    print("rows %d (overweight %d): cost %.4f -> %.4f, accuracy %.4f (always guessing the majority: %.4f)"
          % (len(labels), int(labels.sum()), initial["cost"], final["cost"], final["accuracy"], majority))
    results.write_results(out, EXPERIMENT, fv, {"n_rows": int(len(labels)), "initial": initial, "final": final,
                                                "majority_baseline": float(majority),
                                                "step_cost": [r.avg_cost for r in history]})


def main(_):
    fv = flags.ours()
    if fv["model"] == "binary":
        run_binary(fv)
    else:
        run_mnist(EXPERIMENT, softmax_regression, fv)


def run():
    cli.run(main)
