"""What every port adds to its original, in one place: flags, data, output.

The ports in this folder are the study's scripts as they were written; the
only lines they add call this module, and each such line is marked with a
``# port:`` comment. What is added, and why:

- ``--seed``: ``tf.set_random_seed`` and the order of the batches. With the
  explicit op seeds 1, 2, 3... that the ports give their ``tf.random_*``
  initialisers (the library's ``layers.op_seed`` numbers its weights the same
  way), a port and the library command start from the same weights for the
  same seed.
- ``--data_dir``: the project's verified MNIST (legacy/data/mnist.py), because
  ``input_data.read_data_sets`` downloads from a host that is gone.
  ``read_data_sets`` below hands out batches with ``next_batch`` exactly as
  the library's dataflow does: a fresh permutation from a RandomState(seed)
  every epoch, the incomplete last batch dropped.
- ``--epochs`` / ``--steps``: a limit, for quick looks and tests
  (default: the original's count). ``--train_limit``: the first N training
  images only.
- ``--output``: a JSON of what the run printed (per-step costs too), for the
  equivalence tests and the measurements; ``--plot``: where the 2x5 figure
  goes instead of ``plt.show()``.
- ``--nodropout``: feed keep_prob 1.0 in training. Only the equivalence tests
  use it: the masks of ``tf.nn.dropout`` and of the library's stateless
  dropout come from different random streams, so costs can agree exactly
  only without dropout (tests/test_originals.py shows separately that the
  two draw masks from the same distribution).

Flags are defined only when a port runs as a program (``run``), so that the
ports can be imported next to the library's scripts, whose flags share names.
"""
import collections
import os
import time

import numpy as np

from legacy import fileio, results
from legacy.data.mnist import ArraySplit, load_mnist

Args = collections.namedtuple("Args", ["data_dir", "seed", "epochs", "steps", "train_limit", "output", "plot",
                                       "dropout"])


def args(**overrides):
    """The port's settings: the defaults, then ``overrides`` (tests call ports in-process this way)."""
    values = dict(data_dir=os.path.join(results.REPO, "data", "mnist"), seed=0, epochs=None, steps=None,
                  train_limit=None, output="", plot="", dropout=True)
    values.update(overrides)
    return Args(**values)


def limit(given, original):
    """``--epochs`` / ``--steps`` if given, else the original's count."""
    return original if given is None else given


class Split(object):
    """``mnist.train`` / ``mnist.test`` of input_data, over the verified arrays."""

    def __init__(self, images, labels, seed):
        self.images, self.labels = images, labels
        self.num_examples = len(images)
        self._flow = ArraySplit(images, labels, shuffle=True, seed=seed)
        self._order, self._pos = None, 0

    def next_batch(self, batch_size):
        """The next ``batch_size`` rows of this epoch's permutation; a new
        permutation once fewer than ``batch_size`` rows are left (the library's
        ``BatchData(remainder=False)``)."""
        if self._order is None or self._pos + batch_size > self.num_examples:
            self._order, self._pos = self._flow.epoch_order(), 0
        index = self._order[self._pos:self._pos + batch_size]
        self._pos += batch_size
        return self.images[index], self.labels[index]


Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])


def read_data_sets(a, one_hot=True):
    """``input_data.read_data_sets(dir, one_hot=True)`` from the verified MNIST files."""
    if not one_hot:
        raise ValueError("the study read MNIST with one_hot=True only")
    data = load_mnist(a.data_dir, download=False, train_limit=a.train_limit)
    return Datasets(*(Split(s.images, s.labels, a.seed) for s in data))


class Recorder(object):
    """What a run printed, kept for ``--output``."""

    def __init__(self, name, a):
        self.name, self.a = name, a
        self.values = collections.OrderedDict(step_costs=[], epoch_avg_cost=[])
        self.final_weights = None
        self.start = time.time()
        if a.output:
            fileio.check_writable_path(a.output)
        if a.plot:
            fileio.check_writable_path(a.plot, "--plot")

    def step(self, cost):
        """One step's cost (a list of costs: the GANs' D and G losses)."""
        self.values["step_costs"].append(float(cost) if np.ndim(cost) == 0 else [float(c) for c in cost])

    def epoch(self, avg_cost):
        self.values["epoch_avg_cost"].append(float(avg_cost))

    def set(self, **values):
        for key, value in values.items():
            self.values[key] = value.tolist() if hasattr(value, "tolist") else value

    def weights(self, values):
        """The trained weights, in the original's order (returned by ``finish``, not written)."""
        self.final_weights = [np.asarray(v) for v in values]

    def finish(self):
        record = {"original": self.name, "port_args": dict(self.a._asdict()), "metrics": dict(self.values),
                  "environment": results.environment(),
                  "wall_seconds": round(time.time() - self.start, 1)}
        if self.a.output:
            fileio.write_json(self.a.output, record)
        record["weights"] = self.final_weights
        return record


