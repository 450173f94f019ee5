"""The one MNIST run every MNIST script shares: data, graph, loop, report.

It prints what the study printed (``Epoch: ...`` lines, ``최적화 완료!``,
``정확도: ...``) and writes the results JSON. The run folder (``--logdir``)
gets TensorBoard events and checkpoints (legacy/hooks.py); ``--resume``
continues it, ``--init_from`` starts from another run's weights.

A run that diverges or is interrupted still writes its results JSON (status
"diverged" / "interrupted"), then re-raises Diverged / Interrupted with the
record as ``err.record``: a sweep catches Diverged and goes on; the CLI
(legacy/cli.py) prints one line and exits non-zero.
"""
import contextlib
import hashlib
import json
import os
import re
import signal
import sys
import threading
import time

import numpy as np

from legacy import checkpoints, fileio, results, runs
from legacy.data.mnist import load_mnist, batch_dataflow
from legacy.errors import Diverged, Interrupted, UsageError, signal_of
from legacy.graph import build_classifier
from legacy.hooks import Checkpointer, StopOnSignal, TensorBoard
from legacy.inputs import make_input
from legacy.tf import tf
from legacy.train import TEST_SALT, EpochPrinter, LoopState, ProgressBar, evaluate, session_config, train

# Values of the run-folder flags for callers that predate them.
RUN_DEFAULTS = dict(logdir="", resume=False, save_every_steps=0, histograms=False, init_from="")


def weights_fingerprint(sess):
    """SHA-1 of all trainable weights: equal fingerprints mean equal starts,
    which is what makes runs that differ in one setting comparable."""
    digest = hashlib.sha1()
    for value in sess.run(tf.trainable_variables()):
        digest.update(value.tobytes())
    return digest.hexdigest()


def run_mnist(experiment, model_fn, flag_values, feature_shape=(784,), loss="xent"):
    """Train ``model_fn`` on MNIST as configured by ``flag_values``; return the results record.

    A signal at any moment after the flags are checked (loading data,
    building the graph, training, the final evaluation; a second Ctrl-C
    included) writes the results JSON with status "interrupted", what the
    run was doing and its newest complete checkpoint, then raises Interrupted.
    """
    fv = dict(RUN_DEFAULTS, **flag_values)
    out = results.output_path(fv["output"], experiment)
    report = dict(experiment=experiment, out=out, run_dir=None, fv=fv, inputs=None, loop=LoopState(),
                  resumed_from=None, init_from=None, during="loading the data", start=time.time())
    try:
        return _run(report, model_fn, feature_shape, loss)
    except KeyboardInterrupt as err:  # a first signal outside the loop, or a second one anywhere
        with _signals_ignored():
            loop = report["loop"]
            stop = Interrupted(signal_of(err), loop.step, loop.epoch)
            _record_interrupt(report, stop)
        raise stop
    finally:
        runs.release(report["run_dir"])


def _run(report, model_fn, feature_shape, loss):
    fv = report["fv"]
    if fv["init_from"] and fv["resume"]:
        raise UsageError("--init_from and --resume both load weights; pass one of them")
    init_from = checkpoints.resolve(fv["init_from"], "--init_from") if fv["init_from"] else None
    report["init_from"] = init_from
    data = load_mnist(fv["data_dir"], download=fv["download"], train_limit=fv["train_limit"])
    if len(data.train.images) < fv["batch_size"]:
        raise UsageError("--batch_size=%d is larger than the %d training images (--train_limit)"
                         % (fv["batch_size"], len(data.train.images)))
    report["during"] = "opening the run folder"
    run_dir, resume_from = runs.prepare(report["experiment"], fv)
    report.update(run_dir=run_dir, resumed_from=resume_from, during="building the graph")
    inputs = make_input(fv["input"], batch_dataflow(data.train, fv["batch_size"], seed=fv["seed"]),
                        feature_shape)
    report["inputs"] = inputs
    try:
        return _train(report, model_fn, feature_shape, loss, data, inputs)
    except tf.errors.ResourceExhaustedError as err:
        raise UsageError(_out_of_memory(err, fv, report["during"]))


