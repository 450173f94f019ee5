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

Start-up uses TensorFlow's own ``tf.train.SessionManager`` (the chief:
``prepare_session``, which initialises or restores; the others:
``wait_for_session``, which waits until the variables are ready) and
SyncReplicasOptimizer's own session hook (``make_session_run_hook``: its
local init and the chief's queue runner). Not ``MonitoredTrainingSession``:
its session recovers from a lost task by opening a new session and training
on, where this run must stop and be restarted from the chief's checkpoint
(a silent recovery would mix steps). Every task's session has device filters
(it talks only to the ps tasks and itself) and TF's operation timeout
(``operation_timeout_in_ms`` = ``--sync_timeout``): a run that waits longer
for another task fails with one line instead of hanging. TF 2's gRPC fails
fast by default when a peer is not up yet (``GRPC_FAIL_FAST=use_caller``,
TF >= 2.5); this module sets ``GRPC_FAIL_FAST=false`` (unless the
environment sets it), so that TF 2 waits for a peer as TF 1.15 does, and the
operation timeout bounds that wait.

Checkpoints: the chief's Saver is built on the chief's own device
(``/job:worker/task:0/device:CPU:0``), so its save and restore ops run in
the chief's process and read and write its run folder; without that TF
places them on a ps, which writes the data files on its own disk.

Before the first step each worker sends its settings to the chief (a queue
on ps 0) and gets the chief's verdict: a task whose --seed, --batch_size,
--train_limit, model or any other setting that shapes the shards or the
graph differs from the chief's is refused by both, in one line naming the
flag.

Stopping: SIGINT or SIGTERM to the chief lets it finish its step, save a
checkpoint and write the results JSON with status "interrupted" and the
newest complete checkpoint, then exit 130 / 143, as a one-process run does;
if its step cannot finish (another task is gone) it records the newest
complete checkpoint after ``STOP_WAIT`` seconds. A worker other than the
chief and a ps keep nothing: they stop at once with one line.
"""
import json
import os
import signal
import sys
import threading
import time

import numpy as np

from legacy import checkpoints, run_config, fileio, results, runs
from legacy.distributed import cluster
from legacy.data.mnist import ArraySplit, load_for_training
from legacy.errors import Interrupted, UsageError, signal_of
from legacy.graph import classifier_tensors
from legacy.models.layers import mode_inputs
from legacy.models.layers import find_dropout_seed
from legacy.optim import adam_settings, make_optimizer
from legacy.tf import contrib_training, tf
from legacy.train import TEST_SALT, VALIDATION_SALT, evaluate

# Before any server or channel exists: TF 2 then waits for a peer that is
# not up yet, as TF 1.15 does (the sessions' operation timeout bounds it).
os.environ.setdefault("GRPC_FAIL_FAST", "false")

EXIT_STALLED = 4
# Seconds the chief's step may take to finish after a stop signal before the
# chief records the newest complete checkpoint without it.
STOP_WAIT = 10.0
# Settings of one task that may differ between tasks (its own files, threads
# and role); every other field of the run must equal the chief's.
PER_TASK = ("job_name", "task_index", "ps_hosts", "worker_hosts", "logdir", "output", "resume", "data_dir",
            "download", "intra_op_threads", "inter_op_threads", "save_every_steps", "sync_timeout", "histograms",
            "plot_predictions", "init_from", "eval_keep_prob")


class ClusterStalled(UsageError):
    """Another task of the cluster stopped answering."""


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


class ByteSizePlacement(object):
    """TF 1.15's ``tf.contrib.training.GreedyLoadBalancingStrategy(num_tasks,
    byte_size_load_fn)`` for the lanes without tf.contrib (TF 2): each
    variable goes to the ps task with the fewest bytes so far (the first of
    equals). tests/test_cluster.py checks that both place alike on TF 1.15."""

    def __init__(self, num_tasks):
        self.loads = [0] * num_tasks

    def __call__(self, op):
        task = self.loads.index(min(self.loads))
        output = op.outputs[0]
        shape = output.get_shape()
        if not shape.is_fully_defined():
            shape = tf.TensorShape(op.get_attr("shape"))
        self.loads[task] += shape.num_elements() * output.dtype.size
        return task


def ps_strategy(placement, num_ps):
    """The ``ps_strategy`` of ``replica_device_setter`` for ``--ps_placement``
    (None: its default, round-robin)."""
    if placement == "round_robin" or num_ps == 1:
        return None
    training = contrib_training()
    if training is None:  # TF 2 has no tf.contrib
        return ByteSizePlacement(num_ps)
    return training.GreedyLoadBalancingStrategy(num_ps, training.byte_size_load_fn)  # TF 1.15: TF's own


def serve_ps(spec):
    """Serve variables until every worker has put its token into our done
    queue. The wait polls the queue's size, so that Ctrl-C or SIGTERM stops
    a ps at once (a signal cannot interrupt a blocking TF call)."""
    server = _server(spec)
    before = _process_io()  # after the imports: what follows is the cluster's traffic
    print("ps %d: serving on %s for %d worker(s)" % (spec.task_index, spec.ps[spec.task_index], len(spec.workers)))
    sys.stdout.flush()
    try:
        with tf.Graph().as_default():
            size = _done_queue(spec, spec.task_index).size()
            config = tf.ConfigProto(device_filters=["/job:ps/task:%d" % spec.task_index])
            with tf.Session(server.target, config=config) as sess:
                while sess.run(size) < len(spec.workers):
                    time.sleep(0.2)
    except KeyboardInterrupt as err:
        _leave_at_once(signal_of(err), "ps %d stopped; a ps keeps the variables in memory only: the chief's checkpoints are "
                            "the run's" % spec.task_index)
    after = _process_io()
    io = {k: after[k] - before.get(k, 0) for k in after}
    print("ps %d: all %d worker(s) done; bytes through this process while serving: read %d, written %d"
          % (spec.task_index, len(spec.workers), io.get("rchar", 0), io.get("wchar", 0)))
    return {"job": "ps", "io": io}


def _leave_at_once(sig, what):
    """A task that keeps nothing stops with one line and exit 128 + ``sig``."""
    sys.stdout.flush()
    sys.stderr.write("interrupted: %s: %s\n" % (signal.Signals(sig).name, what))
    sys.stderr.flush()
    os._exit(128 + sig)  # TF's threads may be inside a call that never returns


def _process_io():
    """/proc/self/io: rchar/wchar count every byte read or written, sockets included."""
    try:
        with open("/proc/self/io") as handle:
            return {k: int(v) for k, v in (line.split(":") for line in handle)}
    except (OSError, ValueError):
        return {}


def loopback_bytes():
    """Bytes sent over the loopback interface so far (/proc/net/dev, "lo" tx):
    every byte between tasks on 127.0.0.1 passes it once. In the launcher's
    private network namespace only the cluster uses it; on the host's
    loopback it counts other programs' traffic too."""
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


