"""The study's models trained by tensorpack's own trainer.

tensorpack's ``examples/basics/mnist-convnet.py`` splits a run into three
small answers: a ``ModelDesc`` (inputs, ``build_graph`` returning the cost,
``optimizer``), a dataflow, and callbacks hung on tensorpack's loop. Here
the ModelDesc's ``build_graph`` calls the project's builder unchanged
(``legacy.graph.classifier_tensors`` around a registry model function), so
the same network trains under tensorpack's ``SimpleTrainer`` (feed) or
``QueueInputTrainer`` instead of legacy/train.py's loop.

Two things the project's models do differently from tensorpack's layers are
bridged here, not in the models:

- Variables. The models make ``tf.Variable``s, which ignore
  ``variable_scope(reuse=True)``; tensorpack's ``InferenceRunner`` builds the
  model again in a predict tower and expects reuse. A variable creator
  (``tf.variable_creator_scope``) records the training tower's variables in
  creation order and hands the same ones back, in the same order, to every
  predict tower (shapes are checked).
- Gradients are gated per op (``make_trainer``), as ``Optimizer.minimize``
  does, so updates of the models' ref variables cannot race the backward pass.
- Dropout masks. legacy/train.py feeds the dropout seed with
  ``[global step, 0]``; here the ``DropoutSeed`` callback feeds the same
  with every training step (tensorpack's global step before the step's
  increment). Until 2026-12-04 the training tower read the seed from the
  global step variable in the graph; tensorpack increments that variable in
  the same ``sess.run`` with no order between the two, so on TF 2 a step
  sometimes drew the next step's masks (3 different epoch costs in 5 runs
  of one seeded command).

Horovod (``--engine=horovod``, under ``mpirun -np W``): tensorpack's own
``HorovodTrainer`` (the engine tensorpack recommends for scaling out), which
averages the W ranks' gradients with Horovod's all-reduce and broadcasts
rank 0's variables after initialisation (and at every epoch's end). Every
rank builds the same seeded batches (``batch_dataflow``, the cluster's
``ArraySplit`` order) and feeds rows ``[r*B/W, (r+1)*B/W)`` of each
(``shard_batches``), so W ranks train what ``SimpleTrainer`` trains on the
whole batch, up to float rounding (tests/test_horovod.py). tensorpack runs
the callbacks marked chief-only (ModelSaver, InferenceRunner, MaxSaver, the
monitors) on rank 0 only; ``DropoutSeed`` and ``EpochCost`` run on every
rank (the dropout seed's stream is the rank; the epoch's cost is the
all-reduced mean, the whole batch's), and only rank 0 opens the run folder,
prints and writes the results JSON.

Per-epoch average cost is measured as golbin's loop did (the mean of every
step's cost, fetched with the step) by the ``EpochCost`` callback, which also
prints the study's ``Epoch: 0001 Avg. cost = ...`` line; with the same seed,
initial weights and batches the numbers equal legacy/train.py's
(tests/test_tensorpack.py).
"""
import contextlib
import os
import sys
import time

from tensorpack import (Callback, InferenceRunner, MaxSaver, ModelDesc, ModelSaver, QueueInputTrainer,
                        ScalarStats, SimpleTrainer, TrainConfig, AutoResumeTrainConfig, launch_train_with_config,
                        logger)
from tensorpack.dataflow import BatchData, MapData
from tensorpack.input_source import FeedInput, QueueInput
from tensorpack.tfutils import summary
from tensorpack.tfutils.common import get_global_step_var
from tensorpack.tfutils.sesscreate import NewSessionCreator
from tensorpack.tfutils.sessinit import SmartInit
from tensorpack.tfutils.tower import get_current_tower_context

from legacy import checkpoints, run_config, fileio, results, runs
from legacy.data.mnist import ArraySplit, batch_dataflow, load_for_training
from legacy.engine import check_split, import_horovod, rank_rows
from legacy.errors import UsageError
from legacy.graph import classifier_tensors
from legacy.models.layers import find_dropout_seed, use_mode
from legacy.optim import make_optimizer
from legacy.tf import tf
from legacy.train import session_config

TRAINERS = {"feed": SimpleTrainer, "queue": QueueInputTrainer}
ENGINES = ("tf", "horovod")
EVAL_BATCH = 500  # divides 5,000 and 10,000: ScalarStats' mean of batch means is the exact accuracy

