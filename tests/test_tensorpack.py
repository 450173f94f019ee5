"""tensorpack's trainer on the project's models (legacy/tensorpack_trainer/trainer.py).

Equivalence: the same seed gives the same initial weights (explicit op
seeds), tensorpack's FeedInput and QueueInput iterate the same
``BatchData(ArraySplit)`` as legacy/train.py, and dropout is off, so the
per-epoch average costs of both loops may differ only by float rounding
(the two graphs are built differently). Measured (2-vCPU Xeon, TF 1.15, at
d1490f5): the costs are bit-identical, relative difference 0.0 for mlp and
cnn-swu over 2 epochs, once tensorpack's gradients are gated per op as
Optimizer.minimize gates them (tp_trainer.make_trainer; before that, Adam's
third step differed by 3e-5). The figures are printed with -s.
"""
import json
import os

import numpy as np
import pytest
from tensorpack.tfutils.tower import TowerContext

from conftest import run_config
from legacy.runners.mnist_classifier import run_mnist
from legacy.tensorpack_trainer.trainer import ClassifierModel, run_tensorpack
from legacy.models.registry import MODELS
from legacy.tensorpack_trainer.convnet import WEIGHT_DECAY
from legacy.tf import tf

REL_TOL = 1e-5  # float rounding; a wrong batch, weight or dropout mask moves a cost by > 1e-3


def _config(tmp_path, name, **overrides):
    return run_config(output=str(tmp_path / (name + ".json")), logdir=str(tmp_path / name), **overrides)


def _both(tmp_path, model, trainer="feed", **overrides):
    entry = MODELS[model]
    settings = dict(entry.settings, keep_prob=1.0)
    settings.update(overrides)
    settings.pop("epochs")
    ours_config = _config(tmp_path, "ours", input="feed", **settings)
    tp_config = _config(tmp_path, "tp_" + trainer, input=trainer, **settings)
    ours = run_mnist("test", entry.build(ours_config), ours_config)
    theirs = run_tensorpack("test_tp", entry.build(tp_config), tp_config, trainer=trainer)
    return ours, theirs


def _rel(a, b):
    return max(abs(x - y) / abs(x) for x, y in zip(a, b))


@pytest.mark.parametrize("model,limit", [("mlp", 2000), ("cnn-swu", 600)])
@pytest.mark.long  # trains in this process for several epochs
def test_tensorpack_feed_trains_as_the_project_loop(tmp_path, model, limit):
    ours, theirs = _both(tmp_path, model, train_limit=limit)
    rel = _rel(ours["epoch_avg_cost"], theirs["epoch_avg_cost"])
    print("%s: ours %s tensorpack %s, max relative difference %.2e"
          % (model, ours["epoch_avg_cost"], theirs["epoch_avg_cost"], rel))
    assert len(theirs["epoch_avg_cost"]) == 2
    assert ours["epoch_avg_cost"][1] < ours["epoch_avg_cost"][0]  # it trains: the comparison means something
    assert rel < REL_TOL
    # Accuracies: the same weights up to rounding; a near-tie image may flip.
    for a, b in zip(ours["validation_accuracy"], theirs["validation_accuracy"]):
        assert abs(a - b) <= 2.0 / 5000 + 1e-6
    assert abs(ours["test_accuracy"] - theirs["test_accuracy"]) <= 2.0 / 10000 + 1e-6


@pytest.mark.long  # trains in this process for several epochs
def test_dropout_masks_are_the_project_loops(tmp_path):
    """With dropout on, tensorpack's steps draw the masks legacy/train.py
    draws (the seed [global step, 0] fed by the DropoutSeed callback): the
    same costs, two runs in a row. Reading the seed from the global step
    variable in the graph raced tensorpack's increment of it (on TF 2, 3
    different first-epoch costs in 5 runs of one seeded command)."""
    for attempt in ("first", "second"):
        (tmp_path / attempt).mkdir()
        ours, theirs = _both(tmp_path / attempt, "mlp", train_limit=1000, keep_prob=0.5)
        assert len(ours["epoch_avg_cost"]) == 2 and ours["epoch_avg_cost"] == theirs["epoch_avg_cost"]


@pytest.mark.long  # trains in this process for several epochs
def test_queue_input_sees_the_same_batches(tmp_path):
    ours, theirs = _both(tmp_path, "mlp", trainer="queue", train_limit=1000)
    assert theirs["trainer"] == "QueueInputTrainer"
    assert _rel(ours["epoch_avg_cost"], theirs["epoch_avg_cost"]) < REL_TOL


