"""golbin 12: a DQN learns his car-dodging game (legacy/chapters/game.py), headless.

6 x 10 screen, the last 4 screens stacked; Q network conv 32@4x4 -> conv
64@2x2 -> dense 512 -> 3 actions (legacy/chapters/q_network.py), a target copy of it
updated every 1,000 game steps; replay memory of 10,000 transitions, batch
32, gamma 0.99, Adam 1e-6, a training step every 4 game steps after 100
observed ones, epsilon from 1 down by 1/1000 per game step once 100 episodes
were played (legacy/chapters/replay.py). Prints golbin's
``게임횟수: 1 점수: 3`` line after every episode.

How it relates to the shared loop: the game is the input. ``GameInput``
plays the game between training steps and, whenever the schedule says
"train", yields the feed of one minibatch from the replay memory, with its
targets computed by the target network. ``legacy.train.train`` runs the
optimizer on it like any other feed, so the loop's hooks (progress bar,
TensorBoard cost, checkpoints, signals, NaN check) and the results JSON are
those of every other script. An "epoch" is ``--steps`` training steps
(4 x that many game steps); episodes run across epoch boundaries.
golbin's 10,000 episodes are not a stop criterion here: ``--epochs`` is.
As golbin, a target copy due at a training step is made after that step's
training (legacy/originals/dqn_agent.py: ``brain.train()``, then
``update_target_network()``).

What a checkpoint cannot hold: the replay memory (10,000 stacked screens),
the game and the epsilon are not saved, so ``--resume`` is refused; a
checkpoint serves ``--init_from`` (e.g. ``--epochs=0 --init_from=RUN`` only
plays greedy evaluation episodes, golbin's ``replay()``).

After training it plays ``--eval_episodes`` greedy episodes (capped at
1,000 game steps each) and as many with random actions on the same game
seeds, and prints both mean rewards; then the same greedy games uncapped, as
golbin's episodes were, stopped only at ``--eval_bound`` game steps (a
safety bound, 200,000 by default: 18x his best); ``--record_frames=PATH.gif`` draws
the first 200 steps of the first greedy episode.

Example: python scripts/dqn.py --epochs=30 --learning_rate=0.0001 --record_frames=dqn.gif
"""
import os
import sys
import time

import numpy as np

from legacy import run_config
from legacy.chapters import pictures
from legacy.errors import Interrupted, UsageError
from legacy.graph import TrainGraph
from legacy.models.layers import mode_inputs
from legacy.hooks import Hook
from legacy.chapters.q_network import dqn
from legacy.optim import make_optimizer
from legacy.chapters import game as game_lib
from legacy.chapters.replay import FrameStack, ReplayMemory, Schedule, q_targets
from legacy.chapters.tracks import EpochLine, run_loop
from legacy.tf import tf
from legacy.chapters.chapter_config import ChapterConfig

EXPERIMENT = "dqn"
WIDTH, HEIGHT = 6, 10
BATCH_SIZE = 32
EVAL_MAX_STEPS = 1000
EVAL_SEED = 1000003  # evaluation games are other games than the training ones
GIF_FRAMES = 200  # --record_frames draws at most the first 200 game steps

run_config.define("integer", "epochs", 100, "Epochs of --steps training steps each.")
run_config._check("epochs", lambda v: v >= 0, "must be >= 0 (0 only evaluates, e.g. with --init_from)")
run_config.define_steps_flag(250, "Training steps per epoch (one every --train_every game steps).")
run_config._check("steps", lambda v: v > 0, "must be > 0")
run_config.define_optimizer_flags("adam", 1e-6)
run_config.define("integer", "replay_size", 10000, "Transitions the replay memory keeps.")
run_config._check("replay_size", lambda v: v >= BATCH_SIZE, "must be >= the batch of %d" % BATCH_SIZE)
run_config.define("float", "gamma", 0.99, "Discount of future rewards, in [0, 1].")
run_config._check("gamma", lambda v: 0 <= v <= 1, "must be in [0, 1]")
run_config.define("integer", "target_update", 1000, "Copy the weights to the target network every N game steps.")
run_config._check("target_update", lambda v: v > 0, "must be > 0")
run_config.define("integer", "train_every", 4, "A training step every N game steps.")
run_config._check("train_every", lambda v: v > 0, "must be > 0")
run_config.define("integer", "observe", 100,
                  "Game steps before training starts, and episodes before epsilon starts to fall (golbin's OBSERVE).")
