"""Statistics of the runs of tools/measure_originals.py, for docs/originals.md.

Reads docs/records/originals/runs/{seeds,keep,numerics}/*.json (and, for the keep 0.8
baseline, the reproduction's 15-epoch swu Adam runs in docs/records/reproduction/),
prints markdown tables and writes docs/records/originals/summary.json.

The two-sample tests are Welch's t-test (unequal variances) and, because port
and library runs of the same seed start from the same weights and batches,
also the paired t-test on the per-seed differences. The p-values come from
Student's t distribution through the regularized incomplete beta function
(numpy only; scipy is not in the lanes' requirements).
"""
import collections
import glob
import json
import math
import os
import re
import sys

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNS = os.path.join(REPO, "docs", "records", "originals", "runs")
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
    for path in sorted(glob.glob(os.path.join(REPO, "docs", "records", "reproduction", "runs-tf2", "cnn_swu_adam-seed*.json"))):
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
    # Each 15-epoch run on its own: how closely one run of that keep tracks the log (library seed 4 at keep 0.8,
    # hypothesis 2's run, too).
    lines += ["", "| run | keep | seed | mean rel. diff. to the original | largest abs. rel. diff. | epochs above the "
              "original | test accuracy |", "|---|---|---|---|---|---|---|"]
    per_run = []
    badstart = {}
    for path in sorted(glob.glob(os.path.join(RUNS, "badstart", "lib_cnn_swu_adam-seed*-15epochs.json"))):
        with open(path) as handle:
            record = json.load(handle)
        badstart[int(re.search(r"seed(\d+)", path).group(1))] = record
    runs = [(k, s, r) for k, group in groups.items() for s, r in sorted(group.items())]
    runs += [("0.8 (hypothesis 2's run)", s, r) for s, r in sorted(badstart.items())]
    for keep, seed, r in runs:
        costs = np.array(r["epoch_avg_cost"], np.float64)
        if len(costs) != 15:
            continue
        rel = (costs - ORIGINAL_ADAM) / np.array(ORIGINAL_ADAM)
        per_run.append({"keep": keep, "seed": seed, "mean_rel": float(rel.mean()),
                        "max_abs_rel": float(np.abs(rel).max()), "epochs_above": int(np.sum(costs > ORIGINAL_ADAM)),
                        "test_accuracy": r["test_accuracy"]})
        lines.append("| %s | %s | %d | %+.1f %% | %.0f %% | %d of 15 | %.4f |" % (
            "library", keep, seed, 100 * rel.mean(), 100 * np.abs(rel).max(), per_run[-1]["epochs_above"],
            r["test_accuracy"]))
    summary["keep_runs"] = per_run
    return lines


NUMERICS_VARIANTS = [("lib_%s_1thread_eps%s" % (i, e), i, e) for e in ("1e-08", "1e-07", "1e-04") for i in ("feed", "graph")]


def numerics_section(summary):
    """Hypothesis 3: the study's run (seed 0, keep 0.8, 2 epochs) on one thread, fed or graph input, Adam
    epsilon 1e-8 (TF1's), 1e-7 (Keras's) and 1e-4; each against the seed-0 run of section 2 (graph input, the
    threads TF chooses, epsilon 1e-8): same weights, batches and dropout masks, so any difference is numerics."""
    default = _load("seeds/lib_cnn_swu_adam-seed0.json").get(0)
    lines = ["| input | threads | Adam epsilon | epoch 1 | epoch 2 | epoch 1 - default run | epoch 2 - default run | "
             "test accuracy |", "|---|---|---|---|---|---|---|---|"]
    if default:
        c = default["epoch_avg_cost"]
        lines.append("| graph (section 2's seed-0 run) | TF's choice | 1e-08 | %.4f | %.4f | | | %.4f |"
                     % (c[0], c[1], default["test_accuracy"]))
    section = {"default_run": default and {"epoch_avg_cost": default["epoch_avg_cost"][:2],
                                           "test_accuracy": default["test_accuracy"]},
               "original": ORIGINAL_ADAM[:2], "runs": {}}
    for name, input_path, epsilon in NUMERICS_VARIANTS:
        run = _load("numerics/%s-seed*.json" % name).get(0)
        if not run:
            continue
        c = run["epoch_avg_cost"]
        d = [c[i] - default["epoch_avg_cost"][i] for i in range(2)] if default else [None, None]
        lines.append("| %s | 1 | %s | %.4f | %.4f | %s | %s | %.4f |" % (
            input_path, epsilon, c[0], c[1], "" if d[0] is None else "%+.4f" % d[0],
            "" if d[1] is None else "%+.4f" % d[1], run["test_accuracy"]))
        section["runs"][name] = {"input": input_path, "threads": 1, "adam_epsilon": float(epsilon),
                                 "epoch_avg_cost": c[:2], "minus_default_run": d,
                                 "test_accuracy": run["test_accuracy"], "tensorflow": run["tensorflow"]}
    summary["numerics"] = section
    return lines


