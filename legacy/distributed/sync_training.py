"""Synchronous data-parallel MNIST training on TF1's distributed runtime.

Each task of the cluster (legacy/distributed/cluster.py) runs this with its role:

- a **ps** task serves the variables (``tf.train.Server``) until every
  worker has said it is done (a token in a queue on the ps), then exits;
- each **worker** builds the same graph with its variables placed on the
  ps tasks (``tf.train.replica_device_setter``), and trains with
  ``tf.train.SyncReplicasOptimizer(replicas_to_aggregate=W,
  total_num_replicas=W)``: every step, each worker pushes the gradient of
  its shard into accumulators on the ps, the chief's queue runner takes the
  mean of the W gradients and applies it once, and hands each worker a
  token to start the next step. The tokens of one step sit in one shared
  queue, so on its own SyncReplicasOptimizer lets a fast worker take a slow
  one's token and count twice in the next mean (seen: the chief slowed by a
  checkpoint, worker 1 took its token). So each step ends at a barrier:
  having its token, a worker puts it into every worker's barrier queue on
  ps 0 and, in the same ``sess.run``, waits for the W tokens of that step in
  its own; no worker pushes step s+1's gradient before all hold step s's
  token. The W workers move in lockstep, and each checks that the tokens are
  the step it expects (a gradient counted for the wrong step fails, not
  silently).

Why SyncReplicasOptimizer rather than tensorpack's distributed trainers: it
keeps the project's builder and optimizer arithmetic unchanged
(``Optimizer.apply_gradients`` on the mean gradient, as one process with
the whole batch), it is TF's own (also in TF 2's ``tf.compat.v1``), and it
needs no GPU towers; tensorpack 0.11's ``DistributedTrainerReplicated`` /
``ParameterServer`` are built around per-GPU towers and its docs call them
less maintained than Horovod.

Data: every worker holds the same seeded ``ArraySplit`` order, so global
step k is the same global batch of B rows everywhere; worker i trains on
rows ``[i*B/W, (i+1)*B/W)`` of it. The mean of the W shard-mean gradients is
the mean gradient of the whole batch, so W workers compute what one process
with batch B computes, up to float rounding (tests/test_distributed.py).

The chief (worker 0) initialises or restores the variables, measures
validation and test accuracy, writes checkpoints (every epoch and every
``--save_every_steps``), TensorBoard scalars and the results JSON. A worker
that restarts reads the global step from the ps and replays the data order
up to it, so a restarted cluster continues exactly where the chief's last
checkpoint stands.

Faults: a watchdog stops any task that makes no progress for
``--sync_timeout`` seconds (a killed worker or ps blocks the others' steps)
with one line saying what to do, instead of hanging forever.
"""
import os
import sys
import threading
import time

import numpy as np

from legacy import checkpoints, run_config, fileio, results, runs
from legacy.distributed import cluster
from legacy.data.mnist import ArraySplit, load_for_training
from legacy.errors import UsageError
from legacy.graph import classifier_tensors
from legacy.models.layers import mode_inputs
from legacy.models.layers import find_dropout_seed
from legacy.optim import adam_settings, make_optimizer
from legacy.tf import tf
from legacy.train import TEST_SALT, VALIDATION_SALT, evaluate

EXIT_STALLED = 4


class ClusterStalled(UsageError):
    """Another task of the cluster stopped answering."""


class Watchdog(object):
    """Ends the process with one line when ``progress()`` was not called for
    ``timeout`` seconds: the one bound that also covers a session that waits
    for a dead task inside TensorFlow."""

    def __init__(self, timeout, what):
        self.timeout, self.what = timeout, what
        self.last = time.time()
        self.doing = "starting"
        self.hint = ""
        self._done = threading.Event()
        thread = threading.Thread(target=self._watch, name="watchdog")
        thread.daemon = True
        thread.start()

    def progress(self, doing=None):
        self.last = time.time()
        if doing:
            self.doing = doing

    def stop(self):
        self._done.set()

    def _watch(self):
        while not self._done.wait(1.0):
            if time.time() - self.last > self.timeout:
                sys.stdout.flush()
                sys.stderr.write("error: %s: no progress for %d s while %s (--sync_timeout): a task of the "
                                 "cluster stopped (a killed worker or ps?); stopping this task%s\n"
                                 % (self.what, self.timeout, self.doing, self.hint))
                sys.stderr.flush()
                os._exit(EXIT_STALLED)


def _server(spec):
    cluster_spec = tf.train.ClusterSpec({"ps": list(spec.ps), "worker": list(spec.workers)})
    return tf.train.Server(cluster_spec, job_name=spec.job_name, task_index=spec.task_index,
                           config=tf.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=2))


