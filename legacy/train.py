"""The one Session loop every experiment runs, with hooks for the rest.

It is golbin's loop: for each epoch, run the optimizer on every batch, sum
``cost / total_batch`` into the epoch's average. Anything cross-cutting
(printing ``Epoch: 0001 Avg. cost = 0.472``, progress bars, summaries,
checkpoints, signals) is a hook (legacy/hooks.py), not code in the loop.
"""
import collections
import time

import numpy as np

from legacy.errors import Diverged, Interrupted
from legacy.graph import phases_of
from legacy.models.layers import find_dropout_seed, mode_inputs
from legacy.tf import tf

# ``phase_costs``: {phase name: the epoch's average cost} of a net with
# several phases (legacy/graph.py); None for one phase.
EpochRecord = collections.namedtuple("EpochRecord", ["epoch", "avg_cost", "validation_accuracy", "seconds",
                                                     "phase_costs"], defaults=(None,))


def session_config(intra_op_threads=0, inter_op_threads=0):
    """0 lets TensorFlow pick (one thread per core for each pool)."""
    return tf.ConfigProto(intra_op_parallelism_threads=intra_op_threads,
                          inter_op_parallelism_threads=inter_op_threads)


# Salts of the dropout seed, so that training, validation and test draw
# different masks at the same step (only used when eval_keep_prob < 1).
VALIDATION_SALT = 1000000
TEST_SALT = 2000000


def evaluate(sess, net, split, keep_prob=1.0, batch_size=2000, dropout_seed=None):
    """Accuracy over a whole split, in chunks to bound memory (the CNN's
    activations for 10,000 images at once would take about 1 GB).
    ``keep_prob`` < 1 reproduces the original's dropout-at-evaluation bug;
    its masks are keyed by ``dropout_seed`` (step, salt) plus the chunk, so
    the same step evaluates the same way in a resumed run."""
    seed_t, mode = find_dropout_seed(net.cost.graph), mode_inputs(net.cost.graph)
    step, salt = dropout_seed if dropout_seed is not None else (0, 3000000)
    # An input with a static batch dimension (GraphInput) takes chunks of
    # exactly that size; the last one is padded and the padding not counted.
    static = net.x.shape[0].value if net.x.shape.ndims else None
    batch_size = static or batch_size
    correct = 0
    for chunk, start in enumerate(range(0, len(split.images), batch_size)):
        images = split.images[start:start + batch_size]
        labels = split.labels[start:start + batch_size]
        n = len(images)
        if static and n < static:
            images = np.concatenate([images, np.zeros((static - n,) + images.shape[1:], images.dtype)])
            labels = np.concatenate([labels, np.zeros((static - n,) + labels.shape[1:], labels.dtype)])
        feed = {net.x: images, net.y: labels, mode.keep_prob: keep_prob}
        if seed_t is not None:
            feed[seed_t] = [step, salt + chunk]
        hits = sess.run(net.correct, feed)
        correct += int(np.sum(hits[:n]))
    return correct / float(len(split.images))


class LoopState(object):
    """Where the loop is: everything a checkpoint must hold, besides the
    variables, for a resumed run to see exactly the batches, dropout masks and
    running sums of the run it continues (see legacy/checkpoints.py)."""

    def __init__(self):
        self.epoch = 1  # the epoch in progress, or the next to start
        self.step = 0  # optimizer steps done (the global step)
        self.step_in_epoch = 0  # steps of ``epoch`` done
        self.epoch_cost = 0.0  # the running sum of cost / total_batch of ``epoch``
        self.phase_costs = {}  # the same sums per phase, for nets with several phases
        self.step_costs = {}  # the last step's cost of each phase, for hooks
        self.epoch_seconds = 0.0
        self.rng_state = None  # the data order's RNG at the start of ``epoch`` (None: not begun)
        self.history = []  # EpochRecords of the finished epochs
        self.stop_signal = None  # set by a signal handler: stop after this step
        self.finished = False  # set by a hook (e.g. a time budget): end normally after this epoch

    def to_json(self):
        return {"epoch": self.epoch, "step": self.step, "step_in_epoch": self.step_in_epoch,
                "epoch_cost": float(self.epoch_cost), "phase_costs": self.phase_costs,
                "epoch_seconds": self.epoch_seconds,
                "rng_state": self.rng_state, "history": [r._asdict() for r in self.history]}

    @classmethod
    def from_json(cls, obj):
        state = cls()
        for key in ("epoch", "step", "step_in_epoch", "epoch_cost", "epoch_seconds", "rng_state"):
            setattr(state, key, obj[key])
        state.phase_costs = obj.get("phase_costs", {})  # absent in checkpoints of older revisions
        state.history = [EpochRecord(**r) for r in obj["history"]]
        return state


