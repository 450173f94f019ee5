"""Any registry model trained by tensorpack's trainer (legacy/tensorpack_trainer/trainer.py).

``--model`` picks the network and its original settings from the registry
(``cnn-swu``, ``dnn4``, ``tensorpack-convnet``, ...); flags given explicitly
override them, as in the other MNIST scripts. ``--input=feed`` is
tensorpack's ``SimpleTrainer`` (numpy batches fed each step, as the study
fed them), ``--input=queue`` its ``QueueInputTrainer`` (a thread fills a TF
queue while the graph trains). Callbacks: ModelSaver, InferenceRunner on the
validation and test splits, MaxSaver of the best validation accuracy,
tensorpack's moving-average summaries and progress bar. ``--load`` starts
from a checkpoint's weights (tensorpack's SmartInit), ``--resume`` continues
a run folder (tensorpack's AutoResumeTrainConfig: from the epoch after its
last checkpoint). ``--engine=horovod`` under ``mpirun -np W`` trains with
tensorpack's HorovodTrainer, each rank 1/W of every batch.

Example: python scripts/mnist_tensorpack.py --model=cnn-swu --input=queue --epochs=1
"""
from legacy import run_config
from legacy.models.registry import MODELS
from legacy.tensorpack_trainer.trainer import ENGINES, TRAINERS, TensorpackConfig, run_tensorpack

EXPERIMENT = "mnist_tensorpack"
DEFAULT = "cnn-swu"

run_config.define_data_flags()
run_config.define_epoch_flags(MODELS[DEFAULT].settings["epochs"], MODELS[DEFAULT].settings["batch_size"])
run_config.define_optimizer_flags(MODELS[DEFAULT].settings["optimizer"], MODELS[DEFAULT].settings["learning_rate"])
run_config.define_dropout_flags(MODELS[DEFAULT].settings["keep_prob"])
run_config.define_run_flags(EXPERIMENT)
run_config.define("enum", "model", DEFAULT, list(MODELS),
                  "The network and its original settings: %s." % "; ".join(
                      "%s: %s" % (name, entry.source) for name, entry in MODELS.items()))
run_config.define("enum", "input", "feed", sorted(TRAINERS),
                  "tensorpack's input: feed (SimpleTrainer, numpy batches fed each step) or queue "
                  "(QueueInputTrainer, a thread fills a TF queue).")
run_config.define("enum", "engine", "tf", list(ENGINES),
                  "tf: one process (SimpleTrainer / QueueInputTrainer); horovod: one rank of a Horovod run "
                  "(tensorpack's HorovodTrainer, under mpirun -np W; each rank trains 1/W of every batch).")
run_config.define("string", "load", "",
                  "Start from this checkpoint's weights (a prefix or a run folder), as tensorpack's --load.")
run_config.define("integer", "lr_decay_steps", 0,
                  "Multiply the learning rate by --lr_decay_rate every N steps (0: constant; "
                  "tensorpack-convnet: 4680).")
run_config.define("float", "lr_decay_rate", 1.0, "Factor of the staircase learning-rate decay.")


def main(_):
    name = run_config.FLAGS.model
    config = run_config.build(MODELS[name].settings, kind=TensorpackConfig)
    run_tensorpack("%s_%s" % (EXPERIMENT, name), MODELS[name].build(config), config,
                   trainer=config.input, load=config.load)
