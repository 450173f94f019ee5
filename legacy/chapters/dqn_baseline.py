"""golbin's own DQN run as the baseline of ours (issue 30).

golbin committed the TensorBoard events file of his DQN training
(golbin/TensorFlow-Tutorials ``12 - DQN/logs/events.out.tfevents.1497009719.mpr``,
Adam 1e-6 as in his model.py, 491 points up to game step 1,708,830): his
agent.py writes ``avg.reward/ep.``, the mean reward of the episodes since
the previous point, after every 10th episode, at the game step then reached.

This module reads that curve (``tf.train.summary_iterator``), rebuilds the
same points from a run's ``episodes.csv`` (what legacy/originals/dqn_agent.py
appends after each episode: the same rule, so the same curve as its events
file, and one that survives a resume), averages both over windows of game
steps, draws them over each other, and evaluates a checkpoint of the port
greedily, capped at 1,000 game steps as ``scripts/dqn.py`` does and
uncapped (golbin's episodes) up to a safety bound.

python -m legacy.chapters.dqn_baseline --golbin_events=PATH --episodes=RUN/episodes.csv \
    --out=docs/records/tracks [--checkpoints=RUN/kept --eval_steps=20000,100000,200000]
"""
import csv
import json
import os

import numpy as np

TAG = "avg.reward/ep."
GOLBIN_FILE = "golbin/TensorFlow-Tutorials 12 - DQN/logs/events.out.tfevents.1497009719.mpr"
# Windows of game steps the curves are averaged over (the last one ends at golbin's last point).
EDGES = (0, 5000, 10000, 20000, 30000, 50000, 100000, 150000, 200000, 250000, 300000, 400000, 600000, 800000,
         1000000, 1200000, 1400000, 1600000, 1708830)
# golbin's port checkpoint names, in the order of the library's q_network main variables.
PORT_MAIN_VARS = ("main/conv2d/kernel", "main/conv2d/bias", "main/conv2d_1/kernel", "main/conv2d_1/bias",
                  "main/dense/kernel", "main/dense/bias", "main/dense_1/kernel", "main/dense_1/bias")


def read_events(path, tag=TAG):
    """[(game step, value)] of ``tag`` in a TensorBoard events file, in file order."""
    from legacy.tf import tf
    points = []
    for event in tf.train.summary_iterator(path):
        for value in event.summary.value:
            if value.tag == tag:
                points.append((int(event.step), float(value.simple_value)))
    return points


def points_from_episodes(path):
    """golbin's summary points from episodes.csv (episode from 1, game step at its end, reward): after
    episode e (counted from 0) with e % 10 == 0, the mean reward of the episodes since the last point."""
    points, pending = [], []
    with open(path) as handle:
        for row in csv.DictReader(handle):
            episode, step, reward = int(row["episode"]), int(row["game_step"]), float(row["reward"])
            pending.append(reward)
            if (episode - 1) % 10 == 0:
                points.append((step, float(np.mean(pending))))
                pending = []
    return points


def window_means(points, edges=EDGES):
    """[(start, end, mean of the points with start <= step < end, count, standard error)] (None when empty;
    the standard error is the points' std / sqrt(count), None for fewer than 2 points)."""
    rows = []
    for start, end in zip(edges[:-1], edges[1:]):
        inside = [v for s, v in points if start <= s < end or (end == edges[-1] and s == end)]
        se = float(np.std(inside, ddof=1) / np.sqrt(len(inside))) if len(inside) > 1 else None
        rows.append((start, end, float(np.mean(inside)) if inside else None, len(inside), se))
    return rows


def verdict(g, g_se, o, o_se):
    """The rule of docs/tracks.md: ours "below" / "above" his when the two window means differ by more
    than 2 combined standard errors of their 10-episode means, else "within"; "-" without 2 points each."""
    if None in (g, g_se, o, o_se):
        return "-"
    bound = 2 * np.hypot(g_se, o_se)
    return "below" if o < g - bound else "above" if o > g + bound else "within"


def table(golbin, ours, ours_name="ours"):
    """The markdown table of both curves' window means, their standard errors and the verdict."""
    lines = ["| game steps | golbin: mean of his 10-episode means ± s.e. (points) | %s (points) | ours vs his |"
             % ours_name, "|---|---|---|---|"]
    for (start, end, g, gn, gse), (_, _, o, on, ose) in zip(window_means(golbin), window_means(ours)):
        if gn == 0 and on == 0:
            continue
        lines.append("| %s-%s | %s | %s | %s |" % (_k(start), _k(end), _cell(g, gn, gse), _cell(o, on, ose),
                                                  verdict(g, gse, o, ose)))
    return "\n".join(lines)


def _k(n):
    return "%gM" % (n / 1e6) if n >= 1000000 else "%gk" % (n / 1e3)


def _cell(value, count, se=None):
    if value is None:
        return "-"
    return "%.1f%s (%d)" % (value, "" if se is None else " ± %.1f" % se, count)


