"""golbin 12's DQN (issue 16): the game's rules, the replay memory, the
targets and schedule, the Q networks and the target update, a tiny run
through the loop, and one-line errors."""
import numpy as np
import pytest

from legacy.chapters.q_network import dqn
from legacy.chapters.game import Game
from legacy.chapters.replay import FrameStack, ReplayMemory, Schedule, q_targets
from legacy.tf import tf
from scripts_util import read_json, run_script, first_in_make_test


def test_game_follows_golbins_rules():
    game = Game(6, 10, seed=3)
    screen = game.reset()
    assert screen.shape == (6, 10) and game.road_left == 2 and game.road_right == 4
    assert game.car == {"col": 3, "row": 2} and screen[3, 2] == 1
    # reset() already ran _update_block once: both blocks were at row 0, so they restart at the top.
    assert [b["row"] for b in game.block] == [10, 10]
    _, reward, over = game.step(1)  # stay: 1/height, blocks fall by their speeds
    assert reward == pytest.approx(0.1) and not over and [b["row"] for b in game.block] == [9, 8]
    game.step(0)
    game.step(0)
    assert game.car["col"] == 2  # the road's left edge stops the car
    # Put a block where the car will be: game over, reward -2.
    game.block[0].update(col=2, row=3)
    _, reward, over = game.step(1)
    assert over and reward == -2
    with pytest.raises(ValueError):
        game.step(3)


def test_game_is_seeded():
    runs = []
    for _ in range(2):
        game, states = Game(seed=5), []
        game.reset()
        for action in [0, 1, 2] * 20:
            state, _, over = game.step(action)
            states.append(state)
            if over:
                game.reset()
        runs.append(np.array(states))
    np.testing.assert_array_equal(runs[0], runs[1])
    assert Game(seed=5).render().shape == (200, 120, 3)


def test_frame_stack_and_replay_memory():
    stack = FrameStack(4)
    first = np.zeros((6, 10), np.float32)
    assert stack.reset(first).shape == (6, 10, 4)
    new = np.ones((6, 10), np.float32)
    old, state = stack.push(new)
    assert old[:, :, 3].sum() == 0 and state[:, :, 3].sum() == 60 and state[:, :, 0].sum() == 0
    memory = ReplayMemory(capacity=5, seed=0)
    for k in range(8):
        memory.remember(np.full((2,), k), np.full((2,), k + 1), k % 3, float(k), k == 7)
    assert len(memory) == 5  # the oldest three were dropped
    batch = memory.sample(5)
    assert sorted(batch.reward.tolist()) == [3.0, 4.0, 5.0, 6.0, 7.0]  # distinct, all kept ones
    assert batch.state.shape == (5, 2) and batch.terminal.dtype == bool
    with pytest.raises(ValueError):
        memory.sample(6)


def test_replay_sampling_repeats_with_its_seed():
    def sampled(seed):
        memory = ReplayMemory(capacity=100, seed=seed)
        for k in range(50):
            memory.remember(k, k + 1, 0, float(k), False)
        return memory.sample(10).reward.tolist()
    assert sampled(1) == sampled(1) and sampled(1) != sampled(2)


def test_targets_and_schedule():
    y = q_targets([1.0, -2.0], [False, True], [[0.5, 2.0, 1.0], [9.0, 9.0, 9.0]], gamma=0.99)
    np.testing.assert_allclose(y, [1.0 + 0.99 * 2.0, -2.0])
    schedule = Schedule(observe=100, train_every=4, target_update=1000, decay=0.001)
    assert not schedule.trains(100) and schedule.trains(104) and not schedule.trains(105)
    assert schedule.copies(0) and schedule.copies(2000) and not schedule.copies(999)
    schedule.step_epsilon(100)
    assert schedule.epsilon == 1.0  # golbin: only after more than OBSERVE episodes
    schedule.step_epsilon(101)
    assert schedule.epsilon == pytest.approx(0.999)