# The first training step comes at game step observe + 1 or later, when the
# memory holds at least observe + 2 transitions; it samples a batch of them.
run_config._check("observe", lambda v: v >= BATCH_SIZE - 2,
                  "must be >= %d: the first training step samples a batch of %d transitions from the memory"
                  % (BATCH_SIZE - 2, BATCH_SIZE))
run_config.define("float", "epsilon_decay", 0.001, "Epsilon's fall per game step once --observe episodes were played.")
run_config._check("epsilon_decay", lambda v: 0 <= v <= 1, "must be in [0, 1]")
run_config.define("integer", "eval_episodes", 20, "Greedy (and random) evaluation episodes after training.")
run_config._check("eval_episodes", lambda v: v >= 0, "must be >= 0")
run_config.define("string", "record_frames", "", "Draw the first greedy evaluation episode into this .gif.")
run_config.define("integer", "eval_bound", 200000,
                  "Also play the greedy evaluation games uncapped, as golbin's episodes were, stopped only at this "
                  "safety bound of game steps (200,000: about 50,000 reward, 18x golbin's best 10-episode mean of "
                  "2,813); 0 skips it.")
run_config._check("eval_bound", lambda v: v >= 0, "must be >= 0 (0 skips the uncapped evaluation)")
run_config.define_run_flags(EXPERIMENT)


class GameInput(Hook):
    """The game as the loop's input: plays until the next training step is
    due, then yields that step's feed. A Hook too, for the session
    (``begin``) that acting and the targets need."""

    name = "game"

    def __init__(self, qnet, config, stream=None):
        self.qnet, self.config = qnet, config
        self.stream = stream or sys.stdout
        self.game = game_lib.Game(WIDTH, HEIGHT, seed=config.seed)
        self.frames = FrameStack()
        self.memory = ReplayMemory(config.replay_size, seed=config.seed)
        self.schedule = Schedule(config.observe, config.train_every, config.target_update, config.epsilon_decay)
        self.rng = np.random.RandomState(config.seed)
        self.time_step, self.episode, self.episode_reward, self.playing = 0, 0, 0.0, False
        self.finished = []  # (episode, reward, game step at its end)
        self.sess = None
        # The largest |main - target| over all weights, read just before and
        # after each copy (the results JSON's target_copies: 0 after every copy).
        self.gap = tf.reduce_max(tf.stack([tf.reduce_max(tf.abs(m - t))
                                           for m, t in zip(qnet.main_vars, qnet.target_vars)]), name="target_gap")
        self.copies = []  # (game step, gap before, gap after)
        self.copy_due = False

    @property
    def steps_per_epoch(self):
        return self.config.steps

    def begin(self, sess, net):
        self.sess = sess

    def rng_state(self):
        """Where the game is (for the record; the loop checkpoints it, but the
        game cannot be restored: --resume is refused)."""
        return {"time_step": self.time_step, "episode": self.episode}

    def set_rng_state(self, state):
        if state != self.rng_state():
            raise UsageError("the DQN cannot resume a game: its replay memory is not checkpointed")

    def act(self):
        if self.rng.rand() < self.schedule.epsilon:
            return int(self.rng.randint(game_lib.NUM_ACTION))
        q = self.sess.run(self.qnet.q, {self.qnet.x: self.frames.state[None]})
        return int(np.argmax(q[0]))

    def play_one_step(self):
        """One game step, golbin's loop body; True when a training step is due."""
        if not self.playing:
            self.frames.reset(self.game.reset())
            self.playing, self.episode_reward = True, 0.0
        action = self.act()
        self.schedule.step_epsilon(self.episode)
        screen, reward, terminal = self.game.step(action)
        self.episode_reward += reward
        state, next_state = self.frames.push(screen)
        self.memory.remember(state, next_state, action, reward, terminal)
        train_now = self.schedule.trains(self.time_step)
        # golbin trains, then copies: a copy due at a training step waits until
        # that step has run (epoch() makes it after its yield).
        self.copy_due = self.schedule.copies(self.time_step)
        if self.copy_due and not train_now:
            self.copy_target()
        self.time_step += 1
        if terminal:
            self.episode += 1
            self.finished.append((self.episode, self.episode_reward, self.time_step))
            self.stream.write("게임횟수: %d 점수: %d\n" % (self.episode, self.episode_reward))
            self.playing = False
        return train_now

    def copy_target(self):
        """The target network's copy of the main one, with the gap before and after."""
        before = self.sess.run(self.gap)
        self.sess.run(self.qnet.copy_op)
        self.copies.append((self.time_step, float(before), float(self.sess.run(self.gap))))
        self.copy_due = False

    def epoch(self, skip=0):
        for _ in range(skip, self.steps_per_epoch):
            while not self.play_one_step():
                pass
            batch = self.memory.sample(BATCH_SIZE)
            next_q = self.sess.run(self.qnet.target_q, {self.qnet.x: batch.next_state})
            y = q_targets(batch.reward, batch.terminal, next_q, self.config.gamma)
            yield {self.qnet.x: batch.state, self.qnet.action: batch.action, self.qnet.target: y}
            if self.copy_due:  # the loop ran this step's training: now the copy (golbin's order)
                self.time_step -= 1  # recorded at the game step it belongs to
                self.copy_target()
                self.time_step += 1


