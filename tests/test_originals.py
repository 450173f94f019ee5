"""The study's scripts, ported literally (legacy/originals/), compute what the
library computes.

Each test runs a port and its library command on the same small problem: same
seed, so the same initial weights (the ports give their initialisers the op
seeds 1, 2, 3... that the library's ``layers.op_seed`` gives its weights), the
same batches in the same order (the ports' ``next_batch`` replays the
library's dataflow), dropout off (its masks come from different random
streams; test_dropout_* below shows they have the same distribution). They
must then agree on every compared number within TOLERANCE (relative):

- MNIST: the per-epoch average cost (the mean of the port's per-step costs)
  and the trained weights (the library's last checkpoint) after 2 epochs of
  10 steps;
- the full-batch toys: the cost of every step, and the final W, b / weights.

TOLERANCE was set from the measured differences (docs/originals.md): on both
lanes, on this machine, the port and the library agree bit for bit (weights)
or within the order of the epoch sum (costs, at most 2e-16 relative). 1e-8
leaves room for a CPU on which TF 2's oneDNN picks other kernels for the
port's dynamic and the library's static batch size (an earlier port fed by
checkpoint differed by 2e-10), and is still far below what a change of the
library's loss averaging, an optimizer constant or the initializer scale does
(1e-4 and more; docs/originals.md shows one).
"""
import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import REPO, run_config
from legacy.run_config import RunConfig
from legacy.models.registry import MODELS
from legacy.runners.mnist_classifier import run_mnist
from legacy.originals import port
from legacy.tf import IS_TF2, tf
from scripts_util import read_json

TOLERANCE = 1e-8
TRAIN_LIMIT, EPOCHS = 1000, 2  # 10 steps of 100 per epoch


