"""golbin's chapters, ported literally (legacy/originals/golbin_*.py, dqn_*.py),
compute what the library's chapter scripts compute (issue 30).

As tests/test_originals.py does for the study's scripts: each port and its
library command run with the same seed, hence the same initial weights (the
ports give their initialisers, and through ``port.GlorotSeeds`` the kernels
that rnn_cell / tf.layers make, the op seeds the library's ``layers.op_seed``
gives), the same batches (MNIST: one batch of 100 or 128 per epoch, so that
every epoch is one step; Word2Vec: golbin's ``np.random.choice`` after
``np.random.seed``), the same noise (the GANs' ``get_noise()`` returns the
library's noise of that step) and the same games (the DQN's three random
streams), with dropout off (the masks come from different random streams;
test_dropout_wrapper_* shows the library draws them from the same
distribution). Then every step's cost must agree within the chapter's
tolerance below; the library's per-step costs are read from its run folder's
TensorBoard events (``cost``, float32 as the port's), or its results JSON.

TOLERANCE, relative (|port - library| / max|library| over the compared
steps), from the differences measured on this machine (docs/originals.md,
"golbin's chapters"): 0 (bit-identical) where both graphs run the same ops;
the RNN chapters' ``dynamic_rnn`` (a while loop) and seq2seq's
``tf.layers.dense`` over a [batch, time, 128] tensor (a tensordot: one
matmul of the stacked steps) against the library's static unroll and
per-step matmuls round differently in the last float32 bits: measured up to
the values in the table, tolerance 10x the largest measured, far below what
a change of the library's model does (a forget bias of 0 instead of 1, a
target copy before instead of after the training step: 1e-2 and more,
docs/originals.md shows them failing).
"""
import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import REPO
from legacy.originals import port
from legacy.tf import IS_TF2, tf
from scripts_util import read_json

EXACT = 1e-7  # float32 costs of the same ops: equal; 1e-7 only guards the float32 event round trip
RNN_TOLERANCE = 1e-6  # dynamic_rnn / tensordot against the static unroll: measured 9.1e-8 (rnn_mnist), 1.3e-7 (seq2seq)
TF1_ONLY = pytest.mark.skipif(IS_TF2, reason=(
    "other lane: golbin used tf.nn.rnn_cell / tf.layers, which TF 2.21's tf.compat.v1 lacks with Keras 3 "
    "(`BasicRNNCell` is not available with Keras 3); the library's scripts run on both lanes"))


def rel_diff(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-30))