def dead_filters_section(summary, previous):
    """Hypothesis 2, a rare bad start: first-layer filters that never fire.

    Without biases and with inputs >= 0, a 3x3 filter whose 9 weights are all
    <= 0 outputs <= 0 everywhere: ReLU kills it and its gradient, so it stays
    dead. At N(0, 0.01) init each filter is dead with probability 2^-9, so a
    run starts with at least one dead filter with probability
    1 - (1 - 2^-9)^32 = 6.1 %. Counted here at init (the library's draw for
    each seed) and after training (the library runs' last checkpoints, over
    the first 2,000 test images). The checkpoints live outside the repository
    (/tmp/originals-runs); a seed whose checkpoint is gone keeps the count
    ``previous`` (the last summary.json) has for it, marked so."""
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
    for seed in sorted(_load("seeds/lib_cnn_swu_adam-seed*.json")):
        with tf.Graph().as_default():
            tf.set_random_seed(seed)
            w0 = tf.random_normal([3, 3, 1, 32], stddev=0.01, seed=1)
            with tf.Session() as sess:
                init = sess.run(w0)
        trained, source = None, None
        ckpts = sorted(glob.glob("/tmp/originals-runs/seeds/lib_cnn_swu_adam-seed%d/model.ckpt-*.index" % seed))
        if ckpts:
            last = max(ckpts, key=lambda p: int(re.search(r"ckpt-(\d+)", p).group(1)))[:-len(".index")]
            trained, source = dead(tf.train.load_checkpoint(last).get_tensor("layer1/W")), "checkpoint"
        elif (previous.get(str(seed)) or {}).get("dead_after_2_epochs") is not None:
            old = previous[str(seed)]
            trained = old["dead_after_2_epochs"]
            source = old.get("counted_from") if old.get("counted_from") not in (None, "checkpoint") else \
                "a checkpoint of an earlier session (now gone)"
        section[seed] = {"dead_at_init": dead(init), "all_weights_nonpositive_at_init": int(np.sum(np.all(
            init.reshape(9, -1) <= 0, axis=0))), "dead_after_2_epochs": trained, "counted_from": source}
        rows.append("| %d | %d | %s |" % (seed, section[seed]["dead_at_init"], "" if trained is None else trained))
    summary["dead_filters"] = section
    return ["| seed | dead first-layer filters at init | after 2 epochs (library run) |", "|---|---|---|"] + rows


def figures_section(summary):
    """The originals' 2x5 figures (``--plot_predictions``) in docs/records/originals/figures: each PNG with the JSON of its
    run beside it (predicted labels, command, lane), and the true labels of the first ten test digits."""
    sys.path.insert(0, REPO)
    from legacy.data.mnist import load_mnist
    truth = [int(i) for i in np.argmax(load_mnist(os.path.join(REPO, "data", "mnist"), download=False)
                                       .test.labels[:10], 1)]
    rows, section = [], {"true_labels": truth, "figures": []}
    for path in sorted(glob.glob(os.path.join(REPO, "docs", "records", "originals", "figures", "*.json"))):
        with open(path) as handle:
            record = json.load(handle)
        png = path[:-len(".json")] + ".png"
        labels = record.get("predicted_labels")
        if not labels or not os.path.exists(png):
            continue
        flags = record.get("flags", {})
        section["figures"].append({
            "png": os.path.relpath(png, REPO), "command": record.get("command"), "predicted_labels": labels,
            "wrong": [i for i, (p, t) in enumerate(zip(labels, truth)) if p != t],
            "eval_keep_prob": flags.get("eval_keep_prob"), "seed": flags.get("seed"),
            "test_accuracy": record.get("test_accuracy"),
            "tensorflow": record.get("environment", {}).get("tensorflow")})
        rows.append("| %s | %s | %s |" % (os.path.basename(png), " ".join(map(str, labels)), flags.get("eval_keep_prob")))
    summary["figures"] = section
    return ["true labels: %s" % " ".join(map(str, truth)), "", "| figure | predicted | eval keep_prob |",
            "|---|---|---|"] + rows


