"""Linear regression, height -> weight: the study's first experiment.

``hypothesis = W * X + b``, W and b ~ Uniform(-1, 1), mean squared error,
GradientDescentOptimizer(0.13), 100 full-batch steps over the study's table of
20 people; prints step, cost, W, b every step, then predicts 1.55 m and 1.70 m.

The study stopped there. We also print the closed-form least-squares fit: the
100 steps are far from it, because heights near 1.7 m make the cost surface a
long narrow valley (its Hessian's condition number is about 1,000), so GD
crawls along W. ``--standardize`` trains on z-scored heights, which makes the
valley round; the same 100 steps then reach the optimum.

Example: python scripts/linear_regression.py --standardize
"""
import numpy as np

from legacy import run_config
from legacy.data import csv_table, tables
from legacy.graph import build_regression
from legacy.hooks import StepPrinter
from legacy.models.regression import linear_regression
from legacy.runners.full_batch import run_full_batch, run_recorded

EXPERIMENT = "linear_regression"
QUERIES_M = (1.55, 1.70)

run_config.define_steps_flag(100)
run_config.define_optimizer_flags("gd", 0.13)
run_config.define_run_flags(EXPERIMENT, length_flag="steps")
run_config.define("string", "csv", "", "Train from this CSV (columns height_m,weight_kg[,overweight]) instead "
                  "of the study's table; make one with scripts/make_data.py height_weight.")
run_config.define("bool", "standardize", False,
                  "Train on z-scored heights (results reported in metres and kilograms).")


def closed_form(x, y):
    """Least-squares W, b and MSE (float64) from the normal equations:
    W = cov(x, y) / var(x), b = mean(y) - W mean(x)."""
    x, y = x.astype(np.float64), y.astype(np.float64)
    w = np.mean((x - x.mean()) * (y - y.mean())) / np.var(x)
    b = y.mean() - w * x.mean()
    return float(w), float(b), float(np.mean((w * x + b - y) ** 2))


def conditioning(x, learning_rate):
    """Condition number of the MSE Hessian and the steps GD at ``learning_rate``
    needs to shrink the slowest error component 1,000-fold."""
    x = x.astype(np.float64)
    hessian = 2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
    low, high = np.linalg.eigvalsh(hessian)
    rate = abs(1 - learning_rate * low)
    steps = float("inf") if rate >= 1 else float(np.log(1e-3) / np.log(rate))
    return float(high / low), steps


def load_data(csv_path):
    if not csv_path:
        return tables.study_height_weight()
    table = csv_table.read_csv(csv_path, ["height_m", "weight_kg"], optional=["overweight"])
    return table[:, 0], table[:, 1]


def main(_):
    run_recorded(EXPERIMENT, run_config.build(), train_and_report)


def train_and_report(config, run):
    heights, weights = load_data(config.csv)
    mean, std = (float(heights.mean()), float(heights.std())) if config.standardize else (0.0, 1.0)
    features = ((heights - mean) / std).reshape(-1, 1).astype(np.float32)
    targets = weights.reshape(-1, 1).astype(np.float32)
    parts = {}

    def build(x, y):
        parts["W"], parts["b"], parts["hypothesis"], cost = linear_regression(x, y)
        return build_regression(x, y, cost, config.optimizer, config.learning_rate, parts["hypothesis"])

    def report(sess, net, feed, initial):
        w, b, cost = sess.run([parts["W"], parts["b"], net.cost], feed)
        queries = (np.array(QUERIES_M, dtype=np.float32).reshape(-1, 1) - mean) / std
        predictions = sess.run(parts["hypothesis"], {net.x: queries})[:, 0]
        return {"W": float(w[0]) / std, "b": float(b[0]) - float(w[0]) * mean / std, "cost": float(cost),
                "predictions": [float(p) for p in predictions]}

    # golbin: print(step, cost_val, sess.run(W), sess.run(b)) for step in range(100)
    printer = StepPrinter(every=1, fetches=["W:0", "b:0"], first=0, with_cost=True)
    history, initial, final = run_full_batch(config, build, features, targets, config.steps, [printer], report,
                                             run)
    for q, p in zip(QUERIES_M, final["predictions"]):
        print("X: %.2f, Y: %s" % (q, p))

    w_ls, b_ls, mse_ls = closed_form(heights, weights)
    cond, needed = conditioning(features[:, 0], config.learning_rate)
    ls_predictions = [w_ls * q + b_ls for q in QUERIES_M]
    print("least squares (closed form): W = %.2f, b = %.2f, cost = %.2f; %.1f kg at 1.55 m, %.1f kg at 1.70 m"
          % (w_ls, b_ls, mse_ls, ls_predictions[0], ls_predictions[1]))
    gap = final["cost"] / mse_ls
    print("gradient descent, %d steps at lr %g%s: W = %.2f, b = %.2f, cost = %.2f (%.2fx the optimum)"
          % (config.steps, config.learning_rate, " on standardized heights" if config.standardize else "",
             final["W"], final["b"], final["cost"], gap))
    print("Hessian condition number %.0f: GD at lr %g needs about %.0f steps to shrink the slowest error "
          "1000-fold%s" % (cond, config.learning_rate, needed,
                           "" if config.standardize else " (--standardize makes it a few dozen)"))
    run.write({
        "n_rows": int(len(heights)),
        "initial": initial, "final": final, "step_cost": [r.avg_cost for r in history],
        "least_squares": {"W": w_ls, "b": b_ls, "cost": mse_ls, "predictions": ls_predictions},
        "queries_m": list(QUERIES_M),
        "cost_over_optimum": gap,
        "hessian_condition_number": cond,
        "converged": bool(gap < 1.01),
        "standardize_mean_std": [mean, std],
    })
