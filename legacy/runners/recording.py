"""Training that leaves a results record however it ends.

``train_recording`` runs the one loop (legacy/train.py) and, when the run
diverges or is interrupted, writes its results JSON with that status before
the error goes on to legacy/cli.py; ``write_run_record`` writes a run's
record, in --output and as results.json in its run folder. Used by the
runners of golbin's other chapters (tracks.py) and by PGGAN (pggan_training.py);
nothing here imports tensorpack (PGGAN's path loads it nowhere).
"""
import os
import sys
import time

from legacy import checkpoints, run_config, fileio, results
from legacy.errors import Diverged, Interrupted
from legacy.hooks import signals_ignored
from legacy.train import train


def train_recording(sess, net, inputs, epochs, keep_prob, hooks, loop, checkpointer, record, start,
                    unit="epoch", optimizer=None, learning_rate=None):
    """``train()``, and a run that diverges or is interrupted first writes its
    results JSON: ``record(status, wall, **extra)`` returns it, attached to the
    error as ``err.record``. ``unit`` names the loop's epochs in that record
    ("tick" for PGGAN); ``optimizer`` and ``learning_rate`` go into the
    one-line message of a diverged run."""
    try:
        return train(sess, net, inputs, epochs, keep_prob, hooks=hooks, state=loop)
    except Diverged as err:
        if optimizer is not None:
            err.optimizer, err.learning_rate = optimizer, learning_rate
        err.record = record("diverged", time.time() - start,
                            diverged={"step": err.step, unit: err.epoch, "cost": str(err.cost)})
        raise
    except Interrupted as err:
        err.checkpoint = checkpointer.last if checkpointer is not None else None  # None: a rank that keeps nothing
        with signals_ignored():
            err.record = record("interrupted", time.time() - start,
                                interrupted={"signal": err.signum, "step": err.step, unit: err.epoch,
                                             "checkpoint": err.checkpoint})
        raise


def write_run_record(report, status, metrics, wall, **extra):
    """A run's results JSON, in --output (``report["out"]``) and as results.json
    in its run folder: ``metrics``, then where the run lives and what it
    started from, then ``extra``."""
    metrics = dict(metrics, wall_seconds=wall, logdir=report["run_dir"],
                   checkpoint=checkpoints.latest(report["run_dir"]), resumed_from=report["resumed_from"])
    if "init_from" in report:
        metrics["init_from"] = report["init_from"]
    metrics.update(extra)
    record = results.write_results(report["out"], report["experiment"], run_config.record(report["config"]),
                                   metrics, status=status)
    fileio.write_json(os.path.join(report["run_dir"], "results.json"), record)
    sys.stdout.flush()
    return record