def play(sess, qnet, seed, episodes, policy, frames_out=None, max_steps=EVAL_MAX_STEPS):
    """The rewards of ``episodes`` games, each stopped after ``max_steps``
    game steps, and how many reached that bound; ``policy`` "greedy"
    (argmax Q) or "random"."""
    rng = np.random.RandomState(seed)
    rewards, capped, frames = [], 0, []
    for e in range(episodes):
        game = game_lib.Game(WIDTH, HEIGHT, seed=seed + e)
        stack = FrameStack()
        stack.reset(game.reset())
        total, terminal, steps = 0.0, False, 0
        while not terminal and steps < max_steps:
            if policy == "random":
                action = int(rng.randint(game_lib.NUM_ACTION))
            else:
                action = int(np.argmax(sess.run(qnet.q, {qnet.x: stack.state[None]})[0]))
            screen, reward, terminal = game.step(action)
            stack.push(screen)
            total += reward
            steps += 1
            if frames_out is not None and e == 0 and len(frames) < GIF_FRAMES:
                frames.append(game.render())
        capped += not terminal
        rewards.append(total)
    if frames_out is not None and frames:
        game_lib.save_gif(frames_out, frames)
    return rewards, capped


def main(_):
    config = run_config.build(kind=ChapterConfig)
    if config.resume:
        raise UsageError("--resume: the DQN cannot continue a run (its replay memory, game and epsilon are not "
                         "checkpointed); start a new run, or --init_from=RUN to start from its weights")
    if config.record_frames and not config.record_frames.endswith(".gif"):
        raise UsageError("--record_frames=%s: give a path ending in .gif" % config.record_frames)
    if config.record_frames:
        from legacy import fileio
        fileio.check_writable_path(config.record_frames, "--record_frames")
    parts = {}

    def build():
        qnet = parts["qnet"] = dqn(WIDTH, HEIGHT, game_lib.NUM_ACTION)
        mode_inputs()
        model_variables = qnet.main_vars + qnet.target_vars
        with tf.name_scope("optimizer"):
            global_step = tf.Variable(0, trainable=False, name="global_step", dtype=tf.int64)
            train_op = make_optimizer(config.optimizer, config.learning_rate).minimize(
                qnet.cost, var_list=qnet.main_vars, global_step=global_step)
        parts["input"] = GameInput(qnet, config)
        return TrainGraph(qnet.x, qnet.target, qnet.q, qnet.cost, None, None, train_op,
                          global_step, model_variables)

    class Inputs(object):
        """run_loop's ``inputs``: forwards to the GameInput that build() makes."""
        name = "game"
        steps_per_epoch = config.steps

        def __getattr__(self, attr):
            return getattr(parts["input"], attr)

    def line(record, loop):
        game = parts["input"]
        done = [r for e, r, t in game.finished if e > parts.get("episodes_before", 0)]
        parts["episodes_before"] = game.episode
        parts.setdefault("epoch_rewards", []).append(float(np.mean(done)) if done else None)
        return ("Epoch: %04d Avg. cost = %.3f, game step %d, %d episodes ended (mean reward %s), epsilon %.3f"
                % (record.epoch, record.avg_cost, game.time_step, len(done),
                   "%.2f" % np.mean(done) if done else "-", max(game.schedule.epsilon, 0.0)))

    def finish(sess, net, loop, run_dir):
        qnet, game = parts["qnet"], parts["input"]
        start = time.time()
        greedy, capped = play(sess, qnet, EVAL_SEED + config.seed, config.eval_episodes, "greedy",
                              frames_out=config.record_frames or None)
        random_rewards, _ = play(sess, qnet, EVAL_SEED + config.seed, config.eval_episodes, "random")
        mean = lambda v: float(np.mean(v)) if v else None  # noqa: E731
        print("greedy policy: mean reward %s over %d episodes (%d reached the %d-step cap); random policy: %s"
              % (_fmt(mean(greedy)), len(greedy), capped, EVAL_MAX_STEPS, _fmt(mean(random_rewards))))
        uncapped, bounded = [], 0
        if config.eval_bound:
            uncapped, bounded = play(sess, qnet, EVAL_SEED + config.seed, config.eval_episodes, "greedy",
                                     max_steps=config.eval_bound)
            print("greedy policy, uncapped (golbin's episodes; safety bound %d game steps): mean reward %s over %d "
                  "episodes (%d reached the bound)" % (config.eval_bound, _fmt(mean(uncapped)), len(uncapped),
                                                       bounded))
        curve = None
        if game.finished:
            rewards = [r for _, r, _ in game.finished]
            window = 100
            running = [float(np.mean(rewards[max(0, i - window + 1):i + 1])) for i in range(len(rewards))]
            curve = pictures.curves(os.path.join(run_dir, "rewards.png"),
                                    {"reward per episode, mean of the last %d" % window: running},
                                    "dqn: training episodes (seed %d)" % config.seed, xlabel="episode")
        return {"game_steps": game.time_step, "episodes": game.episode,
                "episode_rewards": [r for _, r, _ in game.finished],
                "target_copies": [{"game_step": t, "max_abs_diff_before": b, "max_abs_diff_after": a}
                                  for t, b, a in game.copies],
                "epoch_mean_reward": parts.get("epoch_rewards", []),
                "greedy_rewards": greedy, "greedy_capped": capped, "random_rewards": random_rewards,
                "greedy_mean_reward": mean(greedy), "random_mean_reward": mean(random_rewards),
                "greedy_uncapped_rewards": uncapped, "greedy_uncapped_bounded": bounded,
                "greedy_uncapped_mean_reward": mean(uncapped), "eval_bound": config.eval_bound,
                "eval_seconds": time.time() - start, "rewards_png": curve, "frames_gif": config.record_frames or None}

    try:
        run_loop(EXPERIMENT, config, Inputs(), build, config.epochs, lines=[EpochLine(line)],
                 hooks=lambda net: [parts["input"]], finish=finish, checkpoint_every_epochs=10)
    except Interrupted as err:
        err.checkpoint = None  # no "continue with --resume": a game cannot be resumed
        raise


def _fmt(value):
    return "-" if value is None else "%.2f" % value