def _done_queue(spec, ps_index):
    with tf.device("/job:ps/task:%d" % ps_index):
        return tf.FIFOQueue(len(spec.workers), tf.int32, shapes=[], shared_name="done_queue%d" % ps_index,
                            name="done_queue%d" % ps_index)


def _step_barrier(spec, train_op):
    """After ``train_op`` (its value: this worker's token), the token into every
    worker's barrier queue on ps 0, then this worker's W tokens of the step."""
    workers = len(spec.workers)
    with tf.device("/job:ps/task:0"):
        queues = [tf.FIFOQueue(2 * workers, tf.int64, shapes=[], shared_name="step_barrier%d" % i,
                               name="step_barrier%d" % i) for i in range(workers)]
    arrive = [q.enqueue(train_op) for q in queues]
    with tf.control_dependencies(arrive):
        return queues[spec.task_index].dequeue_many(workers)


def serve_ps(spec):
    """Serve variables until every worker has put its token into our done queue."""
    server = _server(spec)
    before = _process_io()  # after the imports: what follows is the cluster's traffic
    print("ps %d: serving on %s for %d worker(s)" % (spec.task_index, spec.ps[spec.task_index], len(spec.workers)))
    sys.stdout.flush()
    with tf.Graph().as_default():
        dequeue = _done_queue(spec, spec.task_index).dequeue()
        with tf.Session(server.target) as sess:
            for n in range(len(spec.workers)):
                sess.run(dequeue)
    after = _process_io()
    io = {k: after[k] - before.get(k, 0) for k in after}
    print("ps %d: all %d worker(s) done; bytes through this process while serving: read %d, written %d"
          % (spec.task_index, len(spec.workers), io.get("rchar", 0), io.get("wchar", 0)))
    return {"job": "ps", "io": io}


def _process_io():
    """/proc/self/io: rchar/wchar count every byte read or written, sockets included."""
    try:
        with open("/proc/self/io") as handle:
            return {k: int(v) for k, v in (line.split(":") for line in handle)}
    except (OSError, ValueError):
        return {}


def loopback_bytes():
    """Bytes sent over the loopback interface so far (/proc/net/dev, "lo" tx):
    every byte between tasks on 127.0.0.1 passes it once. It counts other
    programs' loopback traffic too; on an otherwise quiet interface that is
    noise of a few kB/s."""
    try:
        with open("/proc/net/dev") as handle:
            for line in handle:
                name, _, fields = line.partition(":")
                if name.strip() == "lo":
                    return int(fields.split()[8])
    except (OSError, ValueError, IndexError):
        pass
    return None


def _shard_rows(order, step_in_epoch, batch_size, workers, index):
    shard = batch_size // workers
    start = step_in_epoch * batch_size + index * shard
    return order[start:start + shard]


