"""Who trains a run of the one MNIST loop: this process alone, or one rank of several.

legacy/runners/mnist_classifier.py's ``run_mnist`` asks its engine five
small questions and otherwise runs the same loop (legacy/train.py) either way:

- ``writes``: does this process own the run folder, the checkpoints, the
  TensorBoard events, the results JSON and the study's printed lines?
- ``shard(inputs)``: the batches this process trains on (all of them, or its
  rows of every global batch);
- ``wrap_optimizer(optimizer)``: the optimizer the graph minimises with
  (e.g. one whose gradients are averaged over the ranks);
- ``graph(net)``: the training graph, with what the engine adds to it (the
  cost the loop prints, an op that copies rank 0's variables);
- ``start(sess, state)``: after the variables are initialised or restored,
  before the first step; returns the loop state to continue from (a
  checkpoint's, or None for a fresh run).

``OneProcess`` answers them for a run in one process, the default. The
cluster feature (legacy/distributed/horovod_engine.py) answers them for a
rank of a Horovod run; the core never imports it. ``check_split``,
``rank_rows`` and ``import_horovod`` are what every data-parallel engine
shares (the project loop's Horovod engine and tensorpack's HorovodTrainer).
"""
from legacy.errors import UsageError


def check_split(batch_size, ranks):
    """UsageError naming --batch_size unless it splits into ``ranks`` equal shards."""
    if batch_size % ranks:
        raise UsageError("--batch_size=%d does not split into %d equal Horovod shards (mpirun -np %d); use a "
                         "multiple of %d" % (batch_size, ranks, ranks, ranks))


def import_horovod():
    """``horovod.tensorflow``, or UsageError naming --engine=horovod where it is not installed."""
    from legacy.tf import tf  # noqa: F401  (TF's environment first: Horovod imports TensorFlow itself)
    try:
        import horovod.tensorflow as hvd
    except ImportError as err:
        raise UsageError("--engine=horovod: Horovod is not installed in this Python (%s); docs/distributed.md, "
                         "section Horovod: make horovod, or the image built with --build-arg HOROVOD=1"
                         % str(err).splitlines()[0])
    return hvd


def rank_rows(batch, rank, ranks):
    """Rows ``[rank*B/ranks, (rank+1)*B/ranks)`` of ``batch`` (B rows): this rank's shard."""
    shard = len(batch) // ranks
    return batch[rank * shard:(rank + 1) * shard]


class OneProcess(object):
    """Training in this process alone: it trains every batch and writes everything."""

    name = "one process"
    writes = True
    rank, size = 0, 1

    def shard(self, inputs):
        return inputs

    def wrap_optimizer(self, optimizer):
        return optimizer

    def graph(self, net):
        return net

    def start(self, sess, state):
        return state

    def metrics(self):
        """What the results JSON says about the engine (nothing for one process)."""
        return {}
