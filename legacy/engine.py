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
rank of a Horovod run; the core never imports it.
"""


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