def task_settings(experiment, config):
    """What must be equal on every task: the experiment (script, --variant,
    --preset) and every field of the run but PER_TASK."""
    settings = {"experiment": experiment}
    settings.update((k, list(v) if isinstance(v, tuple) else v)
                    for k, v in config._asdict().items() if k not in PER_TASK)
    return settings


def settings_difference(chief, worker, index):
    """One line naming the first setting where worker ``index`` differs from the chief, or None."""
    for key in sorted(set(chief) | set(worker)):
        if chief.get(key) != worker.get(key):
            if key == "experiment":
                return ("worker %d runs %s, the chief %s: every task must run the same script with the same "
                        "--variant / --preset" % (index, worker.get(key), chief.get(key)))
            return ("worker %d has --%s=%s, the chief --%s=%s: every task must run with the chief's flags; "
                    "restart worker %d with --%s=%s" % (index, key, _show(worker.get(key)), key,
                                                        _show(chief.get(key)), index, key, _show(chief.get(key))))
    return None


def _show(value):
    return ",".join(map(str, value)) if isinstance(value, list) else value


def run_distributed(experiment, model_fn, config, spec, feature_shape=(784,)):
    """This task's part of a synchronous data-parallel run; the chief returns the results record."""
    if spec.job_name == "ps":
        return serve_ps(spec)
    workers = len(spec.workers)
    if config.batch_size % workers:
        raise UsageError("--batch_size=%d does not split into %d equal worker shards; use a multiple of %d"
                         % (config.batch_size, workers, workers))
    if config.init_from:
        raise UsageError("--init_from is not supported in distributed training; use --resume --logdir")
    task = _WorkerTask(experiment, model_fn, config, spec, feature_shape)
    try:
        return task.supervise()
    except ClusterStalled as err:
        from legacy import cli
        cli.fail(str(err), EXIT_STALLED)


