"""Fur/wings -> other / mammal / bird (the study filed it as "LogisticRegression").

Features [fur, wing], one-hot classes [other, mammal, bird]. The network of
the study's code is 2 -> 10 -> 20 -> 10 -> 3 with ReLU (its README says
10-20-30: ``--hidden=10,20,30``), weights Uniform(-1, 1), biases zero, mean
softmax cross-entropy, GradientDescentOptimizer(0.01), 100 full-batch steps.
Prints (step, cost) every 10 steps, then the predicted and true class
indices and the accuracy in %, as golbin's script did.

Example (the README's network): python scripts/animals_dnn.py --hidden=10,20,30
"""
import functools

import numpy as np

from legacy import run_config
from legacy.data import csv_table, tables
from legacy.graph import build_classifier
from legacy.hooks import StepPrinter
from legacy.models.mlp import mlp
from legacy.runners.full_batch import run_full_batch, run_recorded

EXPERIMENT = "animals_dnn"
PRINT_ROWS = 40  # more rows than this print as a summary (the study's table has 20)

run_config.define_steps_flag(100)
run_config.define_optimizer_flags("gd", 0.01)
run_config.define_run_flags(EXPERIMENT, length_flag="steps")
run_config.define_mlp_flags(hidden=[10, 20, 10])
run_config.define("string", "csv", "", "Train from this CSV (columns fur,wing,other,mammal,bird) instead of the "
                  "study's 20 rows; make one with scripts/make_data.py animals.")


def main(_):
    run_recorded(EXPERIMENT, run_config.build(), train_and_report)


def train_and_report(config, run):
    if config.csv:
        table = csv_table.read_csv(config.csv, tables.ANIMAL_COLUMNS)
        features, targets = table[:, :2], table[:, 2:]
    else:
        features, targets = tables.animals_table()
    model = functools.partial(mlp, hidden=list(config.hidden), num_classes=3,
                              batch_norm=config.batch_norm, init="uniform", use_bias=True)

    def build(x, y):
        return build_classifier(model, x, y, config.optimizer, config.learning_rate)

    def report(sess, net, feed, initial):
        logits, accuracy, cost = sess.run([net.logits, net.accuracy, net.cost], feed)
        return {"prediction": [int(i) for i in np.argmax(logits, 1)], "accuracy": float(accuracy),
                "cost": float(cost)}

    # golbin: if (step + 1) % 10 == 0: print(step + 1, sess.run(cost, feed_dict))
    printer = StepPrinter(every=10, fetches=["cost/cost:0"])
    history, _, final = run_full_batch(config, build, features, targets, config.steps, [printer], report, run)
    truth = [int(i) for i in np.argmax(targets, 1)]
    if len(truth) <= PRINT_ROWS:
        print("예측값:", final["prediction"])
        print("실제값:", truth)
    else:  # a long --csv: the first rows and the counts, not a million numbers
        print("예측값: %s ... (first %d of %d rows)" % (final["prediction"][:PRINT_ROWS // 2], PRINT_ROWS // 2, len(truth)))
        print("실제값: %s ..." % truth[:PRINT_ROWS // 2])
        print("per class (other, mammal, bird): predicted %s, true %s"
              % (np.bincount(final["prediction"], minlength=3).tolist(), np.bincount(truth, minlength=3).tolist()))
    print("정확도: %.2f" % (final["accuracy"] * 100))
    run.write({
        "n_rows": int(len(features)), "step_cost": [r.avg_cost for r in history],
        "final_cost": final["cost"], "prediction": final["prediction"], "truth": truth,
        "accuracy": final["accuracy"],
    })