def save_figure(fig, a):
    """``plt.show()`` of the original, as a file: ``--plot`` (nothing without it)."""
    if a.plot:
        fig.savefig(a.plot, dpi=80)


def pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _define_flags():
    from absl import flags
    flags.DEFINE_string("data_dir", "data/mnist", "Folder of the verified MNIST files (make data).")
    flags.DEFINE_integer("seed", 0, "Graph seed (tf.set_random_seed) and seed of the batch order.")
    flags.DEFINE_integer("epochs", None, "Stop after this many epochs (default: the original's).")
    flags.DEFINE_integer("steps", None, "Stop after this many steps, for the full-batch scripts (default: "
                         "the original's).")
    flags.DEFINE_integer("train_limit", None, "Use only the first N training images.")
    flags.DEFINE_string("output", "", "Write what the run printed, per-step costs too, to this JSON.")
    flags.DEFINE_string("plot", "", "Save the original's 2x5 figure of test digits to this PNG.")
    flags.DEFINE_bool("dropout", True, "--nodropout feeds keep_prob 1.0 in training (equivalence tests only).")
    for name in ("epochs", "steps", "train_limit"):
        flags.register_validator(name, lambda v: v is None or v >= 0, message="--%s must be >= 0" % name)
    return flags.FLAGS


def run(train):
    """``python -m legacy.originals.<name> [--flags]``: parse, then ``train(args)``."""
    from legacy import cli
    flag_values = _define_flags()

    def main(_):
        train(args(**{name: flag_values[name].value for name in Args._fields}))

    cli.run(main)


def dropout_keep(a, keep_prob):
    """The keep_prob a port feeds in training: the original's, or 1.0 with --nodropout."""
    return keep_prob if a.dropout else 1.0


def as_float32(values):
    return np.asarray(values, dtype=np.float32)


# ---------------------------------------------------------------------------
# golbin's chapters (04 word2vec, 08, 09, 10, 12): what their ports add.
#
# - ``--seed`` as above, and for the DQN (12) the three random streams golbin
#   drew from the global ``random`` / ``np.random``: the game's block columns,
#   the epsilon-greedy draws and the replay sample. Each comes from its own
#   seeded generator, the one the library draws from (legacy/chapters/game.py,
#   dqn.py, replay.py), so a port and ``scripts/dqn.py`` with the same seed
#   play the same games.
# - ``--max_steps`` (stop after N game steps; default: golbin's 10,000
#   episodes only), ``--logdir`` (where golbin's ``logs`` and ``model``
#   folders go), ``--threads`` (the session's thread pools), ``--resume``
#   (the DQN's long run continues from its last save, with the replay
#   memory, epsilon and every random stream: see GameState).
# ---------------------------------------------------------------------------

GameArgs = collections.namedtuple("GameArgs", ["train", "seed", "max_steps", "max_episodes", "logdir", "threads",
                                               "output", "resume"])


def game_args(**overrides):
    """The DQN port's settings: the defaults, then ``overrides``."""
    values = dict(train=True, seed=0, max_steps=None, max_episodes=None, logdir="runs/originals-dqn", threads=0, output="",
                  resume=False)
    values.update(overrides)
    return GameArgs(**values)


def glorot(graph=None):
    """``tf.layers``' default kernel initializer (Glorot-uniform) with the
    library's next op seed (legacy/models/layers.op_seed), so that a port
    built with ``tf.layers`` starts from the library's weights."""
    from legacy.models import layers
    from legacy.tf import tf
    return tf.glorot_uniform_initializer(seed=layers.op_seed(graph))


def session_config(a):
    """``tf.Session()``'s config: ``--threads`` intra- and inter-op threads (0: TensorFlow's default)."""
    from legacy.tf import tf
    return tf.ConfigProto(intra_op_parallelism_threads=a.threads, inter_op_parallelism_threads=a.threads)


def game_rng(a):
    """The game's block columns: the library's ``random.Random(seed)`` (legacy/chapters/game.py)."""
    import random
    return random.Random(a.seed)


def action_rng(a):
    """The epsilon-greedy draws: the library's ``RandomState(seed)`` (GameInput.rng)."""
    return np.random.RandomState(a.seed)


def memory_rng(a):
    """The replay sample: the library's ``RandomState(seed)`` (ReplayMemory.rng)."""
    return np.random.RandomState(a.seed)


