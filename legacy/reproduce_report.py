"""results/REPORT.md: every published number beside ours, with a verdict.

"Within the seed spread" means the original lies within two standard
deviations of our mean over K seeds (or within half a unit of its printed
precision when the spread is smaller than that): the difference is what a
different seed could give. Otherwise the report says by how much, in units
of our spread.
"""
import json
import os
import platform
import time

import numpy as np

from legacy import fileio, report
from legacy.reproduce import PLAN

REFERENCE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "reference")


def load_reference(name):
    with open(os.path.join(REFERENCE_DIR, name + ".json")) as handle:
        return json.load(handle)


def stats(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    arr = np.array(values, dtype=np.float64)
    return float(arr.mean()), float(arr.std(ddof=1)) if len(arr) > 1 else 0.0, len(arr)


def fmt_stats(st, digits=4):
    if st is None:
        return "not run"
    mean, std, n = st
    return ("%%.%df ± %%.%df (n=%%d)" % (digits, digits)) % (mean, std, n)


def verdict(original, st, precision):
    if st is None:
        return "not run"
    mean, std, n = st
    diff = mean - original
    tolerance = max(2 * std, precision / 2.0)
    if abs(diff) <= tolerance:
        return "within the seed spread" if n > 1 else "matches (one seed, no spread)"
    if std > 0:
        return "outside: ours %+.4f (%.1f σ)" % (diff, abs(diff) / std)
    return "outside: ours %+.4f (n=%d, no spread)" % (diff, n)


def _values(records, name, key, index=None):
    out = []
    for (run, _seed), rec in sorted(records.items()):
        if run != name or rec is None:
            continue
        value = rec.get(key)
        if index is not None:
            value = value[index] if value is not None and len(value) > index else None
        out.append(value)
    return out


def _cnn_section(records, lines, plots_dir):
    ref = load_reference("swu_cnn_adam_vs_rmsprop")
    lines += ["## The study's CNN comparison: Adam vs RMSProp", "",
              "Source: %s." % ref["source"], "Settings: %s." % ref["settings"], ""]
    curves, points = {}, {}
    for key, name in (("adam", "cnn_swu_adam"), ("rmsprop", "cnn_swu_rmsprop")):
        published = ref["runs"][key]
        rows = []
        for epoch, original in enumerate(published["epoch_avg_cost"]):
            st = stats(_values(records, name, "epoch_avg_cost", epoch))
            rows.append([epoch + 1, "%.3f" % original, fmt_stats(st, 3), verdict(original, st, ref["printed_precision"])])
        acc = stats(_values(records, name, "test_accuracy"))
        rows.append(["test accuracy (keep 0.8 at evaluation, as the study)", "%.4f" % published["test_accuracy"],
                     fmt_stats(acc), verdict(published["test_accuracy"], acc, 0.0001)])
        fixed = stats(_values(records, name, "test_accuracy_without_dropout"))
        rows.append(["test accuracy, dropout off at evaluation (fixed)", "not measured", fmt_stats(fixed), ""])
        lines += ["### %s" % published["optimizer"], "",
                  report.markdown_table(["epoch", "original Avg. cost", "ours (mean ± std)", "verdict"], rows)]
        means = [stats(_values(records, name, "epoch_avg_cost", e)) for e in range(len(published["epoch_avg_cost"]))]
        if all(m is not None for m in means):
            curves["ours, %s (mean of %d seeds)" % (key, means[0][2])] = [m[0] for m in means]
        points["original, %s" % key] = published["epoch_avg_cost"]
    if curves:
        report.plot_curves(os.path.join(plots_dir, "cnn_swu_cost.png"), curves,
                           "SWU CNN: Avg. cost per epoch", references=points, logy=True)
        lines += ["![CNN cost per epoch](plots/cnn_swu_cost.png)", ""]


def _hunkim_section(records, lines):
    ref = load_reference("hunkim_labs")
    rows = []
    for item in ref["results"]:
        st = stats(_values(records, item["ours"], "test_accuracy")) if item["ours"] else None
        ours = "no run (network not in this study)" if not item["ours"] else fmt_stats(st)
        diff = "" if st is None else "%+.4f" % (st[0] - item["test_accuracy"])
        rows.append([item["name"], "%.4f" % item["test_accuracy"], item["ours"] or "", ours, diff])
    lines += ["## hunkim's labs, as comparison points", "", "Source: %s. %s" % (ref["source"], ref["note"]), "",
              report.markdown_table(["published network", "published", "our nearest run", "ours (mean ± std)",
                                     "ours - published"], rows)]


def _study_mlp_section(records, lines, plots_dir):
    rows, curves = [], {}
    for name in ("dnn4_keep1", "dnn4_keep08_eval08", "dnn4_keep08_bn", "bn_lab_plain", "bn_lab_bn", "mlp_dropout",
                 "cnn_golbin"):
        run = next(r for r in PLAN if r.name == name)
        acc = stats(_values(records, name, "test_accuracy"))
        fixed = stats(_values(records, name, "test_accuracy_without_dropout"))
        final = stats([c[-1] if c else None for c in _values(records, name, "epoch_avg_cost")])
        rows.append([name, run.what, fmt_stats(final, 3), fmt_stats(acc), fmt_stats(fixed)])
        costs = _values(records, name, "epoch_avg_cost")
        if costs and name.startswith("dnn4"):
            curves[name] = list(np.mean(np.array([c for c in costs if c]), axis=0))
    lines += ["## The study's other MNIST networks (published only as screenshots, or not at all)", "",
              report.markdown_table(["run", "what", "final Avg. cost", "test accuracy (as evaluated)",
                                     "test accuracy, dropout off"], rows)]
    if curves:
        report.plot_curves(os.path.join(plots_dir, "dnn4_cost.png"), curves, "4-layer MLP: Avg. cost per epoch",
                           logy=True)
        lines += ["![4-layer MLP cost per epoch](plots/dnn4_cost.png)", ""]


def _animals_section(records, lines):
    rows = []
    for name in ("animals_code", "animals_readme"):
        run = next(r for r in PLAN if r.name == name)
        cost = stats(_values(records, name, "final_cost"))
        accs = _values(records, name, "accuracy")
        perfect = sum(1 for a in accs if a is not None and a == 1.0)
        rows.append([name, run.what, fmt_stats(cost, 3), "%d of %d seeds" % (perfect, len(accs))])
    lines += ["## Fur/wings: the code's 10-20-10 against the README's 10-20-30", "",
              report.markdown_table(["run", "what", "cost after 100 steps", "100 % accuracy"], rows)]


def _environment_section(records, lines, wall_seconds, seeds):
    env = next((r["environment"] for r in records.values() if r), {})
    rows = []
    for (name, seed), rec in sorted(records.items()):
        if rec is None:
            continue
        per_epoch = rec.get("seconds_per_epoch") or []
        rows.append([name, seed, "%.0f" % rec.get("wall_seconds", 0) if rec.get("wall_seconds") else "",
                     "%.1f" % (sum(per_epoch) / len(per_epoch)) if per_epoch else "",
                     rec["environment"]["git_revision"][:12]])
    lines += ["## Environment and time", "",
              "- Python %s, TensorFlow %s, tensorpack %s, numpy %s" % (env.get("python"), env.get("tensorflow"),
                                                                     env.get("tensorpack"), env.get("numpy")),
              "- CPU: %s, %s cores; TensorFlow's thread pools at their defaults (one thread per core)"
              % (env.get("cpu"), env.get("cpu_count")),
              "- seeds: %s; this report's own wall time: %.0f s (runs read back from JSON cost nothing)"
              % (", ".join(str(s) for s in seeds), wall_seconds),
              "- report written %s on %s" % (time.strftime("%Y-%m-%d %H:%M"), platform.node()), "",
              report.markdown_table(["run", "seed", "wall s", "s per epoch", "code revision"], rows)]


def write_report(records, results_dir, seeds, wall_seconds):
    plots_dir = os.path.join(results_dir, "plots")
    os.makedirs(plots_dir, exist_ok=True)
    lines = ["# Reproducing SWU AI Deep Learning (2021)", "",
             "Made by `python scripts/reproduce.py --seeds=%d` (`make reproduce`). Each run's flags, per-epoch "
             "costs and environment are in `runs/<run>-seed<N>.json`; re-run one by hand with the command in "
             "its `command` field." % len(seeds), "",
             "Verdicts: *within the seed spread* means the original lies within 2 standard deviations of our mean "
             "over the seeds (or within half a unit of its printed precision): a different seed could give it. "
             "With 2 or 3 seeds σ is itself uncertain (by roughly ±50-70 %), so read a verdict of a few σ as "
             "indicative; a large σ multiple on a tiny σ (a spread below the printed precision) says little.", ""]
    _cnn_section(records, lines, plots_dir)
    _hunkim_section(records, lines)
    _study_mlp_section(records, lines, plots_dir)
    _animals_section(records, lines)
    _environment_section(records, lines, wall_seconds, seeds)
    path = os.path.join(results_dir, "REPORT.md")
    fileio.write_text(path, "\n".join(lines) + "\n")
    return path
