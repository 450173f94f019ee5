"""golbin 08/01: an autoencoder of MNIST, 784 -> 256 sigmoid -> 784 sigmoid.

W and b N(0, 1), mean squared error, RMSProp 0.01, 20 epochs, batch 100.
Prints golbin's ``Epoch: 0001 Avg. cost = 0.xxxx`` (4 decimals) and
``최적화 완료!``, then what golbin only showed: the reconstruction MSE over
the 10,000 test images, and the PNG of 10 test digits (top) above their
reconstructions (bottom), in the run folder.

Example: python scripts/autoencoder.py --epochs=20
"""
import os

import numpy as np

from legacy import run_config
from legacy.chapters import pictures
from legacy.data.mnist import batch_dataflow, load_for_training
from legacy.graph import TrainGraph, minimize
from legacy.models.layers import mode_inputs
from legacy.inputs import make_input
from legacy.chapters.unsupervised import autoencoder
from legacy.chapters.tracks import EpochLine, run_loop, run_rows
from legacy.tf import tf
from legacy.chapters.chapter_config import ChapterConfig

EXPERIMENT = "autoencoder"
SAMPLES = 10

run_config.define_data_flags()
run_config.define_epoch_flags(20, 100)
run_config.define_input_flag("graph")
run_config.define_optimizer_flags("rmsprop", 0.01)
run_config.define_run_flags(EXPERIMENT)


def main(_):
    config = run_config.build(kind=ChapterConfig)
    data = load_for_training(config.data_dir, config.download, config.train_limit, config.batch_size)
    inputs = make_input(config.input, batch_dataflow(data.train, config.batch_size, seed=config.seed), (784,))

    def build():
        x, y = inputs.tensors(num_classes=10)
        mode_inputs()
        decoder, cost = autoencoder(x)
        model_variables = tf.global_variables()
        train_op, global_step = minimize(cost, config.optimizer, config.learning_rate)
        return TrainGraph(x, y, decoder, cost, None, None, train_op, global_step,
                          model_variables)

    def finish(sess, net, loop, run_dir):
        print("최적화 완료!")
        reconstructions = run_rows(sess, net.logits, {net.x: data.test.images})
        mse = float(np.mean((reconstructions.astype(np.float64) - data.test.images) ** 2))
        png = pictures.image_grid(os.path.join(run_dir, "reconstructions.png"),
                                  [data.test.images[:SAMPLES], reconstructions[:SAMPLES]])
        print("test reconstruction MSE %.4f over %d images; digits and reconstructions in %s"
              % (mse, len(reconstructions), png))
        return {"test_mse": mse, "reconstructions_png": png}

    def line(record, loop):
        return "Epoch: %04d Avg. cost = %.4f" % (record.epoch, record.avg_cost)

    run_loop(EXPERIMENT, config, inputs, build, config.epochs, lines=[EpochLine(line)], finish=finish)