def sample(rng, memory, batch_size):
    """``random.sample(memory, batch_size)`` drawn as the library's ReplayMemory.sample does."""
    return [memory[i] for i in rng.choice(len(memory), batch_size, replace=False)]


def in_run_dir(a, name):
    """golbin's ``logs`` / ``model/dqn.ckpt`` (relative to his working folder) under ``--logdir``."""
    path = os.path.join(a.logdir, name)
    os.makedirs(os.path.dirname(path) if "." in os.path.basename(path) else path, exist_ok=True)
    return path


class GameRecord(object):
    """What the DQN port printed and trained: per-step costs (``--output``),
    and ``episodes.csv`` in ``--logdir`` (episode, game step at its end,
    reward), appended after every episode so that a long run's curve can be
    read while it runs."""

    def __init__(self, a, name):
        self.a, self.name = a, name
        self.values = collections.OrderedDict(step_costs=[], episode_rewards=[], episode_end_steps=[])
        self.final_weights = None
        self.start = time.time()
        if a.output:
            fileio.check_writable_path(a.output)
        self.csv = in_run_dir(a, "episodes.csv")

    def step(self, cost):
        if self.a.output:  # a long run keeps only its episodes
            self.values["step_costs"].append(float(cost))

    def episode(self, episode, time_step, reward):
        self.values["episode_rewards"].append(float(reward))
        self.values["episode_end_steps"].append(int(time_step))
        new = not os.path.exists(self.csv)
        with open(self.csv, "a") as handle:
            if new:
                handle.write("episode,game_step,reward\n")
            handle.write("%d,%d,%.6g\n" % (episode, time_step, reward))

    def stopped(self, time_step, episode):
        """True once ``--max_steps`` game steps or ``--max_episodes`` episodes were played."""
        return ((self.a.max_steps is not None and time_step >= self.a.max_steps)
                or (self.a.max_episodes is not None and episode >= self.a.max_episodes))

    def weights(self, values):
        self.final_weights = [np.asarray(v) for v in values]

    def finish(self, **values):
        self.values.update(values)
        record = {"original": self.name, "port_args": dict(self.a._asdict()), "metrics": dict(self.values),
                  "environment": results.environment(), "wall_seconds": round(time.time() - self.start, 1)}
        if self.a.output:
            fileio.write_json(self.a.output, record)
        record["weights"] = self.final_weights
        return record


class GameState(object):
    """``--resume`` for the DQN port: beside golbin's ``saver.save`` (every
    100 episodes) it pickles what a TensorFlow checkpoint does not hold: the
    replay memory, epsilon, the counters, the three random streams, the game
    and the rewards not yet summarised. On resume it restores them and the
    newest checkpoint, and cuts episodes.csv back to the saved episode."""

    def __init__(self, a, record):
        self.a, self.record = a, record
        self.path = in_run_dir(a, "model/port_state.pkl")

    def save(self, sess, saver, step, **state):
        import pickle
        saved = saver.save(sess, in_run_dir(self.a, "model/dqn.ckpt"), global_step=step)
        state["checkpoint"] = os.path.basename(saved)
        with fileio.atomic_open(self.path, "wb") as handle:
            pickle.dump(state, handle, protocol=4)

    def restore(self, sess, saver):
        """The pickled state (after restoring the weights), or None without --resume or a save."""
        import pickle
        if not (self.a.resume and os.path.exists(self.path)):
            return None
        with open(self.path, "rb") as handle:
            state = pickle.load(handle)
        saver.restore(sess, os.path.join(os.path.dirname(self.path), state["checkpoint"]))
        lines = open(self.record.csv).read().splitlines()
        # episodes.csv counts from 1 (golbin's printed 게임횟수); state["episode"] is his loop's
        # 0-based episode, whose line was written before the save.
        kept = [line for line in lines[1:] if int(line.split(",")[0]) <= state["episode"] + 1]
        with fileio.atomic_open(self.record.csv, "w") as handle:
            handle.write("\n".join(lines[:1] + kept) + "\n")
        print("resumed at episode %d, game step %d (%s)" % (state["episode"], state["time_step"],
                                                           state["checkpoint"]))
        return state


def _define_game_flags():
    from absl import flags
    flags.DEFINE_boolean("train", False, "golbin's flag: train (else replay() plays the --logdir model greedily).")
    flags.DEFINE_integer("seed", 0, "Graph seed and seed of the game, action and replay random streams.")
    flags.DEFINE_integer("max_steps", None, "Stop after this many game steps (default: golbin's 10,000 episodes).")
    flags.DEFINE_integer("max_episodes", None, "Stop after this many episodes (default: golbin's 10,000).")
    flags.DEFINE_string("logdir", "runs/originals-dqn", "Folder of golbin's logs/ and model/ (and episodes.csv).")
    flags.DEFINE_integer("threads", 0, "intra- and inter-op threads of the session (0: TensorFlow's default).")
    flags.DEFINE_string("output", "", "Write per-step costs, episode rewards to this JSON.")
    flags.DEFINE_bool("resume", False, "Continue from the last save in --logdir (replay memory and RNGs too).")
    for name in ("max_steps", "max_episodes"):
        flags.register_validator(name, lambda v: v is None or v >= 0, message="--%s must be >= 0" % name)
    return flags.FLAGS


