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
import hashlib
import os
import sys
import time

from legacy import checkpoints, run_config, fileio, memory, optim, predictions, results, runs
from legacy.engine import OneProcess
from legacy.data.mnist import batch_dataflow, load_for_training
from legacy.errors import Diverged, Interrupted, UsageError, interrupt_behind, signal_of
from legacy.graph import build_classifier
from legacy.hooks import Checkpointer, EpochPrinter, ProgressBar, StopOnSignal, TensorBoard, signals_ignored
from legacy.inputs import make_input
from legacy.tf import tf
from legacy.train import TEST_SALT, LoopState, evaluate, session_config, train


def weights_fingerprint(sess):
    """SHA-1 of all trainable weights: equal fingerprints mean equal starts,
    which is what makes runs that differ in one setting comparable."""
    digest = hashlib.sha1()
    for value in sess.run(tf.trainable_variables()):
        digest.update(value.tobytes())
    return digest.hexdigest()


def run_mnist(experiment, model_fn, config, feature_shape=(784,), extra_hooks=(), engine=None):
    """Train ``model_fn`` on MNIST as ``config`` (a RunConfig) says; return the results record.

    ``extra_hooks`` run after the run's own (``make bench`` times the loop
    with one). ``engine`` (legacy/engine.py) says who trains: this process
    alone (the default), or one rank of a data-parallel run (``--engine=horovod``,
    legacy/distributed/horovod_engine.py), where only the process that
    ``writes`` (rank 0) opens the run folder, prints the study's lines and
    writes checkpoints and the results JSON; the others return None.

    A signal at any moment after the flags are checked (loading data,
    building the graph, training, the final evaluation; a second Ctrl-C
    included) writes the results JSON with status "interrupted", what the
    run was doing and its newest complete checkpoint, then raises Interrupted.
    (A task of a cluster runs legacy/distributed/sync_training.py instead:
    legacy/distributed/cluster.py's ``run_classifier`` picks.)
    """
    out = results.output_path(config.output, experiment)
    report = dict(experiment=experiment, out=out, run_dir=None, config=config, inputs=None, loop=LoopState(),
                  extra_hooks=list(extra_hooks), engine=engine or OneProcess(),
                  resumed_from=None, init_from=None, during="loading the data", start=time.time())
    try:
        return _run(report, model_fn, feature_shape)
    except (KeyboardInterrupt, SystemError) as err:  # a first signal outside the loop, or a second one anywhere
        interrupt = interrupt_behind(err)
        if interrupt is None:
            raise
        with signals_ignored():
            loop = report["loop"]
            stop = Interrupted(signal_of(interrupt), loop.step, loop.epoch)
            if report["engine"].writes:
                _record_interrupt(report, stop)
        raise stop
    finally:
        runs.release(report["run_dir"])


def _run(report, model_fn, feature_shape):
    config = report["config"]
    if config.init_from and config.resume:
        raise UsageError("--init_from and --resume both load weights; pass one of them")
    report["init_from"] = checkpoints.resolve(config.init_from, "--init_from") if config.init_from else None
    if config.plot_predictions:
        fileio.check_writable_path(config.plot_predictions, "--plot_predictions")
    data = load_for_training(config.data_dir, config.download, config.train_limit, config.batch_size)
    engine = report["engine"]
    run_dir = resume_from = None
    if engine.writes:
        report["during"] = "opening the run folder"
        run_dir, resume_from = runs.prepare(report["experiment"], config)
    report.update(run_dir=run_dir, resumed_from=resume_from, during="building the graph")
    report["inputs"] = engine.shard(make_input(
        config.input, batch_dataflow(data.train, config.batch_size, seed=config.seed), feature_shape))
    try:
        return _train(report, model_fn, data)
    except tf.errors.ResourceExhaustedError as err:
        raise UsageError(memory.out_of_memory(err, report["during"], config.batch_size, config.hidden))