@pytest.mark.long  # trains in this process for several epochs
def test_resume_continues_after_the_last_epoch_and_load_initialises(tmp_path):
    entry = MODELS["mlp"]
    config = _config(tmp_path, "run", optimizer="adam", learning_rate=0.001, hidden=(64,), epochs=1,
                     train_limit=500)
    first = run_tensorpack("t", entry.build(config), config)
    assert first["starting_epoch"] == 1 and len(first["epoch_avg_cost"]) == 1
    resumed = config._replace(resume=True, epochs=2)
    second = run_tensorpack("t", entry.build(resumed), resumed)
    assert second["starting_epoch"] == 2 and len(second["epoch_avg_cost"]) == 1  # only epoch 2 trained here
    assert second["epoch_avg_cost"][0] < first["epoch_avg_cost"][0]
    # --load: a new run from those weights starts where the first left off, not from scratch.
    loaded = _config(tmp_path, "loaded", optimizer="adam", learning_rate=0.001, hidden=(64,), epochs=1,
                     train_limit=500)
    third = run_tensorpack("t", entry.build(loaded), loaded, load=str(tmp_path / "run"))
    assert third["load"] and third["epoch_avg_cost"][0] < first["epoch_avg_cost"][0]
    with open(os.path.join(str(tmp_path / "run"), "tensorpack", "stats.json")) as handle:
        assert [s["epoch_num"] for s in json.load(handle)] == [1, 2]


@pytest.mark.long  # trains in this process for several epochs
def test_anchor_convnet_has_weight_decay_and_learns(tmp_path, mnist):
    entry = MODELS["tensorpack-convnet"]
    config = _config(tmp_path, "anchor", **dict(entry.settings, epochs=1, train_limit=1280))
    record = run_tensorpack("t", entry.build(config), config)
    assert record["steps_per_epoch"] == 10
    assert record["test_accuracy"] > 0.5  # 10 steps of Adam on centred pixels; chance is 0.1
    # The cost tensorpack minimised (ClassifierModel.build_graph's) carries the
    # weight decay of the two dense layers' weights and nothing else: rebuilt
    # with the trained weights, cost - data cost in one run (one dropout mask)
    # equals 1e-5 * (||fc0/W||^2 + ||fc1/W||^2) / 2 computed from the checkpoint.
    reader = tf.train.load_checkpoint(record["checkpoint"])
    dense = [reader.get_tensor(n) for n in ("model/fc0/W", "model/output/fc1/W")]
    expected = WEIGHT_DECAY * sum(float(np.sum(w.astype(np.float64) ** 2)) / 2 for w in dense)
    with tf.Graph().as_default():
        model = ClassifierModel(entry.build(config), config)
        x, y = tf.placeholder(tf.float32, [None, 784]), tf.placeholder(tf.float32, [None, 10])
        with TowerContext("", is_training=True):
            cost = model.build_graph(x, y)
        data_cost = tf.get_default_graph().get_tensor_by_name("model/cost/data_cost:0")
        decay = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
        restore = {v.op.name: v for v in model.variables}
        saver = tf.train.Saver(restore)
        with tf.Session() as sess:
            saver.restore(sess, record["checkpoint"])
            images, labels = mnist.test.images[:200], mnist.test.labels[:200]
            total, data = sess.run([cost, data_cost], {x: images, y: labels})
    print("tensorpack-convnet after 10 steps: cost - data cost %.7e, 1e-5 * l2 of the dense weights %.7e"
          % (total - data, expected))
    assert len(decay) == 2 and len(model.variables) == 12  # 6 layers' W and b; only the 2 dense W decay
    assert expected > 1e-3  # about 5e-3 near the initial weights: far above float32 rounding of the cost
    assert abs((total - data) - expected) < 1e-3 * expected, (total, data, expected)  # measured 3e-6


def test_bad_tensorpack_input_is_one_line(tmp_path):
    from legacy.errors import UsageError
    config = _config(tmp_path, "bad")
    with pytest.raises(UsageError, match="--input=graph is no tensorpack input"):
        run_tensorpack("t", None, config, trainer="graph")


@pytest.mark.slow
def test_anchor_30_epochs_reaches_tensorpacks_error(tmp_path):
    """tensorpack says "about 0.6% validation error after 30 epochs" (its
    validation set is the test set). We train on the study's 55,000 images,
    not its 60,000."""
    entry = MODELS["tensorpack-convnet"]
    config = _config(tmp_path, "anchor30", **dict(entry.settings, train_limit=None))
    record = run_tensorpack("mnist_tensorpack_tensorpack-convnet", entry.build(config), config)
    error = 1 - record["test_accuracy"]
    print("tensorpack-convnet: test error %.4f after %d epochs" % (error, len(record["epoch_avg_cost"])))
    assert error < 0.009
