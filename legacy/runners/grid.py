"""Several MNIST runs that differ in one setting, for comparisons and sweeps.

Every run starts from the same seed, so the same initial weights and the same
data order (the graph seed fixes the initialisers, the dataflow seed the
batches), and only the setting under study differs. A run whose cost turns
NaN/Inf is recorded as diverged and the grid goes on; so is one that fails
(a UsageError of that point alone, e.g. its --logdir sub-folder already
holds a run, or the network does not fit in memory), as "failed". With
``--logdir`` each point gets its own sub-folder ``<logdir>/<label>``, so
``--resume`` continues each point where it stopped.
"""
import math
import os

from legacy import run_config, figures, fileio, results
from legacy.errors import DataError, Diverged, UsageError
from legacy.models.registry import MODELS
from legacy.runners.mnist_classifier import run_mnist


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
    point = config._replace(output=os.path.join(out_dir, label + ".json"), **overrides)
    if config.logdir:
        point = point._replace(logdir=os.path.join(config.logdir, label))
    print("== %s: %s ==" % (experiment, label), flush=True)
    try:
        return run_mnist(experiment, MODELS[point.model].build(point), point)
    except Diverged as err:
        # run_mnist wrote the full record (status "diverged", the step, the costs so far).
        print("diverged: %s" % err, flush=True)
        return err.record
    except DataError:
        raise  # the same data for every point: nothing else would run either
    except UsageError as err:
        print("failed: %s" % err, flush=True)
        return results.write_results(point.output, experiment, run_config.record(point), {
            "error": str(err), "epoch_avg_cost": [], "test_accuracy": None}, status="failed")


def interrupted_record(err):
    """The record of a point stopped by a signal (run_mnist wrote it)."""
    return err.record or {"status": "interrupted", "epoch_avg_cost": [], "test_accuracy": None}


def check_failures(runs, table):
    """After the table is written: UsageError (exit 2) if any point failed."""
    failed = ["%s: %s" % (label, r.get("error")) for label, r in runs if r["status"] == "failed"]
    if failed:
        raise UsageError("%d of %d runs failed (marked in %s): %s" % (len(failed), len(runs), table,
                                                                    " | ".join(failed)))


def publish(experiment, config, path, stem, runs, stopped, table, curves, summary, **plot_options):
    """The grid's outputs, also for a grid a signal stopped: its table
    (``table``: headers, rows, title) as <stem>.md/.csv, its ``curves`` as
    <stem>.png, the table printed, and the results JSON at ``path`` holding
    ``summary``. Then re-raise the signal's Interrupted (``stopped``), or
    raise UsageError if a point failed."""
    headers, rows, title = table
    figures.write_table(stem, headers, rows, title=title)
    figures.plot_curves(stem + ".png", curves, title, **plot_options)
    print(figures.markdown_table(headers, rows))
    results.write_results(path, experiment, run_config.record(config),
                          dict(summary, table=stem + ".md", plot=stem + ".png"),
                          status="interrupted" if stopped else "ok")
    if stopped:
        raise stopped
    check_failures(runs, stem + ".md")


def output_stem(config, experiment):
    """Where the grid's summary goes: --output's stem, or results/<experiment>_<model>."""
    path = results.output_path(config.output or os.path.join("results", "%s_%s.json" % (experiment, config.model)),
                               experiment)
    stem = os.path.splitext(path)[0]
    # Every file the grid will write, checked before its first run.
    for ext in (".md", ".csv", ".png"):
        fileio.check_writable_path(stem + ext, "--output (its table and plot)")
    if os.path.exists(stem) and not os.path.isdir(stem):
        raise UsageError("--output=%s: %s (the folder of its runs) is a file; pick another --output" % (path, stem))
    try:
        os.makedirs(stem, exist_ok=True)
    except OSError as err:
        raise UsageError("--output=%s: cannot create %s (%s)" % (path, stem, err.strerror))
    return path, stem


# The cost of guessing 1/10 for every class: a run that ends at or above it
# learned nothing (or blew up without reaching NaN).
CHANCE_COST = {"xent": math.log(10), "mse": 0.9}
# The test accuracy of always answering the test set's most frequent digit
# (1: 1,135 of its 10,000 images). A squared-error run can end below
# CHANCE_COST while still predicting one class for everything, so "learned"
# also needs an accuracy above this by CHANCE_MARGIN: 0.02 is over six
# standard errors of an accuracy near 0.11 measured on 10,000 images (0.003).
CHANCE_ACCURACY = 0.1135
CHANCE_MARGIN = 0.02


def judge(status, final_cost, test_accuracy, loss):
    """"learned" only below the chance cost and above the chance accuracy."""
    if status != "ok":
        return status
    if final_cost < CHANCE_COST[loss] and test_accuracy > CHANCE_ACCURACY + CHANCE_MARGIN:
        return "learned"
    return "no better than chance"