def run_game(main):
    """``python -m legacy.originals.dqn_agent --train [--flags]``: parse, then golbin's ``main(game_args)``."""
    from legacy import cli
    flag_values = _define_game_flags()
    cli.run(lambda _: main(game_args(**{name: flag_values[name].value for name in GameArgs._fields})))


# golbin's 04 / 08 / 09 / 10: seeds of the variables TensorFlow makes for him
# (rnn_cell, tf.layers), Word2Vec's vocabulary order and sampler, the GAN's noise.

class GlorotSeeds(object):
    """A variable scope's initializer (``set_initializer``) for the kernels
    that ``tf.nn.rnn_cell`` / ``tf.layers`` make without one: Glorot-uniform,
    TF1's default, with the given op seeds in creation order (the numbers the
    library's ``layers.op_seed`` gives the same kernels)."""

    def __init__(self, *seeds):
        self.seeds = list(seeds)

    def __call__(self, shape, dtype=None, partition_info=None):
        from legacy.tf import tf
        if not self.seeds:
            raise RuntimeError("more kernels than the op seeds given to port.GlorotSeeds")
        return tf.glorot_uniform_initializer(seed=self.seeds.pop(0))(shape, dtype or tf.float32)


def first_appearance(words):
    """``list(set(words))`` in the order of first appearance: a set's order
    changes with Python's string hashing in every process; the library's
    vocabulary (legacy/chapters/words.py) is in this order."""
    return list(collections.OrderedDict.fromkeys(words))


def nce_sampler(labels, num_sampled, voc_size, seed):
    """``tf.nn.nce_loss``'s default negatives (log-uniform, unique) with an
    explicit op seed, as the library draws them (legacy/chapters/skip_gram.py)."""
    from legacy.tf import tf
    return tf.nn.log_uniform_candidate_sampler(tf.cast(labels, tf.int64), num_true=1, num_sampled=num_sampled,
                                               unique=True, range_max=voc_size, seed=seed)


GAN_NOISE_SALT = 7  # legacy/chapters/unsupervised.py's NOISE_SALT (tests/test_originals.py checks)


class StepNoise(object):
    """golbin's ``get_noise()`` values as the library draws them: the
    library draws a training step's noise in the graph, stateless, keyed by
    ``[step, salt]`` (legacy/chapters/unsupervised.py); here the same op runs
    in a graph of its own, and each call is the next training step's noise.
    ``kind`` "normal" (09/01) or "uniform" (U(-1, 1), 09/02)."""

    def __init__(self, a, kind):
        from legacy.tf import tf
        self.step = 0
        self.graph = tf.Graph()
        with self.graph.as_default():
            self.shape = tf.placeholder(tf.int32, [2])
            self.step_t = tf.placeholder(tf.int64, [])
            key = tf.stack([self.step_t, tf.constant(GAN_NOISE_SALT + a.seed % 2 ** 20 * 16, tf.int64)])
            if kind == "normal":
                self.value = tf.random.stateless_normal(self.shape, seed=key)
            else:
                self.value = tf.random.stateless_uniform(self.shape, seed=key, minval=-1.0, maxval=1.0)
            self.sess = tf.Session()

    def __call__(self, batch_size, n_noise):
        value = self.sess.run(self.value, {self.shape: [batch_size, n_noise], self.step_t: self.step})
        self.step += 1
        return value


def sample_noise(a, kind, size, n_noise):
    """The noise of golbin's sample pictures (not a training step's): a
    RandomState of its own, so that drawing pictures leaves the steps' noise alone."""
    rng = np.random.RandomState(a.seed + 12345)
    return rng.normal(size=(size, n_noise)) if kind == "normal" else rng.uniform(-1., 1., size=[size, n_noise])


def figure_path(a, name):
    """golbin's ``plt.savefig('samples/000.png')``: under the folder ``--plot``, or None (no file) without it."""
    if not a.plot:
        return None
    path = os.path.join(a.plot, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


def hangul_font():
    """golbin's ``/Library/Fonts/NanumGothic.otf``: the OFL Hangul subset shipped in data/fonts/."""
    return os.path.join(results.REPO, "data", "fonts", "HangulSubset.ttf")