def test_q_networks_shapes_target_update_and_a_step_lowers_the_cost():
    tf.reset_default_graph()
    tf.set_random_seed(0)
    graph = dqn(6, 10, 3)
    assert graph.q.shape.as_list() == [None, 3] and graph.target_q.shape.as_list() == [None, 3]
    assert len(graph.main_vars) == len(graph.target_vars) == 8 and not set(graph.main_vars) & set(graph.target_vars)
    train = tf.train.AdamOptimizer(1e-3).minimize(graph.cost, var_list=graph.main_vars)
    rng = np.random.RandomState(0)
    states = (rng.rand(32, 6, 10, 4) > 0.9).astype(np.float32)
    feed = {graph.x: states, graph.action: rng.randint(3, size=32), graph.target: rng.rand(32).astype(np.float32)}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert not np.allclose(*sess.run([graph.q, graph.target_q], feed))  # two different initialisations
        sess.run(graph.copy_op)
        q, target_q = sess.run([graph.q, graph.target_q], feed)
        np.testing.assert_array_equal(q, target_q)
        before = sess.run(graph.cost, feed)
        for _ in range(5):
            sess.run(train, feed)
        assert sess.run(graph.cost, feed) < before
        q, target_q_after = sess.run([graph.q, graph.target_q], feed)
        np.testing.assert_array_equal(target_q, target_q_after)  # the target moves only when copied
        assert not np.allclose(q, target_q_after)


@pytest.mark.long
def test_tiny_dqn_run_through_the_loop(tmp_path):
    """Three epochs of 30 training steps on the game: golbin's lines, the
    target copies, the results JSON, the GIF; the same seed repeats them."""
    records = []
    for k in range(2):
        out = tmp_path / ("d%d.json" % k)
        proc = run_script("dqn.py", "--epochs=3", "--steps=30", "--learning_rate=1e-4", "--target_update=50",
                          "--eval_episodes=2", "--output=" + str(out), "--logdir=" + str(tmp_path / ("r%d" % k)),
                          "--record_frames=" + str(tmp_path / "play.gif"))
        assert "게임횟수: 1 점수: " in proc.stdout and "Epoch: 0003 Avg. cost = " in proc.stdout
        records.append(read_json(out))
    record = records[0]
    # 100 observed game steps, then a training step every 4: 3 x 30 steps end at game step 100 + 4 * 90.
    assert record["global_step"] == 90 and record["game_steps"] == 461
    assert len(record["greedy_rewards"]) == 2 and len(record["random_rewards"]) == 2
    assert (tmp_path / "play.gif").stat().st_size > 500
    assert records[0]["episode_rewards"] == records[1]["episode_rewards"]
    assert records[0]["epoch_avg_cost"] == records[1]["epoch_avg_cost"]
    # The target network: copied every 50 game steps (0, 50, ..., 450 of the 461), the same weights as the
    # main network right after each copy. Before a copy they differ at step 0 (two initialisations) and once
    # the main network has trained since the last copy (training starts at game step 104); at steps 50 and
    # 100 no training step came between, so they are still equal.
    copies = record["target_copies"]
    assert [c["game_step"] for c in copies] == list(range(0, 461, 50))
    assert all(c["max_abs_diff_after"] == 0.0 for c in copies)
    before = {c["game_step"]: c["max_abs_diff_before"] for c in copies}
    assert before[0] > 1e-3 and before[50] == before[100] == 0.0
    assert all(before[t] > 0 for t in range(150, 461, 50))


@pytest.mark.parametrize("args, message", first_in_make_test([
    (["--resume"], "--resume: the DQN cannot continue a run"),
    (["--record_frames=play.png"], "--record_frames=play.png: give a path ending in .gif"),
    (["--gamma=1.5"], "--gamma must be in [0, 1]"),
    (["--replay_size=10"], "--replay_size must be >= the batch of 32"),
    # Found by tools/compare_runs.py: --observe=20 ended in a traceback (cannot sample 32 transitions from 25).
    (["--observe=20"], "--observe must be >= 30"),
], fast=1))
def test_bad_flags_get_one_line(tmp_path, args, message):
    proc = run_script("dqn.py", "--output=" + str(tmp_path / "x.json"), *args, check=False)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1 and message in lines[0], proc.stderr
