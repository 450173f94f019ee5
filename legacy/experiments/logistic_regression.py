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

from legacy import run_config
from legacy.data import csv_table, tables
from legacy.graph import build_regression
from legacy.optim import adam_settings
from legacy.hooks import StepPrinter
from legacy.models.registry import MODELS
from legacy.models.regression import logistic_regression, softmax_regression
from legacy.runners.full_batch import run_full_batch, run_recorded
from legacy.runners.mnist_classifier import run_mnist

EXPERIMENT = "logistic_regression"

run_config.define("enum", "model", "binary", ["binary", "softmax"],
                  "binary: sigmoid on the height/weight CSV; softmax: 784 -> 10 on MNIST.")
run_config.define_steps_flag(2000, "Full-batch GD steps of --model=binary.")
run_config.define_data_flags()
run_config.define_training_flags(EXPERIMENT, MODELS["softmax"].settings)
run_config.define("string", "csv", "data/height_weight.csv",
                  "CSV of --model=binary (columns height_m,weight_kg,overweight).")
run_config.define("bool", "standardize", True, "z-score the features of --model=binary.")


def run_binary(config):
    run_recorded(EXPERIMENT, config, train_binary)


def train_binary(config, run):
    table = csv_table.read_csv(config.csv, tables.HEIGHT_WEIGHT_COLUMNS)
    features, labels = table[:, :2], table[:, 2:]
    if config.standardize:
        features = (features - features.mean(0)) / features.std(0)

    def build(x, y):
        _, _, hypothesis, cost, accuracy = logistic_regression(x, y)
        return build_regression(x, y, cost, config.optimizer, config.learning_rate, hypothesis, accuracy,
                                adam=adam_settings(config))

    def report(sess, net, feed, initial):
        cost, accuracy = sess.run([net.cost, net.accuracy], feed)
        return {"cost": float(cost), "accuracy": float(accuracy)}

    printer = StepPrinter(every=100, fetches=["cost/cost:0", "accuracy:0"],
                          fmt=lambda step, cost, acc: "%5d cost %.4f accuracy %.4f" % (step, cost, acc))
    history, initial, final = run_full_batch(config, build, features, labels, config.steps, [printer], report,
                                             run)
    majority = max(labels.mean(), 1 - labels.mean())
    print("rows %d (overweight %d): cost %.4f -> %.4f, accuracy %.4f (always guessing the majority: %.4f)"
          % (len(labels), int(labels.sum()), initial["cost"], final["cost"], final["accuracy"], majority))
    run.write({"n_rows": int(len(labels)), "initial": initial, "final": final, "majority_baseline": float(majority),
               "step_cost": [r.avg_cost for r in history]})


def main(_):
    config = run_config.build()
    if config.model == "binary":
        run_binary(config)
    else:
        run_mnist(EXPERIMENT, softmax_regression, config)