def _culprit(shape, fv):
    """Which flag makes a tensor of ``shape`` large."""
    widths = [int(h) for h in fv.get("hidden") or []]
    if shape and fv["batch_size"] in shape and not set(shape) & set(widths):
        culprit = "lower --batch_size=%d" % fv["batch_size"]
    elif shape and set(shape) & set(widths):
        culprit = "lower --hidden=%s" % ",".join(map(str, widths))
    else:
        culprit = "use a smaller model or --batch_size"
    return culprit


def _out_of_memory(err, fv, during):
    """TF's out-of-memory error as one line naming the flag that made the tensor too large."""
    match = re.search(r"shape\s*\[([\d,\s]+)\]", err.message or "")
    shape = [int(d) for d in match.group(1).split(",")] if match else []
    size = "a [%s] float tensor (%.1f GB)" % (", ".join(map(str, shape)), 4.0 * np.prod(shape) / 1e9) \
        if shape else "a tensor"
    return "out of memory allocating %s while %s; it does not fit this machine: %s" % (
        size, during, _culprit(shape, fv))


def _check_fits_in_memory(fv):
    """The variables (weights and optimizer slots) alone larger than the
    machine's memory: refused before TF tries (which fails in ways that differ
    by version and optimizer, not always as ResourceExhaustedError)."""
    variables = tf.global_variables()
    need = sum(v.shape.num_elements() * v.dtype.base_dtype.size for v in variables if v.shape.is_fully_defined())
    try:
        have = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return
    if need > have:
        big = max(variables, key=lambda v: v.shape.num_elements() or 0)
        raise UsageError("the model's variables need %.1f GB (%s is %s), more than this machine's %.1f GB of "
                         "memory: %s" % (need / 1e9, big.op.name, big.shape.as_list(), have / 1e9,
                                         _culprit(big.shape.as_list(), fv)))


def _train(report, model_fn, feature_shape, loss, data, inputs):
    fv, run_dir, resume_from, init_from = report["fv"], report["run_dir"], report["resumed_from"], report["init_from"]

    tf.reset_default_graph()
    tf.set_random_seed(fv["seed"])
    x, y = inputs.tensors(num_classes=10)
    model_vars = []

    def model(*args):
        logits = model_fn(*args)
        model_vars.extend(tf.global_variables())  # the model's own, before the optimizer's
        return logits

    graph = build_classifier(model, x, y, fv["optimizer"], fv["learning_rate"], loss=loss)
    board = TensorBoard(run_dir, test=data.test, eval_keep_prob=fv["eval_keep_prob"], histograms=fv["histograms"])
    checkpointer = Checkpointer(run_dir, every_steps=fv["save_every_steps"], before_save=[board.flush])
    hooks = [ProgressBar(), EpochPrinter(), board, checkpointer, StopOnSignal()]
    _check_fits_in_memory(fv)

    start = time.time()
    loop = report["loop"]
    config = session_config(fv["intra_op_threads"], fv["inter_op_threads"])
    with tf.Session(config=config) as sess:
        report["during"] = "initializing the variables"
        sess.run(tf.global_variables_initializer())
        report["initial_weights_sha1"] = weights_fingerprint(sess)
        if resume_from:
            report["during"] = "restoring %s" % resume_from
            checkpoints.check_matches(resume_from, tf.global_variables(), "--resume")
            checkpointer.checkpoints.saver.restore(sess, resume_from)
            with open(checkpoints.state_path(resume_from)) as handle:
                loop = LoopState.from_json(json.load(handle))
            report["loop"] = loop
            print("resuming %s at step %d (epoch %d)" % (resume_from, loop.step, loop.epoch))
        elif fv["resume"]:
            print("resume: no checkpoint in %s yet; starting from step 0" % run_dir)
        if init_from:
            checkpoints.restore(sess, init_from, model_vars, "--init_from")
            print("weights from %s" % init_from)
        report["during"] = "training"
        try:
            history = train(sess, graph, inputs, fv["epochs"], fv["keep_prob"], validation=data.validation,
                            eval_keep_prob=fv["eval_keep_prob"], hooks=hooks, state=loop)
        except Diverged as err:
            err.optimizer, err.learning_rate = fv["optimizer"], fv["learning_rate"]
            err.record = _write(report, "diverged", time.time() - start,
                                diverged={"step": err.step, "epoch": err.epoch, "cost": str(err.cost)})
            raise
        except Interrupted as err:
            with _signals_ignored():
                _record_interrupt(report, err)
            raise
        if loop.stop_signal is not None:  # caught by the loop's handler after its last check
            err = Interrupted(loop.stop_signal, loop.step, loop.epoch)
            with _signals_ignored():
                _record_interrupt(report, err)
            raise err
        report["during"] = "the final evaluation"
        test_accuracy = evaluate(sess, graph, data.test, fv["eval_keep_prob"], dropout_seed=(loop.step, TEST_SALT))
        # With dropout left on at evaluation (the original's bug), also measure
        # the same weights the right way, so one run shows both numbers.
        fixed_accuracy = test_accuracy if fv["eval_keep_prob"] == 1.0 else evaluate(sess, graph, data.test, 1.0)
    wall = time.time() - start
    report["during"] = "writing the results"

    print("최적화 완료!")
    print("정확도:", test_accuracy)
    per_epoch = [r.seconds for r in history]
    print("test accuracy %.4f (eval keep_prob %g%s), %d epochs in %.1f s (%.2f s per epoch), results in %s"
          % (test_accuracy, fv["eval_keep_prob"],
             "" if fv["eval_keep_prob"] == 1.0 else "; %.4f with dropout off" % fixed_accuracy,
             len(history), wall, sum(per_epoch) / max(len(per_epoch), 1), report["out"]))
    return _write(report, "ok", wall, test_accuracy=test_accuracy, test_accuracy_without_dropout=fixed_accuracy)