def run_distributed(experiment, model_fn, config, spec, feature_shape=(784,)):
    """This task's part of a synchronous data-parallel run; the chief returns the results record."""
    if spec.job_name == "ps":
        return serve_ps(spec)
    workers, index, chief = len(spec.workers), spec.task_index, cluster.is_chief(spec)
    if config.batch_size % workers:
        raise UsageError("--batch_size=%d does not split into %d equal worker shards; use a multiple of %d"
                         % (config.batch_size, workers, workers))
    if config.init_from:
        raise UsageError("--init_from is not supported in distributed training; use --resume --logdir")
    what = "worker %d" % index
    data = load_for_training(config.data_dir, config.download, config.train_limit, config.batch_size)
    run_dir = resume_from = None
    if chief:
        run_dir, resume_from = runs.prepare(experiment, config)
    out = results.output_path(config.output, experiment) if chief else None
    steps_per_epoch = len(data.train.images) // config.batch_size
    total_steps = config.epochs * steps_per_epoch

    tf.reset_default_graph()
    tf.set_random_seed(config.seed)
    device = tf.train.replica_device_setter(worker_device="/job:worker/task:%d" % index,
                                            cluster={"ps": list(spec.ps), "worker": list(spec.workers)})
    with tf.device(device):
        x = tf.placeholder(tf.float32, [None] + list(feature_shape), name="X")
        y = tf.placeholder(tf.float32, [None, 10], name="Y")
        keep_prob, training = mode_inputs()
        logits, cost, correct, accuracy, model_variables = classifier_tensors(model_fn, x, y, config.loss)
        with tf.name_scope("optimizer"):
            global_step = tf.Variable(0, trainable=False, name="global_step", dtype=tf.int64)
            sync = tf.train.SyncReplicasOptimizer(make_optimizer(config.optimizer, config.learning_rate,
                                                                  adam_settings(config)),
                                                  replicas_to_aggregate=workers, total_num_replicas=workers)
            with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
                train_op = sync.minimize(cost, global_step=global_step)
    # We run SyncReplicasOptimizer's init ops ourselves (below), not its session hook.
    getattr(sync.ready_for_local_init_op, "mark_used", lambda: None)()
    step_tokens = _step_barrier(spec, train_op)
    queues = [_done_queue(spec, p) for p in range(len(spec.ps))]
    done = [q.enqueue(1) for q in queues]
    ping = [q.size() for q in queues]
    seed_t = find_dropout_seed()
    saver_keeper = checkpoints.RunCheckpoints(run_dir) if chief else None
    ready = tf.report_uninitialized_variables(tf.global_variables())
    net = _EvalNet(x, y, correct, cost)
    session_config = tf.ConfigProto(intra_op_parallelism_threads=config.intra_op_threads,
                                    inter_op_parallelism_threads=config.inter_op_threads,
                                    device_filters=["/job:ps", "/job:worker/task:%d" % index])
    server = _server(spec)
    watchdog = Watchdog(config.sync_timeout, what)
    if chief:
        watchdog.hint = "; the chief's checkpoints are in %s: restart every task with --resume --logdir=%s" % (
            run_dir, run_dir)
    else:
        watchdog.hint = "; restart every task with the chief's --resume --logdir"
    watchdog.progress("connecting to the cluster")
    sess = tf.Session(server.target, config=session_config)
    coord = tf.train.Coordinator()
    state = {}
    try:
        # TF 2's gRPC can answer UnavailableError for a moment after the
        # ps is up; the setup is idempotent, so retry it (the watchdog bounds it).
        watchdog.progress("connecting to the cluster")  # the one reset: the setup below is bounded by it
        while True:
            _wait_for_ps(sess, ping, watchdog)
            try:
                state = _setup(sess, chief, saver_keeper, resume_from, sync, ready, global_step, watchdog)
                break
            except tf.errors.UnavailableError as err:
                print("%s: the cluster is not ready yet (%s); retrying" % (what, _first_cause(err.message)))
                time.sleep(1.0)
        if chief:
            sync.get_chief_queue_runner().create_threads(sess, coord=coord, daemon=True, start=True)
        step = int(sess.run(global_step))
        start_step = step
        history = [tuple(r) for r in state.get("history", [])]
        epoch_cost = float(state.get("epoch_cost", 0.0)) if state.get("step") == step else 0.0
        split = ArraySplit(data.train.images, data.train.labels, seed=config.seed)
        order = None
        for _ in range(step // steps_per_epoch):  # replay the data order of the epochs done
            split.epoch_order()
        board = tf.summary.FileWriter(run_dir) if chief else None
        print("%s: %d worker(s), shard %d of batch %d, steps %d..%d"
              % (what, workers, config.batch_size // workers, config.batch_size, step, total_steps))
        sys.stdout.flush()
        started, lo_start = time.time(), loopback_bytes()
        while step < total_steps:
            epoch, in_epoch = step // steps_per_epoch + 1, step % steps_per_epoch
            if order is None or in_epoch == 0:
                order = split.epoch_order()
            rows = _shard_rows(order, in_epoch, config.batch_size, workers, index)
            feed = {x: data.train.images[rows], y: data.train.labels[rows], keep_prob: config.keep_prob,
                    training: True}
            if seed_t is not None:
                feed[seed_t] = [step, index]
            watchdog.progress("in step %d" % (step + 1))
            tokens, cost_val = sess.run([step_tokens, cost], feed)
            if any(int(token) != step + 1 for token in tokens):
                raise ClusterStalled("%s: step %d got the tokens of steps %s: the workers are out of lockstep "
                                     "(was a worker restarted alone? restart every task)"
                                     % (what, step + 1, ", ".join(str(int(t)) for t in tokens)))
            if not np.isfinite(cost_val):
                raise UsageError("%s: the cost is %s at step %d; try a lower --learning_rate"
                                 % (what, cost_val, step + 1))
            step += 1
            epoch_cost += float(cost_val) / steps_per_epoch
            if not chief:
                continue
            if step % steps_per_epoch == 0:
                watchdog.progress("evaluating epoch %d" % epoch)
                val = evaluate(sess, net, data.validation, config.eval_keep_prob, dropout_seed=(step, VALIDATION_SALT))
                history.append((epoch, epoch_cost, val))
                print("Epoch: %04d Avg. cost = %.3f (chief's shard)  validation accuracy %.4f" % (epoch, epoch_cost, val))
                sys.stdout.flush()
                _scalars(board, step, epoch_cost=epoch_cost, validation_accuracy=val)
                epoch_cost = 0.0
                _save(saver_keeper, sess, step, epoch_cost, history)
            elif config.save_every_steps and step % config.save_every_steps == 0:
                _save(saver_keeper, sess, step, epoch_cost, history)
        seconds, lo_end = time.time() - started, loopback_bytes()
        watchdog.progress("finishing")
        record = None
        if chief:
            test_accuracy = evaluate(sess, net, data.test, config.eval_keep_prob, dropout_seed=(step, TEST_SALT))
            steps_done = step - start_step
            metrics = {
                "workers": workers, "ps_tasks": len(spec.ps), "shard_size": config.batch_size // workers,
                "steps_per_epoch": steps_per_epoch, "global_step": step,
                "epoch_avg_cost": [h[1] for h in history], "validation_accuracy": [h[2] for h in history],
                "test_accuracy": test_accuracy, "train_seconds": seconds,
                "steps_per_second": steps_done / seconds if steps_done and seconds > 0 else None,
                "logdir": run_dir, "checkpoint": checkpoints.latest(run_dir), "resumed_from": resume_from,
                "loopback_bytes_per_step": ((lo_end - lo_start) / steps_done
                                            if steps_done and lo_start is not None else None),
                "parameter_bytes": int(sum(np.prod(v.shape.as_list()) * v.dtype.size
                                           for v in tf.trainable_variables())),
            }
            if board is not None:
                board.close()
            record = results.write_results(out, experiment, run_config.record(config), metrics)
            fileio.write_json(os.path.join(run_dir, "results.json"), record)
            print("최적화 완료!")
            print("정확도:", test_accuracy)
            print("chief: %d steps in %.1f s (%.2f steps/s), results in %s"
                  % (steps_done, seconds, metrics["steps_per_second"] or 0.0, out))
        for op in done:
            sess.run(op)
        return record
    except tf.errors.OpError as err:
        raise ClusterStalled("%s: %s: %s%s" % (what, type(err).__name__, _first_cause(err.message), watchdog.hint))
    finally:
        watchdog.stop()
        coord.request_stop()
        sess.close()
        sys.stdout.flush()


def _setup(sess, chief, keeper, resume_from, sync, ready, global_step, watchdog):
    """Variables initialised or restored (chief) or waited for (others), and
    SyncReplicasOptimizer's local init; returns the checkpoint's loop state."""
    state = {}
    if chief:
        if resume_from:
            keeper.saver.restore(sess, resume_from)
            state = _read_json(checkpoints.state_path(resume_from))
            print("resumed %s at step %d" % (resume_from, sess.run(global_step)))
        else:
            # Only the variables still uninitialised: a retried setup must not
            # run a random initializer twice (its second run draws other values).
            missing = set(name.decode() for name in sess.run(ready))
            sess.run([v.initializer for v in tf.global_variables() if v.op.name in missing])
        sess.run(sync.chief_init_op)
    else:
        watchdog.doing = "waiting for the chief to initialise the variables"
        while len(sess.run(ready)):
            time.sleep(0.5)
        sess.run(sync.local_step_init_op)
    return state


def _wait_for_ps(sess, ping, watchdog):
    """Until every ps answers. TF 1.15 waits inside the first run for a task
    that is not up yet; TF 2 fails fast with UnavailableError, so retry (the
    watchdog bounds the wait)."""
    watchdog.doing = "waiting for the parameter server(s)"  # no reset: retries stay bounded
    while True:
        try:
            return sess.run(ping)
        except tf.errors.UnavailableError:
            time.sleep(0.5)


def _first_cause(message):
    """The line of a TF error that says what happened (TF 2 puts "Graph
    execution error:" and a traceback first)."""
    lines = [l.strip() for l in message.splitlines() if l.strip()]
    for line in lines:
        if not line.startswith(("Graph execution error", "Detected at node", "File ", "[[", "Node:")):
            return line[:300]
    return lines[0][:300] if lines else "?"


class _EvalNet(object):
    """What legacy/train.py's evaluate reads from a TrainGraph."""

    def __init__(self, x, y, correct, cost):
        self.x, self.y, self.correct, self.cost = x, y, correct, cost


def _save(keeper, sess, step, epoch_cost, history):
    # Every key of the loop's sidecar (legacy/checkpoints.py STATE_KEYS), so that
    # --resume's completeness check accepts it; this runner needs only step,
    # epoch_cost and history (the data order is replayed from the step).
    state = {"step": step, "epoch_cost": epoch_cost, "history": [list(h) for h in history],
             "epoch": len(history) + 1, "step_in_epoch": None, "epoch_seconds": 0.0, "rng_state": None}
    prefix = keeper.save(sess, step, state)
    print("checkpoint step %d: %s" % (step, prefix))
    sys.stdout.flush()


def _read_json(path):
    import json
    if not os.path.exists(path):
        return {}
    with open(path) as handle:
        return json.load(handle)


def _scalars(writer, step, **values):
    summary = tf.Summary(value=[tf.Summary.Value(tag=k, simple_value=float(v)) for k, v in values.items()])
    writer.add_summary(summary, step)
    writer.flush()