def rel_diff(a, b):
    """Largest |a - b| relative to the largest |b| (per tensor, so that weights near zero do not divide by ~0)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-30))


def epoch_means(step_costs, epochs):
    return np.asarray(step_costs, np.float64).reshape(epochs, -1).mean(axis=1)


def library_weights(record, suffixes=("/W",)):
    """The trained weights of a library run, from its last checkpoint, in creation order."""
    names = [v.op.name for v in tf.trainable_variables() if v.op.name.endswith(suffixes)]
    reader = tf.train.load_checkpoint(record["checkpoint"])
    return [reader.get_tensor(n) for n in names]


def compare(name, port_record, lib_record, epochs=EPOCHS, port_weights=None, lib_weights=None):
    costs = epoch_means(port_record["metrics"]["step_costs"], epochs)
    diffs = {"epoch_cost": rel_diff(costs, lib_record["epoch_avg_cost"])}
    port_weights = port_record["weights"] if port_weights is None else port_weights
    lib_weights = library_weights(lib_record) if lib_weights is None else lib_weights
    assert len(port_weights) == len(lib_weights), (name, len(port_weights), len(lib_weights))
    for i, (p, l) in enumerate(zip(port_weights, lib_weights)):
        assert p.shape == l.shape, (name, i, p.shape, l.shape)
        diffs["weights%d" % (i + 1)] = rel_diff(p, l)
    print("%s: relative differences %s" % (name, ", ".join("%s %.1e" % kv for kv in sorted(diffs.items()))))
    assert max(diffs.values()) <= TOLERANCE, (name, diffs, list(costs), lib_record["epoch_avg_cost"])
    # The runs learn within these few steps, so equal costs are not equal by standing still.
    return diffs


def run_port(module, mnist_dir, **kwargs):
    values = dict(data_dir=mnist_dir, seed=0, epochs=EPOCHS, train_limit=TRAIN_LIMIT, dropout=False)
    values.update(kwargs)
    return module.train(port.args(**values))


def run_library(model, tmp_path, mnist_dir, **flags):
    values = dict(data_dir=mnist_dir, train_limit=TRAIN_LIMIT, epochs=EPOCHS, keep_prob=1.0, eval_keep_prob=1.0,
                  seed=0, output=str(tmp_path / "library.json"))
    values.update(flags)
    return run_mnist("originals_check", model, run_config(**values))


def registry_model(name, **overrides):
    """The model function of registry entry ``name`` at its original settings (with ``overrides``)."""
    return MODELS[name].build(RunConfig(**dict(MODELS[name].settings, **overrides)))


# port module -> (library model, library flags): the library command of docs/originals.md.
MNIST_CASES = {
    "mnistdatajuyae": ("mlp", dict(optimizer="adam", learning_rate=0.001)),
    "dropoutjuyae": ("mlp-dropout", dict(optimizer="adam", learning_rate=0.001)),
    "gradient_descent_optimization": ("dnn4", dict(optimizer="gd", learning_rate=0.2)),
    "mnistdata": ("dnn4", dict(optimizer="gd", learning_rate=0.2, eval_keep_prob=0.8)),
    "golbin_cnn": ("cnn", dict(optimizer="adam", learning_rate=0.001)),
    "cnn_adam": ("cnn-swu", dict(optimizer="adam", learning_rate=0.001, eval_keep_prob=0.8)),
    "cnn_rmsprop": ("cnn-swu", dict(optimizer="rmsprop", learning_rate=0.001, eval_keep_prob=0.8)),
}


def _import(name):
    __import__("legacy.originals." + name)
    return sys.modules["legacy.originals." + name]


# The CNN ports evaluate a CNN on 15,000 images twice per case: the long tier; the MLP ports stay in make test.
CNN_PORTS = ("golbin_cnn", "cnn_adam", "cnn_rmsprop")


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.long) if n in CNN_PORTS else n
                                  for n in sorted(MNIST_CASES)])
def test_mnist_port_matches_library(name, tmp_path, mnist_dir):
    model_name, flags = MNIST_CASES[name]
    port_record = run_port(_import(name), mnist_dir)
    lib_record = run_library(registry_model(model_name), tmp_path, mnist_dir, **flags)
    compare(name, port_record, lib_record)
    # Equal because both trained, not because both stood still: every weight tensor moved 10x more than
    # the tolerance from its initial value (GD 0.2 and RMSProp, whose mean square starts at 1 in TF1, sit near
    # ln 10 in cost for their first ~100 steps: their weights move by 2e-6 to 1e-3).
    start = initial_normal_weights([w.shape for w in port_record["weights"]], seed=0)
    moved = [rel_diff(w, w0) for w, w0 in zip(port_record["weights"], start)]
    assert min(moved) > 10 * TOLERANCE, moved


def initial_normal_weights(shapes, seed):
    """N(0, 0.01) weights as the library draws them: graph seed ``seed``, op seeds 1, 2, 3..."""
    with tf.Graph().as_default():
        tf.set_random_seed(seed)
        tensors = [tf.random_normal(list(s), stddev=0.01, seed=i + 1) for i, s in enumerate(shapes)]
        with tf.Session() as sess:
            return sess.run(tensors)


def test_bn_lab_port_matches_library(tmp_path, mnist_dir):
    """hunkim's two networks (with and without BN) against --preset=bn-lab with and without --batch_norm."""
    if IS_TF2:
        pytest.skip("other lane: hunkim's BN lab uses tf.layers, which TF 2's tf.compat.v1 lacks with Keras 3; "
                    "the library's --preset=bn-lab runs on both lanes")
    from legacy.originals import bn_lab
    limit = 640  # 20 steps of 32 per epoch
    port_record = bn_lab.train(port.args(data_dir=mnist_dir, seed=0, epochs=EPOCHS, train_limit=limit))
    kernels = [w for w in port_record["weights"] if w.ndim == 2]  # tf.layers' kernels, bn model first
    for half, batch_norm, port_kernels in (("bn", True, kernels[:3]), ("nn", False, kernels[3:])):
        lib_record = run_library(registry_model("bn-lab", batch_norm=batch_norm), tmp_path, mnist_dir, train_limit=limit,
                                 batch_size=32, optimizer="adam", learning_rate=0.01)
        lib_kernels = library_weights(lib_record)
        metrics = dict(port_record["metrics"], step_costs=port_record["metrics"][half + "_step_costs"])
        compare("bn_lab/" + half, dict(port_record, metrics=metrics), lib_record, port_weights=port_kernels,
                lib_weights=lib_kernels)
        # Equal because both trained: every kernel moved 10x more than the tolerance from its Glorot draw.
        start = initial_glorot_kernels([k.shape for k in port_kernels], seed=0)
        moved = [rel_diff(k, k0) for k, k0 in zip(port_kernels, start)]
        assert min(moved) > 10 * TOLERANCE, (half, moved)


def initial_glorot_kernels(shapes, seed):
    """tf.layers.dense's kernels as hunkim's lab draws them (glorot_uniform_initializer, op seeds 1, 2, 3...)."""
    with tf.Graph().as_default():
        tf.set_random_seed(seed)
        tensors = [tf.glorot_uniform_initializer(seed=i + 1)(list(s)) for i, s in enumerate(shapes)]
        with tf.Session() as sess:
            return sess.run(tensors)