# tensorpack's --load (SmartInit), the one field of its own; its config type.
TensorpackConfig = run_config.config_type("TensorpackConfig", run_config.FIELDS, {"load": "", "engine": "tf"})


@contextlib.contextmanager
def shared_variables(store, create):
    """``create``: record every variable made inside in ``store``; else hand
    back ``store``'s variables in the same order (a predict tower)."""
    pending = None if create else iter(store)

    def creator(next_creator, **kwargs):
        if create:
            var = next_creator(**kwargs)
            store.append(var)
            return var
        try:
            var = next(pending)
        except StopIteration:
            raise ValueError("the predict tower makes more variables than the training tower")
        initial = kwargs.get("initial_value")
        shape = getattr(initial, "shape", None)
        if shape is not None and hasattr(shape, "as_list") and shape.as_list() != var.shape.as_list():
            raise ValueError("predict tower variable %s: shape %s, training tower %s"
                             % (kwargs.get("name"), shape, var.shape))
        return var

    with tf.variable_creator_scope(creator):
        yield


class ClassifierModel(ModelDesc):
    """One registry model as tensorpack's three answers."""

    def __init__(self, model_fn, config, feature_shape=(784,), num_classes=10):
        super(ClassifierModel, self).__init__()
        self.model_fn, self.config = model_fn, config
        self.feature_shape, self.num_classes = list(feature_shape), num_classes
        self.variables = []  # the training tower's, in creation order

    def inputs(self):
        return [tf.TensorSpec([None] + self.feature_shape, tf.float32, "X"),
                tf.TensorSpec([None, self.num_classes], tf.float32, "Y")]

    def build_graph(self, x, y):
        training = get_current_tower_context().is_training
        keep = self.config.keep_prob if training else self.config.eval_keep_prob
        with shared_variables(self.variables, create=training), tf.name_scope("model"):
            with use_mode(tf.constant(keep, tf.float32, name="keep_prob"), tf.constant(training, name="is_training")):
                _, cost, _, accuracy, _ = classifier_tensors(self.model_fn, x, y, self.config.loss)
        cost = tf.identity(cost, name="cost")
        accuracy = tf.identity(accuracy, name="accuracy")
        if training:
            # tensorpack's moving-average summaries: TensorBoard, stats.json and the epoch printout.
            summary.add_moving_summary(cost, accuracy)
        return cost

    def optimizer(self):
        config = self.config
        rate = config.learning_rate
        if config.lr_decay_steps:
            # mnist-convnet.py: exponential_decay(1e-3, global_step, 468 * 10, 0.3, staircase=True)
            rate = tf.train.exponential_decay(rate, get_global_step_var(), config.lr_decay_steps,
                                              config.lr_decay_rate, staircase=True, name="learning_rate")
            tf.summary.scalar("lr", rate)
        return make_optimizer(config.optimizer, rate)


class DropoutSeed(Callback):
    """Feeds the dropout seed ``[global step, 0]`` with every training step,
    as legacy/train.py does (nothing to feed in a model without dropout);
    ``[global step, rank]`` on Horovod rank ``rank``, so that each rank draws
    its own masks for its rows. Every rank runs it (not chief-only)."""

    _chief_only = False

    def __init__(self, stream=0):
        self.stream = stream

    def _setup_graph(self):
        self._seed = find_dropout_seed()

    def _before_run(self, _):
        if self._seed is None:
            return None
        return tf.train.SessionRunArgs(fetches=[], feed_dict={self._seed: [self.global_step, self.stream]})


