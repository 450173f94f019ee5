"""Horovod as an engine of the project's own loop: ``--engine=horovod``.

    mpirun -np 2 python scripts/mnist_cnn.py --variant=swu --engine=horovod --epochs=1

Each MPI rank runs the same script and the same loop (legacy/train.py,
through legacy/runners/mnist_classifier.py's ``run_mnist``); this module is
the engine that loop asks (legacy/engine.py):

- the optimizer is wrapped in ``hvd.DistributedOptimizer``: every step each
  rank computes the gradient of its rows, Horovod's all-reduce (MPI) averages
  the W gradients, and each rank applies the same mean, so the W copies of
  the variables stay equal without a parameter server;
- after the variables are initialised (or restored by rank 0 from
  ``--resume`` / ``--init_from``), ``hvd.broadcast_global_variables(0)``
  copies rank 0's into every rank, and ``broadcast_object`` hands rank 0's
  loop state (epoch, step, the data order's RNG) to the others, so a resumed
  run continues on every rank where rank 0's checkpoint stands;
- every rank holds the same seeded batches (``batch_dataflow``: the
  cluster's ``ArraySplit`` order) and trains rows ``[r*B/W, (r+1)*B/W)`` of
  each global batch of B rows: the mean of the W shard-mean gradients is the
  whole batch's mean gradient, so W ranks compute what one process with the
  whole batch computes, up to float rounding (tests/test_horovod.py);
- the cost the loop prints and averages is the all-reduced mean of the
  ranks' shard costs, the whole batch's cost;
- only rank 0 opens the run folder and writes checkpoints, TensorBoard
  events and the results JSON, and prints the study's lines; the other
  ranks keep nothing.

Before the first step every rank sends its settings (the PS cluster's
``task_settings``: every flag that shapes the shards or the graph) to all
(``allgather_object``); a rank whose settings differ from rank 0's stops
every rank with one line naming the flag.

What is not the whole batch's arithmetic: dropout draws each rank's masks
for its own rows (the seed's stream is the rank), and batch norm normalises
each shard by its own statistics and keeps each rank's moving averages (rank
0's are saved), as any data-parallel batch norm without cross-rank
statistics does.
"""
import json

from legacy.engine import OneProcess, check_split, import_horovod, rank_rows
from legacy.errors import UsageError
from legacy.graph import Phase, phases_of
from legacy.inputs import FeedInput, GraphInput


class HorovodEngine(OneProcess):
    """This process as rank ``hvd.rank()`` of ``hvd.size()``."""

    name = "Horovod ranks"

    def __init__(self, experiment, config):
        from legacy.distributed.sync_training import task_settings
        hvd = self.hvd = import_horovod()
        hvd.init()
        self.rank, self.size = hvd.rank(), hvd.size()
        self.writes = self.rank == 0
        check_split(config.batch_size, self.size)
        self.shard_size = config.batch_size // self.size
        self.settings = task_settings(experiment, config)
        self.broadcast = None

    def shard(self, inputs):
        if self.size == 1:
            return inputs
        kind = _ShardedGraph if isinstance(inputs, GraphInput) else _ShardedFeed
        return kind(inputs, self.rank, self.size)

    def wrap_optimizer(self, optimizer):
        return self.hvd.DistributedOptimizer(optimizer)

    def graph(self, net):
        # The loop prints and averages the whole batch's cost (of each phase: a GAN's D and G
        # steps): the mean of the ranks' shard means.
        phases = tuple(Phase(p.name, p.train_op, self.hvd.allreduce(p.cost, op=self.hvd.Average,
                                                                     name="mean_" + p.name))
                       for p in phases_of(net))
        self.broadcast = self.hvd.broadcast_global_variables(0)
        return net._replace(phases=phases)

    def start(self, sess, state):
        from horovod.tensorflow.functions import allgather_object, broadcast_object
        from legacy.distributed.sync_training import settings_difference
        everyone = allgather_object(json.dumps(self.settings, sort_keys=True), session=sess, name="settings")
        chief = json.loads(everyone[0])
        for rank, text in enumerate(everyone[1:], 1):
            problem = settings_difference(chief, json.loads(text), rank)
            if problem:
                raise UsageError(problem.replace("worker %d" % rank, "rank %d" % rank)
                                 .replace("the chief", "rank 0").replace("chief's", "rank 0's"))
        sess.run(self.broadcast)
        return broadcast_object(state, root_rank=0, session=sess, name="loop_state")

    def metrics(self):
        import horovod
        return {"ranks": self.size, "shard_size": self.shard_size, "horovod": horovod.__version__,
                "horovod_mpi": bool(self.hvd.mpi_enabled())}


class _ShardedFeed(FeedInput):
    """FeedInput's batches, each cut to this rank's rows."""

    def __init__(self, inner, rank, size):
        super(_ShardedFeed, self).__init__(inner.dataflow, inner.feature_shape)
        self.rank, self.size = rank, size

    def epoch(self, skip=0):
        for feed in super(_ShardedFeed, self).epoch(skip):
            yield {k: rank_rows(v, self.rank, self.size) for k, v in feed.items()}


class _ShardedGraph(GraphInput):
    """GraphInput whose fixed batch is this rank's rows of every global batch."""

    def __init__(self, inner, rank, size):
        super(_ShardedGraph, self).__init__(inner.dataflow, inner.feature_shape)
        self.rank, self.size = rank, size
        self.global_batch = self.batch_size
        self.batch_size = self.global_batch // size  # the index placeholder's (and evaluation's) size

    def epoch_rows(self, skip=0):
        order = self.split.epoch_order()
        whole, mine = self.global_batch, self.batch_size
        for step in range(skip, self.steps_per_epoch):
            start = step * whole + self.rank * mine
            yield order[start:start + mine]


def engine_for(experiment, config, environ):
    """The HorovodEngine of ``--engine=horovod``; UsageError for a run that also
    asks for a PS/worker cluster."""
    for flag in ("job_name", "ps_hosts", "worker_hosts"):
        if getattr(config, flag):
            raise UsageError("--engine=horovod takes no --%s: its ranks come from mpirun / horovodrun "
                             "(mpirun -np 2 python SCRIPT --engine=horovod ...)" % flag)
    if environ.get("TF_CONFIG"):
        raise UsageError("--engine=horovod: TF_CONFIG is set (a PS/worker cluster); unset it, or use "
                         "--engine=tf for the PS/worker run")
    return HorovodEngine(experiment, config)

