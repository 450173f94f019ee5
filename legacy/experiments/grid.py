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
import os

from legacy import fileio, flags, results
from legacy.errors import DataError, Diverged, UsageError
from legacy.experiments import zoo
from legacy.experiments.mnist_classifier import run_mnist


def define_grid_flags(experiment, model):
    flags.define_data_flags()
    flags.define_training_flags(experiment, epochs=None, batch_size=100, optimizer="gd", learning_rate=0.1)
    flags.define("enum", "model", model, sorted(zoo.MODELS),
                  "Model, with its original epochs, batch size and keep_prob unless given.")


def model_flags(fv):
    """fv with the model's original settings for the flags not given explicitly."""
    flags.apply_preset(fv, zoo.MODELS[fv["model"]].defaults)
    return fv


def run_setting(experiment, fv, label, out_dir, **overrides):
    """One run of the grid; returns its results record (status ok or diverged)."""
    run_fv = dict(fv, output=os.path.join(out_dir, label + ".json"), **overrides)
    if fv.get("logdir"):
        run_fv["logdir"] = os.path.join(fv["logdir"], label)
    print("== %s: %s ==" % (experiment, label), flush=True)
    try:
        return run_mnist(experiment, zoo.MODELS[fv["model"]].build(run_fv), run_fv, loss=run_fv.get("loss", "xent"))
    except Diverged as err:
        print("diverged: %s, lr %g, %s" % (err, run_fv["learning_rate"], run_fv["optimizer"]), flush=True)
        return err.record or results.write_results(run_fv["output"], experiment, run_fv, {
            "diverged_at_step": err.step, "epoch_avg_cost": [], "test_accuracy": None}, status="diverged")
    except DataError:
        raise  # the same data for every point: nothing else would run either
    except UsageError as err:
        print("failed: %s" % err, flush=True)
        return results.write_results(run_fv["output"], experiment, run_fv, {
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


def output_stem(fv, experiment):
    """Where the grid's summary goes: --output's stem, or results/<experiment>_<model>."""
    path = results.output_path(fv["output"] or os.path.join("results", "%s_%s.json" % (experiment, fv["model"])),
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