class _WorkerTask(object):
    """One worker (the chief is worker 0). ``train`` runs on a thread of its
    own so that the main thread takes SIGINT / SIGTERM at once, even while
    the step waits inside TensorFlow for the other tasks."""

    def __init__(self, experiment, model_fn, config, spec, feature_shape):
        self.experiment, self.model_fn, self.config, self.spec = experiment, model_fn, config, spec
        self.feature_shape = feature_shape
        self.index, self.chief = spec.task_index, cluster.is_chief(spec)
        self.what = "worker %d" % self.index
        self.stop_signal = None  # set by the main thread
        self.finished = threading.Event()  # set by the training thread when it ends
        self.lock = threading.Lock()  # one interrupt record
        self.recorded = None
        self.result = self.error = None
        self.run_dir = self.resume_from = self.out = None
        self.step = 0
        self.steps_per_epoch = None
        self.ps_bytes = {}
        self.rpcs = None
        self.history = []
        self.hint = ""

    # -- the main thread
    def supervise(self):
        thread = threading.Thread(target=self._guarded, name="training")
        thread.daemon = True
        thread.start()
        deadline = None
        # Not thread.join(timeout): on Python 3.11 a signal that interrupts
        # join marks the thread as stopped while it still runs (bpo-45274's
        # fix), and the process would leave mid-step. A sleep is safe to interrupt.
        while not self.finished.is_set():
            try:
                time.sleep(0.2)
            except KeyboardInterrupt as err:
                if not self.chief:
                    _leave_at_once(signal_of(err), "%s stopped; a worker other than the chief keeps nothing: the chief's "
                                        "checkpoints are the run's" % self.what)
                if self.stop_signal is None:
                    self.stop_signal = signal_of(err)
                    deadline = time.time() + STOP_WAIT
                    print("%s: %s: stopping after this step (a checkpoint, then the results JSON)"
                          % (self.what, signal.Signals(self.stop_signal).name))
                    sys.stdout.flush()
            if deadline is not None and time.time() > deadline and not self.finished.is_set():
                # Its step cannot finish: another task is gone.
                err = self.record_interrupt("a step that could not finish within %d s (another task of the "
                                            "cluster stopped?)" % STOP_WAIT)
                from legacy import cli
                try:
                    cli._leave_interrupted(err)
                except SystemExit as leave:
                    sys.stdout.flush()
                    os._exit(leave.code)
        if self.error is not None:
            raise self.error
        return self.result

    def _guarded(self):
        try:
            self.result = self.train()
        except BaseException as err:  # noqa: BLE001 - handed to the main thread
            self.error = err
        finally:
            self.finished.set()

    # -- the training thread
    def train(self):
        config, spec, index, chief = self.config, self.spec, self.index, self.chief
        workers = len(spec.workers)
        data = load_for_training(config.data_dir, config.download, config.train_limit, config.batch_size)
        if chief:
            self.run_dir, self.resume_from = runs.prepare(self.experiment, config)
            self.out = results.output_path(config.output, self.experiment)
            self.hint = ("; the chief's checkpoints are in %s: restart every task with --resume --logdir=%s"
                         % (self.run_dir, self.run_dir))
        else:
            self.hint = "; restart every task with the chief's --resume --logdir"
        self.steps_per_epoch = steps_per_epoch = len(data.train.images) // config.batch_size
        total_steps = config.epochs * steps_per_epoch

        graph = tf.Graph()
        with graph.as_default():
            tf.set_random_seed(config.seed)
            device = tf.train.replica_device_setter(
                worker_device="/job:worker/task:%d" % index,
                cluster={"ps": list(spec.ps), "worker": list(spec.workers)},
                ps_strategy=ps_strategy(config.ps_placement, len(spec.ps)))
            with tf.device(device):
                x = tf.placeholder(tf.float32, [None] + list(self.feature_shape), name="X")
                y = tf.placeholder(tf.float32, [None, 10], name="Y")
                keep_prob, training = mode_inputs()
                logits, cost, correct, accuracy, model_variables = classifier_tensors(
                    self.model_fn, x, y, config.loss)
                with tf.name_scope("optimizer"):
                    global_step = tf.Variable(0, trainable=False, name="global_step", dtype=tf.int64)
                    sync = tf.train.SyncReplicasOptimizer(
                        make_optimizer(config.optimizer, config.learning_rate, adam_settings(config)),
                        replicas_to_aggregate=workers, total_num_replicas=workers)
                    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
                        train_op = sync.minimize(cost, global_step=global_step)
            step_tokens = _step_barrier(spec, train_op)
            done = [_done_queue(spec, p).enqueue(1) for p in range(len(spec.ps))]
            settings = _SettingsExchange(spec)
            seed_t = find_dropout_seed()
            # The chief's Saver on the chief's own device: its save and restore
            # ops run in this process and use this task's run folder.
            keeper = None
            if chief:
                with tf.device("/job:worker/task:%d/device:CPU:0" % index):
                    keeper = checkpoints.RunCheckpoints(self.run_dir)
            ready = tf.report_uninitialized_variables(tf.global_variables())
            init_op = tf.global_variables_initializer()
            hook = sync.make_session_run_hook(chief, num_tokens=0)
            hook.begin()
            parameter_bytes = int(sum(np.prod(v.shape.as_list()) * v.dtype.size for v in tf.trainable_variables()))
            self.ps_bytes = _ps_bytes(graph)
            net = _EvalNet(x, y, correct, cost)
            graph.finalize()

        session_config = tf.ConfigProto(intra_op_parallelism_threads=config.intra_op_threads,
                                        inter_op_parallelism_threads=config.inter_op_threads,
                                        device_filters=["/job:ps", "/job:worker/task:%d" % index],
                                        operation_timeout_in_ms=config.sync_timeout * 1000)
        server = _server(spec)
        manager = tf.train.SessionManager(ready_op=ready, graph=graph, recovery_wait_secs=0.5)
        coord = tf.train.Coordinator()
        sess = None
        what = self.what
        try:
            print("%s: connecting to the cluster" % what)
            sys.stdout.flush()
            if chief:
                sess = manager.prepare_session(server.target, init_op=init_op, saver=keeper.saver,
                                               checkpoint_filename_with_path=self.resume_from, config=session_config)
                if self.resume_from:
                    print("resumed %s at step %d" % (self.resume_from, sess.run(global_step)))
            else:
                sess = manager.wait_for_session(server.target, config=session_config,
                                                max_wait_secs=config.sync_timeout)
                if sess is None:
                    raise ClusterStalled("%s: the chief did not initialise the variables within --sync_timeout=%d s"
                                         % (what, config.sync_timeout))
            hook.after_create_session(sess, coord)
            settings.check(sess, task_settings(self.experiment, config), chief, index)
            state = {}
            if chief and self.resume_from:
                state = _read_json(checkpoints.state_path(self.resume_from))
            step = self.step = int(sess.run(global_step))
            start_step = step
            history = self.history = [tuple(r) for r in state.get("history", [])]
            epoch_cost = float(state.get("epoch_cost", 0.0)) if state.get("step") == step else 0.0
            split = ArraySplit(data.train.images, data.train.labels, seed=config.seed)
            order = None
            for _ in range(step // steps_per_epoch):  # replay the data order of the epochs done
                split.epoch_order()
            board = tf.summary.FileWriter(self.run_dir) if chief else None
            print("%s: %d worker(s), shard %d of batch %d, steps %d..%d"
                  % (what, workers, config.batch_size // workers, config.batch_size, step, total_steps))
            sys.stdout.flush()
            started, lo_start = time.time(), loopback_bytes()
            saved = step if self.resume_from else None
            while step < total_steps:
                if self.stop_signal is not None:
                    if saved != step:
                        _save(keeper, sess, step, epoch_cost, history)
                    raise self.record_interrupt("training")
                epoch, in_epoch = step // steps_per_epoch + 1, step % steps_per_epoch
                if order is None or in_epoch == 0:
                    order = split.epoch_order()
                rows = _shard_rows(order, in_epoch, config.batch_size, workers, index)
                feed = {x: data.train.images[rows], y: data.train.labels[rows], keep_prob: config.keep_prob,
                        training: True}
                if seed_t is not None:
                    feed[seed_t] = [step, index]
                if chief and step == start_step:  # what one step sends between the tasks
                    run_metadata = tf.RunMetadata()
                    tokens, cost_val = sess.run([step_tokens, cost], feed, run_metadata=run_metadata,
                                                options=tf.RunOptions(output_partition_graphs=True))
                    self.rpcs = rpcs_per_step(run_metadata.partition_graphs, index)
                else:
                    tokens, cost_val = sess.run([step_tokens, cost], feed)
                if any(int(token) != step + 1 for token in tokens):
                    raise ClusterStalled("%s: step %d got the tokens of steps %s: the workers are out of lockstep "
                                         "(was a worker restarted alone? restart every task)"
                                         % (what, step + 1, ", ".join(str(int(t)) for t in tokens)))
                if not np.isfinite(cost_val):
                    raise UsageError("%s: the cost is %s at step %d; try a lower --learning_rate"
                                     % (what, cost_val, step + 1))
                step = self.step = step + 1
                epoch_cost += float(cost_val) / steps_per_epoch
                if coord.should_stop():
                    coord.raise_requested_exception()
                if not chief:
                    continue
                if step % steps_per_epoch == 0:
                    val = evaluate(sess, net, data.validation, config.eval_keep_prob,
                                   dropout_seed=(step, VALIDATION_SALT))
                    history.append((epoch, epoch_cost, val))
                    print("Epoch: %04d Avg. cost = %.3f (chief's shard)  validation accuracy %.4f"
                          % (epoch, epoch_cost, val))
                    sys.stdout.flush()
                    _scalars(board, step, epoch_cost=epoch_cost, validation_accuracy=val)
                    epoch_cost = 0.0
                    _save(keeper, sess, step, epoch_cost, history)
                    saved = step
                elif config.save_every_steps and step % config.save_every_steps == 0:
                    _save(keeper, sess, step, epoch_cost, history)
                    saved = step
            seconds, lo_end = time.time() - started, loopback_bytes()
            record = None
            if chief:
                test_accuracy = evaluate(sess, net, data.test, config.eval_keep_prob, dropout_seed=(step, TEST_SALT))
                steps_done = step - start_step
                metrics = self.metrics(test_accuracy)
                metrics.update({
                    "train_seconds": seconds,
                    "steps_per_second": steps_done / seconds if steps_done and seconds > 0 else None,
                    "loopback_bytes_per_step": ((lo_end - lo_start) / steps_done
                                                if steps_done and lo_start is not None else None),
                    "parameter_bytes": parameter_bytes,
                })
                if board is not None:
                    board.close()
                record = results.write_results(self.out, self.experiment, run_config.record(config), metrics)
                fileio.write_json(os.path.join(self.run_dir, "results.json"), record)
                print("최적화 완료!")
                print("정확도:", test_accuracy)
                print("chief: %d steps in %.1f s (%.2f steps/s), results in %s"
                      % (steps_done, seconds, metrics["steps_per_second"] or 0.0, self.out))
            for op in done:
                sess.run(op)
            return record
        except tf.errors.DeadlineExceededError as err:
            if self.stop_signal is not None and chief:
                raise self.record_interrupt("a step that could not finish (another task of the cluster stopped?)")
            raise ClusterStalled("%s: no answer from the cluster within --sync_timeout=%d s (%s): a task of the "
                                 "cluster stopped (a killed worker or ps?) or never started%s"
                                 % (what, config.sync_timeout, _first_cause(err.message), self.hint))
        except tf.errors.OpError as err:
            if self.stop_signal is not None and chief:
                raise self.record_interrupt("a step that failed (%s)" % type(err).__name__)
            raise ClusterStalled("%s: %s: %s%s" % (what, type(err).__name__, _first_cause(err.message), self.hint))
        finally:
            coord.request_stop()
            if sess is not None:
                sess.close()
            sys.stdout.flush()

    def metrics(self, test_accuracy=None):
        config, history = self.config, self.history
        return {
            "workers": len(self.spec.workers), "ps_tasks": len(self.spec.ps),
            "shard_size": config.batch_size // len(self.spec.workers), "steps_per_epoch": self.steps_per_epoch,
            "global_step": self.step, "epoch_avg_cost": [h[1] for h in history],
            "validation_accuracy": [h[2] for h in history], "test_accuracy": test_accuracy,
            "logdir": self.run_dir, "checkpoint": checkpoints.latest(self.run_dir), "resumed_from": self.resume_from,
            "ps_placement": config.ps_placement, "ps_trainable_bytes": self.ps_bytes,
            "rpcs_per_step": self.rpcs,
        }

    def record_interrupt(self, during):
        """The chief's results JSON with status "interrupted" and the newest
        complete checkpoint (once, whichever thread comes first); the
        Interrupted to leave with."""
        with self.lock:
            if self.recorded is not None:
                return self.recorded
            signum = self.stop_signal or signal.SIGTERM
            if self.run_dir is None or self.steps_per_epoch is None:
                _leave_at_once(signum, "%s stopped before its run folder was ready; nothing was written" % self.what)
            err = Interrupted(signum, self.step, self.step // self.steps_per_epoch + 1)
            err.during = during
            try:
                err.checkpoint = checkpoints.newest_complete(self.run_dir, log=lambda line: None, repair=False)
            except UsageError:
                err.checkpoint = None
            metrics = self.metrics()
            metrics["interrupted"] = {"signal": signum, "step": self.step, "epoch": err.epoch, "during": during,
                                      "checkpoint": err.checkpoint}
            metrics["checkpoint"] = err.checkpoint
            err.record = results.write_results(self.out, self.experiment, run_config.record(self.config), metrics,
                                               status="interrupted")
            fileio.write_json(os.path.join(self.run_dir, "results.json"), err.record)
            err.output = self.out
            self.recorded = err
            return err


class _SettingsExchange(object):
    """Each worker's settings to the chief (a queue on ps 0), the chief's
    verdict back (one queue per worker)."""

    def __init__(self, spec):
        workers = len(spec.workers)
        self.workers = workers
        with tf.device("/job:ps/task:0"):
            self.inbox = tf.FIFOQueue(max(workers - 1, 1), tf.string, shapes=[], shared_name="settings_inbox",
                                      name="settings_inbox")
            self.verdicts = [tf.FIFOQueue(1, tf.string, shapes=[], shared_name="settings_verdict%d" % i,
                                          name="settings_verdict%d" % i) for i in range(workers)]
        self.text = tf.placeholder(tf.string, [], name="settings_text")
        self.send = self.inbox.enqueue(self.text)
        self.collect = self.inbox.dequeue_many(workers - 1) if workers > 1 else None
        self.answer = [q.enqueue(self.text) for q in self.verdicts]
        self.receive = self.verdicts[spec.task_index].dequeue()

    def check(self, sess, mine, chief, index):
        if self.workers == 1:
            return
        if not chief:
            sess.run(self.send, {self.text: json.dumps(dict(mine, worker=index), sort_keys=True)})
            verdict = sess.run(self.receive).decode("utf-8")
            if verdict != "ok":
                raise UsageError(verdict)
            return
        problems = []
        for text in sess.run(self.collect):
            theirs = json.loads(text.decode("utf-8"))
            worker = theirs.pop("worker")
            problem = settings_difference(mine, theirs, worker)
            sess.run(self.answer[worker], {self.text: problem or "ok"})
            if problem:
                problems.append(problem)
        if problems:
            raise UsageError(problems[0] + ("" if len(problems) == 1 else " (and %d more)" % (len(problems) - 1)))


def rpcs_per_step(partition_graphs, index):
    """The remote calls of one step, from its partition graphs: one RunGraph
    per partition on another task, and one RecvTensor per tensor that a
    partition receives from another task (the receiver asks for it). They
    run concurrently; each is one round trip."""
    own = "/job:worker/replica:0/task:%d/" % index

    def task(device):
        return device.split("/device:")[0] + "/"

    run_graph = recv_tensor = 0
    for graph in partition_graphs:
        devices = {node.device for node in graph.node if node.device}
        here = {task(d) for d in devices}
        if here and here != {own}:
            run_graph += 1
        for node in graph.node:
            if node.op in ("_Recv", "_HostRecv"):
                send, recv = node.attr["send_device"].s.decode(), node.attr["recv_device"].s.decode()
                if task(send) != task(recv):
                    recv_tensor += 1
    return {"run_graph": run_graph, "recv_tensor": recv_tensor}


def _ps_bytes(graph):
    """{ps task: bytes of the trainable variables placed there} of ``graph``:
    what each ps sends (the parameters) and receives (their gradients) per
    worker and step."""
    found = {}
    for var in graph.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES):
        device = var.op.device
        if "/job:ps" not in device:
            continue
        task = device.split("/task:")[1].split("/")[0] if "/task:" in device else "0"
        found[task] = found.get(task, 0) + int(np.prod(var.shape.as_list()) * var.dtype.size)
    return {"ps%s" % k: v for k, v in sorted(found.items())}


def _first_cause(message):
    """The line of a TF error that says what happened (TF 2 puts "Graph
    execution error:", separators and a traceback first)."""
    lines = [l.strip() for l in message.splitlines() if l.strip()]
    for line in lines:
        if line.startswith(("Graph execution error", "Detected at node", "File ", "[[", "Node:")):
            continue
        if not line.strip("=-"):
            continue
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