class EpochCost(Callback):
    """golbin's per-epoch average: the mean over the epoch of each step's
    cost, fetched in the same run as the step (before its update), printed
    as the study printed it and put into tensorpack's monitors.

    ``hvd``: under HorovodTrainer, horovod.tensorflow; every rank then fetches
    the all-reduced mean of the ranks' costs (the whole batch's), and only
    rank 0 prints it."""

    _chief_only = False

    def __init__(self, steps_per_epoch, stream=None, hvd=None):
        self.steps_per_epoch = steps_per_epoch
        self.stream = stream or sys.stdout
        self.hvd = hvd
        self.history = []
        self.initial_weights_sha1 = None
        self._sum = 0.0

    def _setup_graph(self):
        self._cost = self.trainer.tower_func.towers.training()[0].get_tensor("cost")
        if self.hvd is not None and self.hvd.size() > 1:
            self._cost = self.hvd.allreduce(self._cost, op=self.hvd.Average, name="mean_cost")

    def _before_train(self):
        from legacy.runners.mnist_classifier import weights_fingerprint
        self.initial_weights_sha1 = weights_fingerprint(self.trainer.sess)

    def _before_epoch(self):
        self._sum = 0.0

    def _before_run(self, _):
        return tf.train.SessionRunArgs(fetches=self._cost)

    def _after_run(self, _, run_values):
        self._sum += float(run_values.results) / self.steps_per_epoch

    def _trigger_epoch(self):
        self.history.append(self._sum)
        if not self.trainer.is_chief:
            return
        self.trainer.monitors.put_scalar("epoch_avg_cost", self._sum)
        self.stream.write("Epoch: %04d Avg. cost = %.3f\n" % (self.epoch_num, self._sum))
        self.stream.flush()


class LastStats(Callback):
    """The validation and test accuracies the InferenceRunners put into the
    monitors, per epoch (for the results JSON)."""

    def __init__(self, names):
        self.names = names
        self.history = {name: [] for name in names}

    def _trigger_epoch(self):
        for name in self.names:
            try:
                self.history[name].append(float(self.trainer.monitors.get_latest(name)))
            except KeyError:
                self.history[name].append(None)


def make_trainer(name, engine="tf"):
    """tensorpack's trainer, with gradients gated per op as ``Optimizer.minimize``
    gates them (legacy/graph.py). tensorpack's default ``GATE_GRADIENTS =
    False`` lets the update of a layer's ``tf.Variable`` (a ref variable,
    updated in place) run before the backward pass of the layer below has
    read it, so the result depends on the thread schedule; measured here:
    Adam's third step differed in the 5th digit, and from run to run.
    ``engine="horovod"``: tensorpack's HorovodTrainer (this process one rank)."""
    if engine == "horovod":
        trainer = horovod_trainer()
    else:
        trainer = TRAINERS[name]()
    trainer.GATE_GRADIENTS = True
    return trainer


def horovod_trainer():
    """tensorpack's HorovodTrainer, or UsageError naming --engine=horovod where Horovod is not installed."""
    import_horovod()  # HorovodTrainer imports it itself; this names what is missing
    from tensorpack import HorovodTrainer
    return HorovodTrainer(average=True)


def shard_batches(dataflow, rank, size):
    """Rows ``[rank*B/size, (rank+1)*B/size)`` of every batch of ``dataflow``."""
    return MapData(dataflow, lambda batch: [rank_rows(part, rank, size) for part in batch])


def eval_dataflow(split):
    return BatchData(ArraySplit(split.images, split.labels, shuffle=False), EVAL_BATCH, remainder=True)


def _resolve_load(load):
    """--load: a checkpoint prefix, a project run folder, or the run folder
    of a tensorpack run (its checkpoints are in <folder>/tensorpack); a path
    that its index names outside that folder is refused."""
    tp_dir = os.path.join(load, "tensorpack")
    if os.path.isdir(tp_dir):
        found = tf.train.latest_checkpoint(tp_dir)
        if found and os.path.realpath(found).startswith(os.path.realpath(tp_dir) + os.sep):
            return found
        raise UsageError("--load=%s: no checkpoint inside %s" % (load, tp_dir))
    return checkpoints.resolve(load, "--load")