def train(sess, net, inputs, epochs, keep_prob, validation=None, eval_keep_prob=1.0, hooks=(), state=None,
          mask_stream=0):
    """Train until ``epochs`` epochs are done; return the list of EpochRecords.

    ``mask_stream``: picks the second component of the dropout seed
    (``[step, phase + mask_stream * phases]``), so that each rank of a data-parallel
    run draws its own masks for its rows (legacy/engine.py); 0 in one process.

    ``state`` (a LoopState from a checkpoint) continues a run where it
    stopped. Hooks see it as ``hook.loop``. Raises Diverged at a NaN/Inf cost
    and Interrupted when a hook set ``loop.stop_signal`` (after the step and
    the hooks' ``interrupted``, e.g. a checkpoint, are done).
    """
    loop = state or LoopState()
    phases = phases_of(net)
    seed_t, mode = find_dropout_seed(net.cost.graph), mode_inputs(net.cost.graph)
    train_feed = {mode.keep_prob: keep_prob, mode.training: True}  # what dropout and batch norm read
    start = getattr(inputs, "start", None)
    if start is not None:
        start(sess)  # an input that keeps its data in the session (GraphInput's tables)
    try:
        for hook in hooks:
            hook.loop = loop
            hook.begin(sess, net)
        while loop.epoch <= epochs:
            epoch, total_batch = loop.epoch, inputs.steps_per_epoch
            if loop.rng_state is None:
                loop.rng_state = inputs.rng_state()  # a fresh run
            else:
                inputs.set_rng_state(loop.rng_state)  # a resumed run: this epoch's order
            if loop.step_in_epoch == 0:
                loop.epoch_cost, loop.epoch_seconds = 0.0, 0.0
                loop.phase_costs = {phase.name: 0.0 for phase in phases} if len(phases) > 1 else {}
            for hook in hooks:
                hook.before_epoch(epoch, total_batch)
            start = time.time()
            for feed in inputs.epoch(skip=loop.step_in_epoch):
                feed.update(train_feed)
                costs = collections.OrderedDict()
                for index, phase in enumerate(phases):
                    if seed_t is not None:
                        feed[seed_t] = [loop.step, index + mask_stream * len(phases)]  # each phase and rank its own masks
                    _, costs[phase.name] = sess.run([phase.train_op, phase.cost], feed)
                cost_val = costs[phases[0].name]
                loop.step += 1
                loop.step_in_epoch += 1
                for value in costs.values():
                    if not np.isfinite(value):
                        raise Diverged(loop.step, epoch, float(value))
                # float(): numpy 2 keeps float32 + Python float in float32 (NEP 50), numpy 1.x
                # promoted to float64; summing in float64 gives both lanes the 1.x numbers.
                loop.epoch_cost += float(cost_val) / total_batch
                for name in loop.phase_costs:
                    loop.phase_costs[name] += float(costs[name]) / total_batch
                loop.step_costs = costs
                for hook in hooks:
                    hook.after_step(loop.step, cost_val)
                if loop.stop_signal is not None and loop.step_in_epoch < total_batch:
                    loop.epoch_seconds += time.time() - start
                    _stop(loop, hooks)
            loop.epoch_seconds += time.time() - start
            val_acc = None
            if validation is not None:
                val_acc = evaluate(sess, net, validation, eval_keep_prob,
                                   dropout_seed=(loop.step, VALIDATION_SALT))
            record = EpochRecord(epoch, float(loop.epoch_cost), val_acc, loop.epoch_seconds,
                                 dict(loop.phase_costs) if loop.phase_costs else None)
            loop.history.append(record)
            loop.epoch, loop.step_in_epoch = epoch + 1, 0
            loop.rng_state = inputs.rng_state()  # where the next epoch's shuffle starts
            for hook in hooks:
                hook.after_epoch(record)
            if loop.stop_signal is not None:
                # Also after the last epoch: a signal during its evaluation or
                # checkpoint still means "stop", not "go on to the final evaluation".
                _stop(loop, hooks)
            if loop.finished:
                break
        for hook in hooks:
            hook.end(loop.history)
    finally:
        for hook in hooks:
            hook.close()
    return loop.history


def _stop(loop, hooks):
    for hook in hooks:
        hook.interrupted(loop.stop_signal)
    raise Interrupted(loop.stop_signal, loop.step, loop.epoch)
