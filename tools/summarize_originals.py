"""Statistics of the runs of tools/measure_originals.py, for docs/originals.md.

Reads docs/originals/runs/{seeds,keep,numerics}/*.json (and, for the keep 0.8
baseline, the reproduction's 15-epoch swu Adam runs in docs/reproduction/),
prints markdown tables and writes docs/originals/summary.json.

The two-sample tests are Welch's t-test (unequal variances) and, because port
and library runs of the same seed start from the same weights and batches,
also the paired t-test on the per-seed differences. The p-values come from
Student's t distribution through the regularized incomplete beta function
(numpy only; scipy is not in the lanes' requirements).
"""
import glob
import json
import math
import os
import re
import sys

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNS = os.path.join(REPO, "docs", "originals", "runs")
ORIGINAL_ADAM = [0.472, 0.143, 0.101, 0.078, 0.066, 0.054, 0.045, 0.041, 0.036, 0.034, 0.030, 0.027, 0.026, 0.025,
                 0.022]
ORIGINAL_ACCURACY = 0.9866


def _betacf(a, b, x, iterations=300, eps=1e-15):
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, iterations + 1):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < eps:
            break
    return h


def betainc(a, b, x):
    """Regularized incomplete beta I_x(a, b)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(1 - x))
    if x < (a + 1) / (a + b + 2):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1 - x) / b


def t_two_sided_p(t, df):
    return betainc(df / 2.0, 0.5, df / (df + t * t))


def welch(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    t = (a.mean() - b.mean()) / math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    return {"t": t, "df": df, "p": t_two_sided_p(t, df)}


def paired(a, b):
    d = np.asarray(a, np.float64) - np.asarray(b, np.float64)
    t = d.mean() / (d.std(ddof=1) / math.sqrt(len(d)))
    return {"t": t, "df": len(d) - 1, "p": t_two_sided_p(t, len(d) - 1), "mean_diff": float(d.mean())}


def _load(pattern):
    out = {}
    for path in sorted(glob.glob(os.path.join(RUNS, pattern))):
        seed = int(re.search(r"seed(\d+)\.json$", path).group(1))
        with open(path) as handle:
            record = json.load(handle)
        metrics = record.get("metrics", record)  # a port's record, or a library results JSON
        if record.get("status", "ok") != "ok" or not metrics.get("epoch_avg_cost"):
            continue
        out[seed] = {"epoch_avg_cost": metrics["epoch_avg_cost"], "test_accuracy": metrics.get("test_accuracy"),
                     "test_accuracy_without_dropout": metrics.get("test_accuracy_without_dropout"),
                     "tensorflow": record.get("environment", {}).get("tensorflow")}
    return out


def _ms(values):
    values = np.asarray(values, np.float64)
    return float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else 0.0


def seeds_section(summary):
    port, lib = _load("seeds/port_cnn_adam-seed*.json"), _load("seeds/lib_cnn_swu_adam-seed*.json")
    if not port or not lib:
        return ["(seed runs not finished)"]
    common = sorted(set(port) & set(lib))
    lines = ["| quantity | port (mean ± std, n) | library (mean ± std, n) | original | Welch t, df, p | "
             "paired (same seed) mean diff, p |", "|---|---|---|---|---|---|"]
    section = {"port_seeds": sorted(port), "library_seeds": sorted(lib), "rows": {}}
    for label, key, index in (("epoch 1 Avg. cost", "epoch_avg_cost", 0), ("epoch 2 Avg. cost", "epoch_avg_cost", 1),
                              ("test accuracy (keep 0.8 at evaluation)", "test_accuracy", None)):
        get = (lambda r: r[key][index]) if index is not None else (lambda r: r[key])
        a = [get(port[s]) for s in sorted(port)]
        b = [get(lib[s]) for s in sorted(lib)]
        w = welch(a, b)
        p = paired([get(port[s]) for s in common], [get(lib[s]) for s in common]) if len(common) > 1 else None
        original = ORIGINAL_ADAM[index] if index is not None else ORIGINAL_ACCURACY
        (ma, sa), (mb, sb) = _ms(a), _ms(b)
        lines.append("| %s | %.4f ± %.4f (%d) | %.4f ± %.4f (%d) | %.4f | %.2f, %.1f, %.2f | %s |"
                     % (label, ma, sa, len(a), mb, sb, len(b), original, w["t"], w["df"], w["p"],
                        "%+.4f, %.2f" % (p["mean_diff"], p["p"]) if p else ""))
        section["rows"][label] = {"port": a, "library": b, "welch": w, "paired": p, "original": original}
    summary["seeds"] = section
    return lines


def keep_section(summary):
    groups = {}
    for keep in ("0.7", "0.75"):
        runs = _load("keep/lib_cnn_swu_adam_keep%s-seed*.json" % keep)
        if runs:
            groups[keep] = runs
    base = {}
    for path in sorted(glob.glob(os.path.join(REPO, "docs", "reproduction", "runs-tf2", "cnn_swu_adam-seed*.json"))):
        with open(path) as handle:
            record = json.load(handle)
        base[int(re.search(r"seed(\d+)", path).group(1))] = record
    if base:
        groups["0.8 (reproduction, TF 2)"] = base
    lines = ["| keep_prob (train and eval) | seeds | epochs done | epoch 1 | epoch 2 | epoch 5 | epoch 10 | epoch 15 | "
             "mean rel. diff. to the original, epochs 1-15 | epochs within 2σ of ours | test accuracy |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    lines.append("| original (cell 17) | | 15 | 0.472 | 0.143 | 0.066 | 0.034 | 0.022 | | | 0.9866 |")
    section = {}
    for keep, runs in groups.items():
        full = [r for r in runs.values() if len(r["epoch_avg_cost"]) == 15]
        if not full:
            lines.append("| %s | %d | <15 | | | | | | | | |" % (keep, len(runs)))
            continue
        costs = np.array([r["epoch_avg_cost"] for r in full], np.float64)
        mean, std = costs.mean(0), costs.std(0, ddof=1) if len(full) > 1 else np.zeros(15)
        rel = (mean - ORIGINAL_ADAM) / np.array(ORIGINAL_ADAM)
        within = int(np.sum(np.abs(mean - ORIGINAL_ADAM) <= np.maximum(2 * std, 0.0005)))
        acc = _ms([r["test_accuracy"] for r in full])
        cell = lambda e: "%.3f ± %.3f" % (mean[e], std[e])
        lines.append("| %s | %d | 15 | %s | %s | %s | %s | %s | %+.1f %% (epochs 1-5: %+.1f %%) | %d of 15 | %.4f ± %.4f |"
                     % (keep, len(full), cell(0), cell(1), cell(4), cell(9), cell(14), 100 * rel.mean(),
                        100 * rel[:5].mean(), within, acc[0], acc[1]))
        section[keep] = {"seeds": len(full), "mean": mean.tolist(), "std": std.tolist(),
                         "rel_diff_to_original": rel.tolist(), "epochs_within_2sd": within,
                         "test_accuracy": [r["test_accuracy"] for r in full]}
    summary["keep"] = section
    return lines


def numerics_section(summary):
    lines = ["| variant | seeds | epoch 1 | epoch 2 |", "|---|---|---|---|"]
    section = {}
    for name in ("lib_feed", "lib_one_thread"):
        runs = _load("numerics/%s-seed*.json" % name)
        if not runs:
            continue
        c = np.array([r["epoch_avg_cost"] for r in runs.values()], np.float64)
        lines.append("| %s | %s | %s | %s |" % (name, sorted(runs), ", ".join("%.4f" % v for v in c[:, 0]),
                                             ", ".join("%.4f" % v for v in c[:, 1])))
        section[name] = {str(s): r["epoch_avg_cost"] for s, r in runs.items()}
    summary["numerics"] = section
    return lines


def dead_filters_section(summary):
    """Hypothesis 2, a rare bad start: first-layer filters that never fire.

    Without biases and with inputs >= 0, a 3x3 filter whose 9 weights are all
    <= 0 outputs <= 0 everywhere: ReLU kills it and its gradient, so it stays
    dead. At N(0, 0.01) init each filter is dead with probability 2^-9, so a
    run starts with at least one dead filter with probability
    1 - (1 - 2^-9)^32 = 6.1 %. Counted here at init (the library's draw for
    each seed) and after training (the library runs' last checkpoints, over
    the first 2,000 test images)."""
    sys.path.insert(0, REPO)
    from legacy.data.mnist import load_mnist
    from legacy.tf import tf
    images = load_mnist(os.path.join(REPO, "data", "mnist"), download=False).test.images[:2000].reshape(-1, 28, 28)
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)))
    patches = np.stack([padded[:, i:i + 28, j:j + 28] for i in range(3) for j in range(3)], axis=-1)

    def dead(w):  # w: [3, 3, 1, 32]
        out = patches.reshape(-1, 9) @ w.reshape(9, -1)
        return int(np.sum(out.max(axis=0) <= 0))

    rows, section = [], {}
    for seed in range(8):
        with tf.Graph().as_default():
            tf.set_random_seed(seed)
            w0 = tf.random_normal([3, 3, 1, 32], stddev=0.01, seed=1)
            with tf.Session() as sess:
                init = sess.run(w0)
        trained = None
        ckpts = sorted(glob.glob("/tmp/originals-runs/seeds/lib_cnn_swu_adam-seed%d/model.ckpt-*.index" % seed))
        if ckpts:
            last = max(ckpts, key=lambda p: int(re.search(r"ckpt-(\d+)", p).group(1)))[:-len(".index")]
            trained = dead(tf.train.load_checkpoint(last).get_tensor("layer1/W"))
        section[seed] = {"dead_at_init": dead(init), "all_weights_nonpositive_at_init": int(np.sum(np.all(
            init.reshape(9, -1) <= 0, axis=0))), "dead_after_2_epochs": trained}
        rows.append("| %d | %d | %s |" % (seed, section[seed]["dead_at_init"], "" if trained is None else trained))
    summary["dead_filters"] = section
    return ["| seed | dead first-layer filters at init | after 2 epochs (library run) |", "|---|---|---|"] + rows


def main():
    summary = {}
    out = ["## Seed distributions (swu CNN, Adam, keep 0.8, full data, 2 epochs)", ""] + seeds_section(summary)
    out += ["", "## Keep probability (hypothesis 1), 15 epochs", ""] + keep_section(summary)
    out += ["", "## Dead first-layer filters (hypothesis 2)", ""] + dead_filters_section(summary)
    out += ["", "## Numerics (hypothesis 3), 2 epochs", ""] + numerics_section(summary)
    print("\n".join(out))
    with open(os.path.join(REPO, "docs", "originals", "summary.json"), "w") as handle:
        json.dump(summary, handle, indent=1)
        handle.write("\n")


if __name__ == "__main__":
    sys.exit(main())
