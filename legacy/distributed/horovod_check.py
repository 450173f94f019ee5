"""Horovod's all-reduce against one process with the whole batch (a measurement, not yet an engine).

    mpirun -np 2 python -m legacy.distributed.horovod_check --out=hvd2.npz      # 2 ranks, 50 rows each
    python -m legacy.distributed.horovod_check --out=one.npz                     # 1 process, 100 rows
    python -m legacy.distributed.horovod_check --compare=hvd2.npz,one.npz

Each rank builds the registry's model (``--model``, its original builder and
N(0, 0.01) / op-seeded initial weights), trains ``--steps`` steps of the
same seeded data order (``ArraySplit``, the cluster's) on rows
``[r*B/W, (r+1)*B/W)`` of every global batch of B rows, with the optimizer
wrapped in ``hvd.DistributedOptimizer`` (the mean of the W ranks'
gradients) after ``hvd.broadcast_global_variables(0)``. Without Horovod
(no mpirun, or ``--no-horovod``) it trains the whole batch in one process.
Rank 0 saves every trainable variable to ``--out``; ``--compare`` prints the
relative difference of the two runs' weight changes (tests/test_distributed.py's
measure). Needs a Python with Horovod built against this TF (docs/distributed.md).
"""
import argparse
import os

import numpy as np


def train(model, steps, batch, seed, data_dir, use_horovod, optimizer="adam", learning_rate=0.001):
    from legacy.tf import tf
    from legacy.data.mnist import ArraySplit, load_for_training
    from legacy.graph import classifier_tensors
    from legacy.models.registry import MODELS
    from legacy.optim import make_optimizer
    from legacy.run_config import RunConfig
    rank, size = 0, 1
    if use_horovod:
        import horovod.tensorflow as hvd
        hvd.init()
        rank, size = hvd.rank(), hvd.size()
    if batch % size:
        raise SystemExit("--batch=%d does not split into %d ranks" % (batch, size))
    data = load_for_training(data_dir, False, max(steps, 1) * batch, batch)
    entry = MODELS[model]
    with tf.Graph().as_default():
        tf.set_random_seed(seed)
        x, y = tf.placeholder(tf.float32, [None, 784]), tf.placeholder(tf.float32, [None, 10])
        _, cost, _, _, _ = classifier_tensors(entry.build(RunConfig(**entry.settings)), x, y, "xent")
        opt = make_optimizer(optimizer, learning_rate)
        if use_horovod:
            opt = hvd.DistributedOptimizer(opt)
        train_op = opt.minimize(cost)
        init = tf.global_variables_initializer()
        sync = hvd.broadcast_global_variables(0) if use_horovod else tf.no_op()
        with tf.Session() as sess:
            sess.run(init)
            sess.run(sync)
            split = ArraySplit(data.train.images, data.train.labels, seed=seed)
            order = split.epoch_order()
            shard = batch // size
            for step in range(steps):
                rows = order[step * batch + rank * shard: step * batch + (rank + 1) * shard]
                sess.run(train_op, {x: data.train.images[rows], y: data.train.labels[rows]})
            return rank, size, {v.op.name: sess.run(v) for v in tf.trainable_variables()}


def relative(a, b, start):
    diff = np.sqrt(sum(np.sum((a[n] - b[n]) ** 2) for n in a))
    change = np.sqrt(sum(np.sum((b[n] - start[n]) ** 2) for n in a))
    return float(diff / change), max(float(np.max(np.abs(a[n] - b[n]))) for n in a)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="dnn4")
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data_dir", default="data/mnist")
    parser.add_argument("--out", default="")
    parser.add_argument("--no-horovod", dest="horovod", action="store_false")
    parser.add_argument("--compare", default="", help="a.npz,b.npz,start.npz")
    args = parser.parse_args(argv)
    if args.compare:
        a, b, start = (dict(np.load(p)) for p in args.compare.split(","))
        rel, largest = relative(a, b, start)
        print("horovod check: relative difference of the weight changes %.2e, largest weight difference %.2e"
              % (rel, largest))
        return
    use_horovod = args.horovod and "OMPI_COMM_WORLD_SIZE" in os.environ
    if args.steps == 0:  # the initial weights
        use_horovod = False
    rank, size, weights = train(args.model, args.steps, args.batch, args.seed, args.data_dir, use_horovod)
    if rank == 0 and args.out:
        np.savez(args.out, **weights)
        print("horovod check: %d rank(s), %d steps of batch %d: %s" % (size, args.steps, args.batch, args.out))


if __name__ == "__main__":
    main()