def verdicts(summary):
    """One line per hypothesis of the Adam residual, from the numbers above, by stated rules:

    - more dropout (keep 0.7, 0.75): fits if the original lies within 2 sd of that keep's mean (over its
      seeds) in at least 12 of the 15 epochs;
    - a bad start: fits if the original's epoch-1 and epoch-2 costs lie within 2 sd of all 2-epoch seeds
      (port and library pooled) and at least one seed reaches the original's epoch-1 cost;
    - numerics: a variant explains the residual if its change of seed 0's cost (against the default run, same
      weights, batches and masks), added to the pooled mean, brings epoch 1 and epoch 2 each at least halfway
      from the pooled mean to the original; if no variant does, ruled out.
    """
    out = collections.OrderedDict()
    keep = summary.get("keep", {})
    for k in ("0.7", "0.75"):
        row = keep.get(k)
        if not row:
            continue
        rel = np.array(row["rel_diff_to_original"])
        fits = row["seeds"] > 1 and row["epochs_within_2sd"] >= 12
        out["keep " + k] = {
            "fits": bool(fits),
            "text": "keep %s in training and evaluation, %d seed(s): %s. Mean cost %+.1f %% vs the original over "
                    "the 15 epochs (epochs 1-5 %+.1f %%), the original within 2 sd in %d of 15 epochs; test "
                    "accuracy %s vs 0.9866." % (
                        k, row["seeds"], "fits" if fits else "does not fit", 100 * rel.mean(), 100 * rel[:5].mean(),
                        row["epochs_within_2sd"], ", ".join("%.4f" % a for a in row["test_accuracy"]))
                    + " Per seed, mean / largest relative difference: %s." % ", ".join(
                        "%d: %+.1f %% / %.0f %%" % (r["seed"], 100 * r["mean_rel"], 100 * r["max_abs_rel"])
                        for r in summary.get("keep_runs", []) if r["keep"] == k)}
    rows = summary.get("seeds", {}).get("rows", {})
    if rows:
        pooled = [np.array(rows[label]["port"] + rows[label]["library"]) for label in
                  ("epoch 1 Avg. cost", "epoch 2 Avg. cost")]
        z = [(ORIGINAL_ADAM[i] - p.mean()) / p.std(ddof=1) for i, p in enumerate(pooled)]
        reach = int(np.sum(pooled[0] >= ORIGINAL_ADAM[0]))
        dead = summary.get("dead_filters", {})
        lost = [s for s, d in sorted(dead.items()) if d.get("dead_after_2_epochs")]
        fits = max(z) <= 2 and reach >= 1
        out["bad start"] = {
            "fits": bool(fits),
            "text": "a start in the upper tail of the seed distribution: %s. Over %d 2-epoch seeds (port and "
                    "library) epoch 1/2 cost %.4f ± %.4f / %.4f ± %.4f; the original's 0.472 / 0.143 lies %+.2f / "
                    "%+.2f sd from the mean, and %d seed(s) reach 0.472 in epoch 1. Dead first-layer filters: %d at "
                    "init in %d library seeds; lost after 2 epochs (of 32): %s." % (
                        "fits" if fits else "does not fit", len(pooled[0]), pooled[0].mean(), pooled[0].std(ddof=1),
                        pooled[1].mean(), pooled[1].std(ddof=1), z[0], z[1], reach,
                        sum(d["dead_at_init"] for d in dead.values()), len(dead),
                        ", ".join("seed %s %d" % (s, dead[s]["dead_after_2_epochs"]) for s in lost) or "none")
                    + "".join(" Library seed %d taken to 15 epochs: mean / largest relative difference %+.1f %% / "
                              "%.0f %%, test accuracy %.4f." % (r["seed"], 100 * r["mean_rel"], 100 * r["max_abs_rel"],
                                                                r["test_accuracy"])
                              for r in summary.get("keep_runs", []) if r["keep"].startswith("0.8 (hypothesis 2"))}
    numerics = summary.get("numerics", {})
    if numerics.get("runs") and rows:
        means = [float(np.mean(rows[label]["port"] + rows[label]["library"]))
                 for label in ("epoch 1 Avg. cost", "epoch 2 Avg. cost")]
        gaps = [ORIGINAL_ADAM[e] - means[e] for e in range(2)]

        def halfway(d):
            return all(abs(gaps[e] - d[e]) <= abs(gaps[e]) / 2 for e in range(2))

        fitting = [name for name, r in numerics["runs"].items() if halfway(r["minus_default_run"])]
        changes = "; ".join("%s %+.4f / %+.4f" % (name, r["minus_default_run"][0], r["minus_default_run"][1])
                            for name, r in numerics["runs"].items())
        out["numerics"] = {
            "fits": bool(fitting),
            "text": "numerics (feed or graph input, one thread, Adam epsilon), seed 0: %s. The residual to explain "
                    "(original minus the pooled mean) is %+.4f / %+.4f in epochs 1 / 2; each variant's change of "
                    "seed 0's epoch 1 / 2 cost from the default run (graph input, TF's threads, epsilon 1e-8): %s."
                    % ("fits (%s)" % ", ".join(fitting) if fitting else "ruled out", gaps[0], gaps[1], changes)}
    summary["verdicts"] = out
    return ["- %s" % v["text"] for v in out.values()]


def main():
    path = os.path.join(REPO, "docs", "records", "originals", "summary.json")
    previous = {}
    if os.path.exists(path):
        with open(path) as handle:
            previous = json.load(handle).get("dead_filters", {})
    summary = {}
    out = ["## Seed distributions (swu CNN, Adam, keep 0.8, full data, 2 epochs)", ""] + seeds_section(summary)
    out += ["", "## Keep probability (hypothesis 1), 15 epochs", ""] + keep_section(summary)
    out += ["", "## Dead first-layer filters (hypothesis 2)", ""] + dead_filters_section(summary, previous)
    out += ["", "## Numerics (hypothesis 3), 2 epochs", ""] + numerics_section(summary)
    out += ["", "## The originals' 2x5 figures", ""] + figures_section(summary)
    out += ["", "## Verdicts", ""] + verdicts(summary)
    print("\n".join(out))
    with open(path, "w") as handle:
        json.dump(summary, handle, indent=1)
        handle.write("\n")


if __name__ == "__main__":
    sys.exit(main())