def plot(path, golbin, ours, ours_name):
    from legacy.chapters import pictures
    plt = pictures._pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.plot([s for s, _ in golbin], [v for _, v in golbin], lw=0.8, color="0.5",
            label="golbin's run (his events file, Adam 1e-6)")
    ax.plot([s for s, _ in ours], [v for _, v in ours], lw=0.8, color="C3", label=ours_name)
    ax.set_xscale("symlog", linthresh=10000)
    ax.set_yscale("symlog", linthresh=10)
    ax.set_xlabel("game step")
    ax.set_ylabel("mean reward of 10 episodes (avg.reward/ep.)")
    ax.set_title("golbin 12 - DQN: his curve and ours, at the same game steps")
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def evaluate(checkpoint, episodes=20, bound=200000, seed=0):
    """Greedy play of the port checkpoint's main network on the library's evaluation games: capped at
    1,000 game steps (scripts/dqn.py's rule) and uncapped up to ``bound`` game steps (golbin's episodes)."""
    from legacy.chapters import dqn as dqn_script
    from legacy.chapters import game as game_lib
    from legacy.chapters.q_network import dqn
    from legacy.tf import tf
    reader = tf.train.load_checkpoint(checkpoint)
    with tf.Graph().as_default():
        qnet = dqn(dqn_script.WIDTH, dqn_script.HEIGHT, game_lib.NUM_ACTION)
        config = tf.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=1)
        with tf.Session(config=config) as sess:
            for var, name in zip(qnet.main_vars, PORT_MAIN_VARS):
                var.load(reader.get_tensor(name), sess)
            seed = dqn_script.EVAL_SEED + seed
            capped, n_capped = dqn_script.play(sess, qnet, seed, episodes, "greedy")
            uncapped, n_bounded = dqn_script.play(sess, qnet, seed, episodes, "greedy", max_steps=bound)
    return {"checkpoint": os.path.basename(checkpoint), "episodes": episodes,
            "capped_rewards": capped, "capped_mean": float(np.mean(capped)), "reached_cap_1000": n_capped,
            "uncapped_rewards": uncapped, "uncapped_mean": float(np.mean(uncapped)), "bound": bound,
            "reached_bound": n_bounded}


def checkpoint_at(folder, step):
    """The first checkpoint ``dqn.ckpt-N`` in ``folder`` with N >= step, or None."""
    steps = sorted(int(name[len("dqn.ckpt-"):-len(".index")]) for name in os.listdir(folder)
                   if name.startswith("dqn.ckpt-") and name.endswith(".index"))
    later = [s for s in steps if s >= step]
    return os.path.join(folder, "dqn.ckpt-%d" % later[0]) if later else None


def main(argv):
    from absl import flags
    from legacy import fileio
    f = flags.FLAGS
    out = f.out
    os.makedirs(out, exist_ok=True)
    golbin = read_events(f.golbin_events)
    ours = points_from_episodes(f.episodes)
    name = "ours: legacy/originals/dqn_agent.py, seed 0, %d game steps" % (ours[-1][0] if ours else 0)
    with fileio.atomic_open(os.path.join(out, "golbin_dqn_curve.csv"), "w") as handle:
        handle.write("game_step,avg_reward_per_episode\n")
        handle.writelines("%d,%.6g\n" % p for p in golbin)
    with fileio.atomic_open(os.path.join(out, "dqn_curves.md"), "w") as handle:
        handle.write("Source: %s (%d points, last at game step %d); ours: %s (%d points).\n\n%s\n"
                     % (GOLBIN_FILE, len(golbin), golbin[-1][0], f.episodes, len(ours), table(golbin, ours)))
    plot(os.path.join(out, "dqn_curves.png"), golbin, ours, name)
    if f.checkpoints:
        evaluations = []
        for step in f.eval_steps:
            path = checkpoint_at(f.checkpoints, int(step))
            if path:
                result = evaluate(path, bound=f.bound)
                result["asked_game_step"] = int(step)
                print(json.dumps({k: v for k, v in result.items() if not k.endswith("_rewards")}))
                evaluations.append(result)
        fileio.write_json(os.path.join(out, "dqn_evaluations.json"), evaluations)
    print(table(golbin, ours))


if __name__ == "__main__":
    from absl import app, flags
    flags.DEFINE_string("golbin_events", "", "golbin's events file (12 - DQN/logs/events.out.tfevents.*).")
    flags.DEFINE_string("episodes", "", "episodes.csv of a run of legacy/originals/dqn_agent.py.")
    flags.DEFINE_string("out", "docs/records/tracks", "Folder of the curve CSV, table, PNG and evaluations.")
    flags.DEFINE_string("checkpoints", "", "Folder of the run's checkpoints to evaluate (dqn.ckpt-N).")
    flags.DEFINE_list("eval_steps", ["20000", "100000", "200000"], "Evaluate the first checkpoint at or after "
                      "each of these game steps.")
    flags.DEFINE_integer("bound", 200000, "Safety bound of an uncapped evaluation episode, in game steps.")
    app.run(main)