def _train(report, model_fn, data):
    config, run_dir, inputs, engine = report["config"], report["run_dir"], report["inputs"], report["engine"]
    tf.reset_default_graph()
    tf.set_random_seed(config.seed)
    x, y = inputs.tensors(num_classes=10)
    net = engine.graph(build_classifier(model_fn, x, y, config.optimizer, config.learning_rate, loss=config.loss,
                                        adam=optim.adam_settings(config), wrap_optimizer=engine.wrap_optimizer))
    if engine.writes:
        board = TensorBoard(run_dir, test=data.test, eval_keep_prob=config.eval_keep_prob,
                            histograms=config.histograms)
        checkpointer = Checkpointer(run_dir, every_steps=config.save_every_steps, before_save=[board.flush])
        saver = checkpointer.checkpoints.saver
        hooks = [ProgressBar(), EpochPrinter(), board, checkpointer, StopOnSignal()] + report["extra_hooks"]
    else:  # another rank: it trains its shard and keeps nothing
        board, saver, hooks = None, None, [StopOnSignal()] + report["extra_hooks"]
    memory.check_fits(config.batch_size, config.hidden)

    start = time.time()
    with tf.Session(config=session_config(config.intra_op_threads, config.inter_op_threads)) as sess:
        report["during"] = "initializing the variables"
        sess.run(tf.global_variables_initializer())
        report["initial_weights_sha1"] = weights_fingerprint(sess)
        report["during"] = "restoring %s" % (report["resumed_from"] or report["init_from"])
        state = checkpoints.start(sess, saver, report["resumed_from"], report["init_from"],
                                  net.model_variables) if engine.writes else None
        report["during"] = "starting the %s" % engine.name
        state = engine.start(sess, state)
        report["loop"] = loop = LoopState.from_json(state) if state else report["loop"]
        if config.resume and not report["resumed_from"]:
            print("resume: no checkpoint in %s yet; starting from step 0" % run_dir)
        report["during"] = "training"
        try:
            history = train(sess, net, inputs, config.epochs, config.keep_prob,
                            validation=data.validation if engine.writes else None,
                            eval_keep_prob=config.eval_keep_prob, hooks=hooks, state=loop, mask_stream=engine.rank)
        except Diverged as err:
            err.optimizer, err.learning_rate = config.optimizer, config.learning_rate
            if engine.writes:
                err.record = _write(report, "diverged", time.time() - start,
                                    diverged={"step": err.step, "epoch": err.epoch, "cost": str(err.cost)})
            raise
        except Interrupted as err:
            if engine.writes:
                with signals_ignored():
                    _record_interrupt(report, err)
            raise
        if loop.stop_signal is not None:  # caught by the loop's handler after its last check
            err = Interrupted(loop.stop_signal, loop.step, loop.epoch)
            if engine.writes:
                with signals_ignored():
                    _record_interrupt(report, err)
            raise err
        if not engine.writes:
            return None
        report["during"] = "the final evaluation"
        accuracies = _final_evaluation(sess, net, data, config, board, loop.step)
        if config.plot_predictions:
            accuracies["predicted_labels"] = predictions.predict_first(sess, net, data.test, config.eval_keep_prob,
                                                                       loop.step)
            predictions.plot(config.plot_predictions, data.test.images, accuracies["predicted_labels"],
                             "%s, eval keep_prob %g" % (report["experiment"], config.eval_keep_prob))
    wall = time.time() - start
    report["during"] = "writing the results"
    _print_summary(report, config, accuracies, history, wall)
    return _write(report, "ok", wall, **accuracies)


def _final_evaluation(sess, net, data, config, board, step):
    """The test accuracy, measured once: TensorBoard measured the test split
    at the last epoch's end, at this step and with this seed, so only a run
    that trained no epoch here measures it now. With dropout left on at
    evaluation (the original's bug), also the same weights the right way, so
    one run shows both numbers."""
    test_accuracy = board.test_accuracy_at(step)
    if test_accuracy is None:
        test_accuracy = evaluate(sess, net, data.test, config.eval_keep_prob, dropout_seed=(step, TEST_SALT))
    fixed_accuracy = test_accuracy if config.eval_keep_prob == 1.0 else evaluate(sess, net, data.test, 1.0)
    return dict(test_accuracy=test_accuracy, test_accuracy_without_dropout=fixed_accuracy)


def _print_summary(report, config, accuracies, history, wall):
    """The study's closing lines, then one line of ours."""
    print("최적화 완료!")
    print("정확도:", accuracies["test_accuracy"])
    per_epoch = [r.seconds for r in history]
    print("test accuracy %.4f (eval keep_prob %g%s), %d epochs in %.1f s (%.2f s per epoch), results in %s"
          % (accuracies["test_accuracy"], config.eval_keep_prob,
             "" if config.eval_keep_prob == 1.0 else "; %.4f with dropout off" % accuracies[
                 "test_accuracy_without_dropout"],
             len(history), wall, sum(per_epoch) / max(len(per_epoch), 1), report["out"]))


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
    metrics.update(report["engine"].metrics())
    metrics.update(extra)
    record = results.write_results(report["out"], report["experiment"], run_config.record(report["config"]),
                                   metrics, status=status)
    if report["run_dir"]:
        fileio.write_json(os.path.join(report["run_dir"], "results.json"), record)
    sys.stdout.flush()
    return record
