"""scripts/pggan.py: legacy/pggan/experiment.py's run, alone or as one Horovod rank.

The scripts layer composes two features here, as mnist_dnn / mnist_cnn do
through legacy/distributed/cluster.py: PGGAN (legacy/pggan/) and the
cluster's Horovod engine (legacy/distributed/horovod_engine.py); neither
imports the other. The help of scripts/pggan.py is PGGAN's (below), plus
``--engine``.
"""
from legacy import run_config
from legacy.distributed.cluster import ENGINES
from legacy.pggan import experiment as pggan_experiment
from legacy.pggan.pggan_config import PGGANConfig

EXPERIMENT = pggan_experiment.EXPERIMENT
ENGINE_HELP = """
Data-parallel (``--engine=horovod``, under ``mpirun -np W``): each rank
trains 1/W of every minibatch with Horovod's ``DistributedOptimizer`` for D
and G, the ranks' rows chosen so that no minibatch-stddev group straddles two
ranks (every minibatch must be a multiple of W x the group size); rank 0
alone evaluates, checkpoints and writes. The paper's CelebA-HQ run took 8
GPUs: ``mpirun -np 8 python scripts/pggan.py --preset=celebahq-1024
--dataset=DIR --engine=horovod --minibatch_sizes=...`` is its path here.
"""
__doc__ = pggan_experiment.__doc__ + ENGINE_HELP  # noqa: A001  (the script's --help)

run_config.define("enum", "engine", "tf", list(ENGINES),
                  "tf: this process alone; horovod: one rank of a Horovod run (mpirun -np W; each rank trains "
                  "1/W of every minibatch, docs/pggan.md).")
EngineConfig = run_config.config_type("PGGANEngineConfig", PGGANConfig.FIELDS, {"engine": "tf"})


def main(_):
    config = pggan_experiment.make_config(kind=EngineConfig)
    engine = None
    if config.engine == "horovod":
        from legacy.distributed.horovod_engine import HorovodEngine
        engine = HorovodEngine(EXPERIMENT, config)
    pggan_experiment.run(config, engine)