def run_tensorpack(experiment, model_fn, config, trainer="feed", load=""):
    """Train ``model_fn`` with tensorpack as ``config`` says; return the results record."""
    if trainer not in TRAINERS:
        raise UsageError("--input=%s is no tensorpack input (%s)" % (trainer, ", ".join(sorted(TRAINERS))))
    engine = getattr(config, "engine", "tf")
    out = results.output_path(config.output, experiment)
    if load and config.resume:
        raise UsageError("--load and --resume both load weights; pass one of them")
    if engine == "horovod" and config.resume:
        raise UsageError("--resume is not supported with --engine=horovod (AutoResumeTrainConfig reads the "
                         "starting epoch from rank 0's folder, which the other ranks do not have); use "
                         "--load=<run folder> to start from its weights")
    load_path = _resolve_load(load) if load else None
    data = load_for_training(config.data_dir, config.download, config.train_limit, config.batch_size)
    # HorovodTrainer calls hvd.init() (MPI) here, before anything is written: rank 0 alone owns the run folder.
    tp_trainer = make_trainer(trainer, engine)
    chief = tp_trainer.is_chief
    rank, size = (tp_trainer.hvd.rank(), tp_trainer.hvd.size()) if engine == "horovod" else (0, 1)
    check_split(config.batch_size, size)
    run_dir = resume_from = tp_dir = None
    if chief:
        run_dir, resume_from = runs.prepare(experiment, config)
        # tensorpack's own checkpoints (model-<step>, its own `checkpoint` index,
        # read by AutoResumeTrainConfig) and logs live in a sub-folder: the run
        # folder's index holds only the project's model.ckpt-<step> names, which
        # legacy/checkpoints.py checks before trusting any path read from it.
        tp_dir = os.path.join(run_dir, "tensorpack")
        logger.set_logger_dir(tp_dir, action="k")

    train_df = batch_dataflow(data.train, config.batch_size, seed=config.seed)
    steps = len(train_df)
    if size > 1:
        train_df = shard_batches(train_df, rank, size)
    model = ClassifierModel(model_fn, config)
    epoch_cost = EpochCost(steps, hvd=tp_trainer.hvd if engine == "horovod" else None)
    stats = LastStats(["validation_accuracy", "test_accuracy"])
    callbacks = [DropoutSeed(stream=rank), epoch_cost]
    if chief:  # chief-only callbacks (tensorpack would skip them on the other ranks; they need the run folder)
        callbacks += [
            ModelSaver(max_to_keep=checkpoints.KEEP, checkpoint_dir=tp_dir),
            InferenceRunner(eval_dataflow(data.validation), ScalarStats(["cost", "accuracy"], prefix="validation"),
                            tower_name="ValidationTower", device=-1),
            InferenceRunner(eval_dataflow(data.test), ScalarStats(["accuracy"], prefix="test"), tower_name="TestTower",
                            device=-1),
            MaxSaver("validation_accuracy", checkpoint_dir=tp_dir),
            stats,
        ]
    if engine == "horovod":  # HorovodTrainer would put a QueueInput on a bare dataflow
        source = dict(data=QueueInput(train_df) if trainer == "queue" else FeedInput(train_df))
    else:
        source = dict(dataflow=train_df)
    kwargs = dict(model=model, callbacks=callbacks, steps_per_epoch=steps, max_epoch=config.epochs,
                  session_creator=NewSessionCreator(config=session_config(config.intra_op_threads,
                                                                          config.inter_op_threads)),
                  **source)
    if load_path and chief:  # HorovodTrainer then broadcasts rank 0's weights
        kwargs["session_init"] = SmartInit(load_path)
    tf.reset_default_graph()
    tf.set_random_seed(config.seed)
    if config.resume:
        train_config = AutoResumeTrainConfig(always_resume=True, **kwargs)
    else:
        train_config = TrainConfig(**kwargs)
    start = time.time()
    if config.epochs > train_config.starting_epoch - 1:
        launch_train_with_config(train_config, tp_trainer)
    wall = time.time() - start
    if not chief:
        return None
    test = stats.history["test_accuracy"]
    record = results.write_results(out, experiment, run_config.record(config), {
        "trainer": type(tp_trainer).__name__,
        "ranks": size,
        "shard_size": config.batch_size // size,
        "steps_per_epoch": steps,
        "starting_epoch": train_config.starting_epoch,
        "epoch_avg_cost": epoch_cost.history,
        "validation_accuracy": stats.history["validation_accuracy"],
        "initial_weights_sha1": epoch_cost.initial_weights_sha1,
        "test_accuracy": test[-1] if test else None,
        "wall_seconds": wall,
        "logdir": run_dir,
        "checkpoint": tf.train.latest_checkpoint(tp_dir),
        "resumed_from": resume_from,
        "load": load_path,
    })
    fileio.write_json(os.path.join(run_dir, "results.json"), record)
    print("최적화 완료!")
    print("정확도:", record["test_accuracy"])
    return record