def _library_script(script, tmp_path, *args):
    out = tmp_path / (script + ".json")
    proc = subprocess.run([sys.executable, os.path.join(REPO, "scripts", script), "--output=" + str(out)]
                          + list(args), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return read_json(out)


@pytest.mark.long
def test_linear_regression_port_matches_library(tmp_path):
    from legacy.originals import linearreg
    port_record = linearreg.train(port.args())
    lib = _library_script("linear_regression.py", tmp_path)
    metrics = port_record["metrics"]
    diffs = {"step_costs": rel_diff(metrics["step_costs"], lib["step_cost"]),
             "W": rel_diff(metrics["W"], lib["final"]["W"]), "b": rel_diff(metrics["b"], lib["final"]["b"]),
             "initial": rel_diff([metrics["initial_W"], metrics["initial_b"]],
                                 [lib["initial"]["W"], lib["initial"]["b"]]),
             "predictions": rel_diff(metrics["predictions"], lib["final"]["predictions"])}
    print("linearreg: relative differences %s" % diffs)
    assert len(metrics["step_costs"]) == 100 and lib["step_cost"][-1] < lib["step_cost"][0] / 2
    assert max(diffs.values()) <= TOLERANCE, diffs


@pytest.mark.long
def test_fur_wings_port_matches_library(tmp_path):
    from legacy.data import tables
    from legacy.originals import logisticregression
    port_record = logisticregression.train(port.args())
    lib = _library_script("animals_dnn.py", tmp_path, "--hidden=10,20,10")
    printed = port_record["metrics"]["step_costs"]  # after steps 10, 20, ..., 100
    # The library's step_cost[k] is the cost before step k + 1, i.e. after k steps.
    lib_after = [lib["step_cost"][k] for k in range(10, 100, 10)] + [lib["final_cost"]]
    diffs = {"printed_costs": rel_diff(printed, lib_after)}
    print("logisticregression: relative differences %s" % diffs)
    assert port_record["metrics"]["prediction"] == lib["prediction"]
    assert lib["step_cost"][-1] < lib["step_cost"][0]
    assert max(diffs.values()) <= TOLERANCE, diffs
    # The port's inline table is the library's.
    features, targets = tables.animals_table()
    assert lib["truth"] == [int(i) for i in np.argmax(targets, 1)] and len(features) == 20


def test_port_batches_are_the_library_batches(mnist):
    """``next_batch`` replays batch_dataflow's order, epoch after epoch, dropping the remainder."""
    from legacy.data.mnist import Split, batch_dataflow
    split = Split(mnist.train.images[:250], mnist.train.labels[:250])
    ours = port.Split(split.images, split.labels, seed=7)
    flow = batch_dataflow(split, 100, seed=7)
    for _ in range(3):
        for images, labels in flow:
            got_images, got_labels = ours.next_batch(100)
            np.testing.assert_array_equal(got_images, images)
            np.testing.assert_array_equal(got_labels, labels)


@pytest.mark.long
def test_port_prints_the_study_lines(tmp_path, mnist_dir):
    """As a program: the study's printed lines, and one line for a bad flag."""
    cmd = [sys.executable, "-m", "legacy.originals.mnistdatajuyae", "--epochs=1", "--train_limit=500",
           "--data_dir=" + mnist_dir, "--output=" + str(tmp_path / "p.json")]
    proc = subprocess.run(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("Epoch: 0001 Avg. cost = ") and len(lines[0]) == len("Epoch: 0001 Avg. cost = 0.472")
    assert lines[1] == "최적화 완료!" and lines[2].startswith("정확도: 0.")
    assert read_json(tmp_path / "p.json")["metrics"]["epoch_avg_cost"]
    bad = subprocess.run(cmd[:3] + ["--output=/nonexistent/dir/p.json"], cwd=REPO, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, universal_newlines=True, timeout=300)
    assert bad.returncode == 2 and bad.stderr.strip().splitlines() == [
        "error: --output=/nonexistent/dir/p.json: folder /nonexistent/dir does not exist; create it or pick "
        "another path"]


def test_plot_predictions_titles_match_the_port(tmp_path, mnist_dir, mnist, monkeypatch):
    """--plot_predictions draws the port's figure: the same ten test digits, in the same 2x5 places, titled with
    the same labels, predicted with the run's eval keep_prob as golbin's figure code did. The figures are read
    as drawn, just before each is saved (Figure.savefig is wrapped)."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    drawn = {}
    real_savefig = Figure.savefig

    def savefig(fig, path, *args, **kwargs):
        drawn[os.path.basename(str(path))] = [
            (ax.get_subplotspec().get_geometry()[:3], ax.get_title(), ax.images[0].get_array().data.copy())
            for ax in fig.axes]
        return real_savefig(fig, path, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", savefig)
    from legacy.originals import dropoutjuyae
    port_record = run_port(dropoutjuyae, mnist_dir, plot=str(tmp_path / "port.png"))
    lib_record = run_library(registry_model("mlp-dropout"), tmp_path, mnist_dir, optimizer="adam",
                             learning_rate=0.001, plot_predictions=str(tmp_path / "library.png"))
    labels = lib_record["predicted_labels"]
    assert labels == port_record["metrics"]["predicted_labels"] and len(labels) == 10
    assert sorted(drawn) == ["library.png", "port.png"]
    for name, axes in sorted(drawn.items()):
        assert [place for place, _, _ in axes] == [(2, 5, i) for i in range(10)], name
        assert [title for _, title, _ in axes] == ["%d" % label for label in labels], name
        for i, (_, _, image) in enumerate(axes):
            np.testing.assert_array_equal(image, mnist.test.images[i].reshape(28, 28))
    # 20 steps on 1,000 images already name most of the ten digits (7 2 1 0 4 1 4 9 5 9): the titles are
    # predictions, not a constant.
    truth = [int(i) for i in np.argmax(mnist.test.labels[:10], 1)]
    assert sum(p == t for p, t in zip(labels, truth)) >= 5, (labels, truth)
    assert (tmp_path / "port.png").stat().st_size > 1000 and (tmp_path / "library.png").stat().st_size > 1000