def library(script, tmp_path, *args):
    """Run scripts/<script> with --output and --logdir under tmp_path; (results JSON, per-step costs)."""
    out, logdir = tmp_path / (script + ".json"), tmp_path / (script + "-run")
    proc = subprocess.run([sys.executable, os.path.join(REPO, "scripts", script), "--output=" + str(out),
                           "--logdir=" + str(logdir)] + list(args), cwd=REPO, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return read_json(out), event_costs(str(logdir))


def event_costs(logdir, tag="cost"):
    """The per-step ``cost`` scalars of a run folder's TensorBoard events, in step order."""
    costs = {}
    for name in sorted(os.listdir(logdir)):
        if name.startswith("events.out.tfevents"):
            for event in tf.train.summary_iterator(os.path.join(logdir, name)):
                for value in event.summary.value:
                    if value.tag == tag:
                        costs[event.step] = value.simple_value
    return [costs[s] for s in sorted(costs)]


def check(name, diffs, tolerance):
    print("%s: relative differences %s" % (name, ", ".join("%s %.1e" % kv for kv in sorted(diffs.items()))))
    assert max(diffs.values()) <= tolerance, (name, diffs)


def learned(costs, tolerance):
    """The compared steps trained: the cost moved by more than 100x the tolerance (equal costs are not equal
    by standing still)."""
    costs = np.asarray(costs, np.float64)
    assert abs(costs[-1] - costs[0]) > 100 * tolerance * abs(costs[0]), costs


@pytest.mark.long
def test_word2vec_port_matches_library(tmp_path):
    from legacy.originals import golbin_word2vec
    steps = 30
    record = golbin_word2vec.train(port.args(steps=steps))
    lib, costs = library("word2vec.py", tmp_path, "--steps=%d" % steps)
    m = record["metrics"]
    assert m["words"] == lib["words"]  # the vocabulary, in the same order
    diffs = {"step_costs": rel_diff(m["step_costs"], costs),
             "embeddings": rel_diff(m["embeddings"], lib["embeddings"])}
    check("word2vec", diffs, EXACT)
    learned(m["step_costs"], EXACT)


@pytest.mark.long
def test_autoencoder_port_matches_library(tmp_path, mnist_dir):
    from legacy.originals import golbin_autoencoder
    epochs = 8  # of one batch of 100 each
    record = golbin_autoencoder.train(port.args(data_dir=mnist_dir, epochs=epochs, train_limit=100))
    lib, costs = library("autoencoder.py", tmp_path, "--epochs=%d" % epochs, "--train_limit=100",
                         "--data_dir=" + mnist_dir)
    assert len(costs) == epochs
    check("autoencoder", {"step_costs": rel_diff(record["metrics"]["step_costs"], costs)}, EXACT)
    learned(costs, EXACT)  # RMSProp from N(0, 1) weights: 8 steps move the cost by 4e-5 relative


def _gan(tmp_path, mnist_dir, module, *flags):
    epochs = 8  # of one batch of 100 each
    record = module.train(port.args(data_dir=mnist_dir, epochs=epochs, train_limit=100))
    lib, _ = library("gan.py", tmp_path, "--epochs=%d" % epochs, "--train_limit=100", "--data_dir=" + mnist_dir,
                     *flags)
    port_d, port_g = np.asarray(record["metrics"]["step_costs"]).T
    lib_d = [e["d_loss"] for e in lib["epoch_phase_costs"]]
    lib_g = [e["g_loss"] for e in lib["epoch_phase_costs"]]
    check(module.__name__, {"d_loss": rel_diff(port_d, lib_d), "g_loss": rel_diff(port_g, lib_g)}, EXACT)
    learned(lib_d, EXACT)
    return record


@pytest.mark.long
def test_gan_port_matches_library(tmp_path, mnist_dir):
    from legacy.originals import golbin_gan
    _gan(tmp_path, mnist_dir, golbin_gan)


@TF1_ONLY
@pytest.mark.long
def test_conditional_gan_port_matches_library(tmp_path, mnist_dir):
    from legacy.originals import golbin_gan2
    _gan(tmp_path, mnist_dir, golbin_gan2, "--conditional")


def test_port_noise_is_the_library_noise():
    """port.StepNoise(step k) = what the library's graph draws at step k (both kinds), and its salt is the library's."""
    from legacy.chapters import unsupervised
    from legacy.models import layers
    assert port.GAN_NOISE_SALT == unsupervised.NOISE_SALT
    for kind in ("normal", "uniform"):
        source = port.StepNoise(port.args(seed=3), kind)
        ours = [source(5, 4) for _ in range(3)]
        with tf.Graph().as_default():
            tf.set_random_seed(3)
            z = unsupervised.noise(5, 4, kind)
            seed_t = layers.dropout_seed()
            with tf.Session() as sess:
                theirs = [sess.run(z, {seed_t: [k, 0]}) for k in range(3)]
        np.testing.assert_array_equal(np.array(ours), np.array(theirs))
        assert not np.array_equal(ours[0], ours[1])  # a new draw per step


@TF1_ONLY
@pytest.mark.long
def test_rnn_mnist_port_matches_library(tmp_path, mnist_dir):
    from legacy.originals import golbin_rnn_mnist
    epochs = 8  # of one batch of 128 each
    record = golbin_rnn_mnist.train(port.args(data_dir=mnist_dir, epochs=epochs, train_limit=128))
    lib, costs = library("rnn_mnist.py", tmp_path, "--epochs=%d" % epochs, "--train_limit=128",
                         "--data_dir=" + mnist_dir)
    check("rnn_mnist", {"step_costs": rel_diff(record["metrics"]["step_costs"], costs),
                        "test_accuracy": rel_diff(record["metrics"]["test_accuracy"], lib["test_accuracy"])},
          RNN_TOLERANCE)
    learned(costs, RNN_TOLERANCE)


@TF1_ONLY
@pytest.mark.long
def test_autocomplete_port_matches_library(tmp_path):
    from legacy.originals import golbin_autocomplete
    epochs = 30  # golbin's, full batch
    record = golbin_autocomplete.train(port.args(epochs=epochs, dropout=False))
    lib, costs = library("autocomplete.py", tmp_path, "--epochs=%d" % epochs, "--keep_prob=1.0")
    check("autocomplete", {"step_costs": rel_diff(record["metrics"]["step_costs"], costs)}, RNN_TOLERANCE)
    assert record["metrics"]["predicted"] == lib["predicted"]
    learned(costs, RNN_TOLERANCE)


@TF1_ONLY
@pytest.mark.long
def test_seq2seq_port_matches_library(tmp_path):
    from legacy.originals import golbin_seq2seq
    epochs = 100  # golbin's, full batch
    record = golbin_seq2seq.train(port.args(epochs=epochs, dropout=False))
    lib, costs = library("seq2seq.py", tmp_path, "--epochs=%d" % epochs, "--keep_prob=1.0")
    check("seq2seq", {"step_costs": rel_diff(record["metrics"]["step_costs"], costs)}, RNN_TOLERANCE)
    assert record["metrics"]["translations"] == lib["translations"]
    learned(costs, RNN_TOLERANCE)


@TF1_ONLY
@pytest.mark.long
def test_dqn_port_matches_library(tmp_path):
    """golbin's agent/model/game and scripts/dqn.py, seed 0: the same games, actions, replay samples and
    targets, so the same cost at each of the first 240 training steps (game steps 104-1060, across the
    target copy at game step 1000, which both make after that step's training), the same episodes."""
    from legacy.originals import dqn_agent
    steps = 240  # training steps: one every 4 game steps after 100
    record = dqn_agent.train(port.game_args(max_steps=100 + 4 * steps + 1, logdir=str(tmp_path / "port"),
                                            output=str(tmp_path / "port.json")))
    lib, costs = library("dqn.py", tmp_path, "--epochs=%d" % (steps // 20), "--steps=20", "--eval_episodes=0")
    m = record["metrics"]
    assert len(m["step_costs"]) == len(costs) == steps
    ended = [r for r, t in zip(m["episode_rewards"], m["episode_end_steps"]) if t <= lib["game_steps"]]
    check("dqn", {"step_costs": rel_diff(m["step_costs"], costs)}, EXACT)
    assert lib["episode_rewards"] == ended[:len(lib["episode_rewards"])] and len(ended) >= 50
    assert [c["game_step"] for c in lib["target_copies"]] == [0, 1000]
    learned(costs, EXACT)


# The hand-unrolled cells of legacy/chapters/rnn.py against TF1's cells, in one graph, from the same weights.

def _cells_graph(kind, batch=5, steps=4, n_in=3, units=6, layers_=1, keep=None):
    from legacy.chapters import rnn
    x = tf.placeholder(tf.float32, [None, steps, n_in])  # the unroll needs the steps; dynamic_rnn does not
    ours = [rnn.Cell(n_in if i == 0 else units, units, kind, name="ours%d" % i) for i in range(layers_)]
    tf_cells = [(tf.nn.rnn_cell.BasicRNNCell if kind == "rnn" else tf.nn.rnn_cell.BasicLSTMCell)(units)
                for _ in range(layers_)]
    if keep is not None:
        tf_cells[0] = tf.nn.rnn_cell.DropoutWrapper(tf_cells[0], output_keep_prob=keep, seed=1)
    cell = tf_cells[0] if layers_ == 1 else tf.nn.rnn_cell.MultiRNNCell(tf_cells)
    tf_out, tf_state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    return x, ours, tf_out, tf_state


@TF1_ONLY
@pytest.mark.parametrize("kind,layers_", [("rnn", 1), ("lstm", 1), ("lstm", 2), ("rnn", 2)])
def test_hand_unrolled_cells_equal_tf_cells(kind, layers_):
    """BasicRNNCell / BasicLSTMCell (forget bias 1, gates i, j, f, o) / MultiRNNCell under dynamic_rnn
    against rnn.Cell + rnn.unroll, with the TF cells' weights copied into ours: outputs and last states."""
    from legacy.chapters import rnn
    with tf.Graph().as_default():
        tf.set_random_seed(0)
        x, ours, tf_out, tf_state = _cells_graph(kind, layers_=layers_)
        seq = x
        for cell in ours:
            outputs, state = rnn.unroll(cell, seq)
            seq = tf.stack(outputs, axis=1)
        tf_vars = [v for v in tf.trainable_variables() if v.op.name.startswith("rnn/")]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for cell, (kernel, bias) in zip(ours, zip(tf_vars[::2], tf_vars[1::2])):
                sess.run([cell.kernel.assign(kernel), cell.bias.assign(bias + 0.1)])  # a bias that is not 0
                sess.run(bias.assign(bias + 0.1))
            feed = {x: np.random.RandomState(0).randn(5, 4, 3).astype(np.float32)}
            mine, theirs = sess.run([seq, tf_out], feed)
            last_theirs = tf_state[-1] if layers_ > 1 else tf_state
            mine_state, theirs_state = sess.run([state, last_theirs], feed)
    assert rel_diff(mine, theirs) < 1e-6
    np.testing.assert_allclose(np.asarray(mine_state), np.asarray(theirs_state), rtol=1e-5, atol=1e-6)
    assert np.abs(theirs).max() > 0.05  # not a trivially zero output


@TF1_ONLY
def test_dropout_wrapper_and_library_dropout_draw_alike():
    """DropoutWrapper(output_keep_prob=0.5) and the library's per-step layers.dropout: outputs 0 or x / 0.5,
    about half dropped, a new mask at every time step, the state not dropped (it is the cell's undropped h)."""
    from legacy.chapters import rnn
    from legacy.models import layers
    with tf.Graph().as_default():
        tf.set_random_seed(0)
        x, ours, tf_out, tf_state = _cells_graph("rnn", batch=200, steps=6, units=50, keep=0.5)
        layers.mode_inputs()
        outputs, state = rnn.unroll(ours[0], x, dropout=True)
        mine = tf.stack(outputs, axis=1)
        kernel, bias = [v for v in tf.trainable_variables() if v.op.name.startswith("rnn/")]
        mode = layers.mode_inputs()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run([ours[0].kernel.assign(kernel), ours[0].bias.assign(bias)])
            feed = {x: np.random.RandomState(0).randn(200, 6, 3).astype(np.float32), mode.keep_prob: 0.5}
            a, b, sa, sb = sess.run([mine, tf_out, state, tf_state], feed)
    for out, last in ((a, sa), (b, sb)):
        dropped = out == 0
        assert 0.45 < dropped.mean() < 0.55, dropped.mean()
        kept = ~dropped
        # kept outputs are the undropped h / 0.5: the state's last step, doubled
        np.testing.assert_allclose(out[:, -1][kept[:, -1]], 2 * last[kept[:, -1]], rtol=1e-5)
        assert (dropped[:, 0] != dropped[:, 1]).mean() > 0.3  # a new mask per step
        assert (last == 0).mean() < 0.05  # the state passed on is not dropped


@TF1_ONLY
@pytest.mark.long
def test_dqn_port_resumes_the_same_games_and_its_curve_is_golbins(tmp_path):
    """The long run's two promises: stopped and resumed (--resume, from its save at episode 100), the port
    plays the same episodes as one uninterrupted run; and dqn_baseline.points_from_episodes rebuilds from
    episodes.csv exactly the points golbin's own summary code (kept in the port) wrote to the events file."""
    from legacy.chapters import dqn_baseline
    from legacy.originals import dqn_agent
    steps = 1600  # episode 100's save comes at about game step 1,100 (random play: ~11 steps an episode)
    whole = dqn_agent.train(port.game_args(max_steps=steps, logdir=str(tmp_path / "whole")))
    dqn_agent.train(port.game_args(max_steps=1300, logdir=str(tmp_path / "cut")))
    resumed = dqn_agent.train(port.game_args(max_steps=steps, logdir=str(tmp_path / "cut"), resume=True))
    read = lambda run: open(str(tmp_path / run / "episodes.csv")).read().splitlines()  # noqa: E731
    assert read("cut") == read("whole") and len(read("whole")) > 120
    np.testing.assert_array_equal(resumed["weights"][0], whole["weights"][0])
    logs = str(tmp_path / "whole" / "logs")
    events = dqn_baseline.read_events(os.path.join(logs, os.listdir(logs)[0]))
    rebuilt = dqn_baseline.points_from_episodes(str(tmp_path / "whole" / "episodes.csv"))
    assert [s for s, _ in events] == [s for s, _ in rebuilt] and len(events) > 12
    # the events hold tf.reduce_mean in float32: within float32 rounding of the float64 mean
    np.testing.assert_allclose([v for _, v in events], [v for _, v in rebuilt], rtol=1e-6, atol=1e-6)


def test_dqn_baseline_windows_and_verdict():
    from legacy.chapters import dqn_baseline
    points = [(1000, 1.0), (2000, 3.0), (6000, 10.0), (7000, 12.0), (9000, 14.0)]
    rows = dqn_baseline.window_means(points, edges=(0, 5000, 10000, 20000))
    assert rows[0][:4] == (0, 5000, 2.0, 2) and rows[1][2:4] == (12.0, 3) and rows[2][2:4] == (None, 0)
    assert rows[1][4] == pytest.approx(2.0 / np.sqrt(3))
    assert dqn_baseline.verdict(50.0, 4.0, 9.0, 0.7) == "below"
    assert dqn_baseline.verdict(50.0, 4.0, 45.0, 1.0) == "within"  # 5 < 2 * hypot(4, 1) = 8.2
    assert dqn_baseline.verdict(50.0, 4.0, 60.0, 1.0) == "above"
    assert dqn_baseline.verdict(50.0, None, 60.0, 1.0) == "-"