@contextlib.contextmanager
def _signals_ignored():
    """While an interrupted run's record is written, further Ctrl-Cs wait:
    the record is a few milliseconds of work and must not be cut in half."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _record_interrupt(report, err):
    """The results JSON of an interrupted run: what it was doing and its newest
    complete checkpoint (the index names only complete ones), then ``err``
    gets them as ``.record``, ``.checkpoint``, ``.during``, ``.output``."""
    err.during = err.during or report["during"]
    err.checkpoint = None
    if report["run_dir"]:
        # The one a --resume would take: a second signal may have cut a save
        # after its files were complete but before the index named it.
        try:
            err.checkpoint = checkpoints.newest_complete(report["run_dir"], log=lambda line: None, repair=False)
        except UsageError:
            pass
    err.output = report["out"]
    err.record = _write(report, "interrupted", time.time() - report["start"], checkpoint=err.checkpoint,
                        interrupted={"signal": err.signum, "step": err.step, "epoch": err.epoch,
                                     "during": err.during, "checkpoint": err.checkpoint})


def _write(report, status, wall, test_accuracy=None, **extra):
    """The results JSON, in --output and in the run folder."""
    loop = report["loop"]
    history = loop.history
    metrics = {
        "steps_per_epoch": report["inputs"].steps_per_epoch if report["inputs"] else None,
        "global_step": loop.step,
        "epoch_avg_cost": [r.avg_cost for r in history],
        "validation_accuracy": [r.validation_accuracy for r in history],
        "test_accuracy": test_accuracy,
        "seconds_per_epoch": [r.seconds for r in history],
        "wall_seconds": wall,
        "logdir": report["run_dir"],
        "checkpoint": checkpoints.latest(report["run_dir"]) if report["run_dir"] else None,
        "resumed_from": report["resumed_from"],
        "init_from": report["init_from"],
        "initial_weights_sha1": report.get("initial_weights_sha1"),
    }
    metrics.update(extra)
    record = results.write_results(report["out"], report["experiment"], report["fv"], metrics, status=status)
    if report["run_dir"]:
        fileio.write_json(os.path.join(report["run_dir"], "results.json"), record)
    sys.stdout.flush()
    return record
