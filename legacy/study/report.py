"""results/REPORT.md: every published number beside ours, with a verdict.

"Within the seed spread" means the original lies within two standard
deviations of our mean over K seeds (or within half a unit of its printed
precision when the spread is smaller than that): the difference is what a
different seed could give. Otherwise the report says by how much, in units
of our spread.

With runs from both lanes (TensorFlow 1.15 and TensorFlow 2) each table gets
one column or row per lane, and a lane-agreement table pairs the lanes' runs
seed by seed: same seed, same initial weights and dropout masks, so what is
left between them is the kernels' rounding.
"""
import collections
import json
import os
import platform
import shutil
import time

import numpy as np

from legacy import REPO, figures, fileio
from legacy.study.plan import LANES, PLAN

REFERENCE_DIR = os.path.join(REPO, "data", "reference")
# The originals' measurements (tools/summarize_originals.py over docs/records/originals/runs/): the Adam residual's
# hypotheses and the originals' 2x5 prediction figures. Measured once, outside the plan's runs.
ORIGINALS_SUMMARY = os.path.join(REPO, "docs", "records", "originals", "summary.json")


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


def _title(lane, lanes):
    """A lane's label in a header, or nothing when the report has one lane."""
    return LANES[lane].title if len(lanes) > 1 else ""


def _cnn_section(lanes, lines, plots_dir):
    ref = load_reference("swu_cnn_adam_vs_rmsprop")
    lines += ["## The study's CNN comparison: Adam vs RMSProp", "",
              "Source: %s." % ref["source"], "Settings: %s." % ref["settings"], ""]
    curves, points, styles = {}, {}, {}
    for colour, (key, name) in enumerate((("adam", "cnn_swu_adam"), ("rmsprop", "cnn_swu_rmsprop"))):
        published = ref["runs"][key]
        headers = ["epoch", "original Avg. cost"]
        for lane in lanes:
            headers += [("ours, %s" % _title(lane, lanes)) if len(lanes) > 1 else "ours (mean ± std)", "verdict"]
        rows = [[epoch + 1, "%.3f" % original] for epoch, original in enumerate(published["epoch_avg_cost"])]
        acc_row = ["test accuracy (keep 0.8 at evaluation, as the study)", "%.4f" % published["test_accuracy"]]
        fixed_row = ["test accuracy, dropout off at evaluation (fixed)", "not measured"]
        for line_style, (lane, records) in zip(("-", "--", ":"), lanes.items()):
            means = []
            for epoch, original in enumerate(published["epoch_avg_cost"]):
                st = stats(_values(records, name, "epoch_avg_cost", epoch))
                rows[epoch] += [fmt_stats(st, 3), verdict(original, st, ref["printed_precision"])]
                means.append(st)
            acc = stats(_values(records, name, "test_accuracy"))
            acc_row += [fmt_stats(acc), verdict(published["test_accuracy"], acc, 0.0001)]
            fixed_row += [fmt_stats(stats(_values(records, name, "test_accuracy_without_dropout"))), ""]
            if all(m is not None for m in means):
                label = " ".join(x for x in ("ours", _title(lane, lanes)) if x)
                label = "%s, %s (mean of %d seeds)" % (label, key, means[0][2])
                curves[label], styles[label] = [m[0] for m in means], (colour, line_style)
        lines += ["### %s" % published["optimizer"], "", figures.markdown_table(headers, rows + [acc_row, fixed_row])]
        points["original, %s" % key] = published["epoch_avg_cost"]
        styles["original, %s" % key] = (colour, None)
    if curves:
        figures.plot_curves(os.path.join(plots_dir, "cnn_swu_cost.png"), curves,
                           "SWU CNN: Avg. cost per epoch", references=points, logy=True, styles=styles)
        lines += ["![CNN cost per epoch](plots/cnn_swu_cost.png)", ""]


def _hunkim_section(lanes, lines):
    ref = load_reference("hunkim_labs")
    headers = ["published network", "published", "our nearest run"]
    for lane in lanes:
        suffix = (", " + _title(lane, lanes)) if len(lanes) > 1 else ""
        headers += ["ours (mean ± std)" + suffix, "ours - published" + suffix]
    rows = []
    for item in ref["results"]:
        row = [item["name"], "%.4f" % item["test_accuracy"], item["ours"] or ""]
        for records in lanes.values():
            st = stats(_values(records, item["ours"], "test_accuracy")) if item["ours"] else None
            row += ["no run (network not in this study)" if not item["ours"] else fmt_stats(st),
                    "" if st is None else "%+.4f" % (st[0] - item["test_accuracy"])]
        rows.append(row)
    lines += ["## hunkim's labs, as comparison points", "", "Source: %s. %s" % (ref["source"], ref["note"]), "",
              figures.markdown_table(headers, rows)]


def _lane_rows(lanes, names, cells):
    """One row per run (and per lane when there are several): the run's name,
    its description, the lane, then ``cells(records, name)``."""
    rows = []
    for name in names:
        run = next(r for r in PLAN if r.name == name)
        for lane, records in lanes.items():
            rows.append([name, run.what] + ([LANES[lane].title] if len(lanes) > 1 else []) + cells(records, name))
    return rows


def _study_mlp_section(lanes, lines, plots_dir):
    names = ("dnn4_keep1", "dnn4_keep08_eval08", "dnn4_keep08_bn", "bn_lab_plain", "bn_lab_bn", "bn_lab_hunkim_plain",
             "bn_lab_hunkim_bn", "mlp_adam", "mlp_dropout", "cnn_golbin")

    def cells(records, name):
        final = stats([c[-1] if c else None for c in _values(records, name, "epoch_avg_cost")])
        return [fmt_stats(final, 3), fmt_stats(stats(_values(records, name, "test_accuracy"))),
                fmt_stats(stats(_values(records, name, "test_accuracy_without_dropout")))]

    curves = {}
    for lane, records in lanes.items():
        for name in names:
            costs = [c for c in _values(records, name, "epoch_avg_cost") if c]
            if costs and name.startswith("dnn4"):
                curves[" ".join(x for x in (name, _title(lane, lanes)) if x)] = list(np.mean(np.array(costs), axis=0))
    headers = ["run", "what"] + (["lane"] if len(lanes) > 1 else []) + [
        "final Avg. cost", "test accuracy (as evaluated)", "test accuracy, dropout off"]
    lines += ["## The study's other MNIST networks (published only as screenshots, or not at all)", "",
              figures.markdown_table(headers, _lane_rows(lanes, names, cells))]
    if curves:
        figures.plot_curves(os.path.join(plots_dir, "dnn4_cost.png"), curves, "4-layer MLP: Avg. cost per epoch",
                           logy=True)
        lines += ["![4-layer MLP cost per epoch](plots/dnn4_cost.png)", ""]


def _animals_section(lanes, lines):
    def cells(records, name):
        accs = _values(records, name, "accuracy")
        perfect = sum(1 for a in accs if a is not None and a == 1.0)
        return [fmt_stats(stats(_values(records, name, "final_cost")), 3), "%d of %d seeds" % (perfect, len(accs))]

    headers = ["run", "what"] + (["lane"] if len(lanes) > 1 else []) + ["cost after 100 steps", "100 % accuracy"]
    lines += ["## Fur/wings: the code's 10-20-10 against the README's 10-20-30", "",
              figures.markdown_table(headers, _lane_rows(lanes, ("animals_code", "animals_readme"), cells))]


def _linear_section(lanes, lines):
    """The study's first script; it published no numbers, so ours stand beside the least-squares optimum."""
    def cells(records, name):
        finals = [r["final"] for (run, _), r in sorted(records.items()) if run == name and r and r.get("final")]
        if not finals:
            return ["not run"] * 4
        ls = next(r["least_squares"] for (run, _), r in sorted(records.items()) if run == name and r)
        return [fmt_stats(stats([f["cost"] for f in finals]), 2) + " (optimum %.2f)" % ls["cost"],
                "%s / %s" % (fmt_stats(stats([f["W"] for f in finals]), 2), fmt_stats(stats([f["b"] for f in finals]), 2)),
                fmt_stats(stats([f["predictions"][0] for f in finals]), 1) + " (optimum %.1f)" % ls["predictions"][0],
                fmt_stats(stats([f["predictions"][1] for f in finals]), 1) + " (optimum %.1f)" % ls["predictions"][1]]

    headers = ["run", "what"] + (["lane"] if len(lanes) > 1 else []) + [
        "cost after 100 steps", "W / b", "kg at 1.55 m", "kg at 1.70 m"]
    lines += ["## Linear regression, height -> weight (no published numbers)", "",
              figures.markdown_table(headers, _lane_rows(lanes, ("linear_regression",), cells))]


def _originals_section(lines, plots_dir, summary_path):
    """The Adam residual's hypotheses with their verdicts, and the originals' 2x5 figures, from
    docs/records/originals/summary.json; its PNGs are copied into plots/ so the report folder stands alone."""
    if not os.path.exists(summary_path):
        lines += ["## The Adam residual and the originals' figures", "",
                  "Not measured: %s does not exist (tools/measure_originals.py, tools/summarize_originals.py)."
                  % os.path.relpath(summary_path, REPO), ""]
        return
    with open(summary_path) as handle:
        summary = json.load(handle)
    source = "`%s`" % os.path.relpath(summary_path, REPO)
    verdicts = summary.get("verdicts", {})
    lines += ["## Why the study's Adam log lies above ours: three hypotheses", "",
              "Measured apart from this report's runs (TF 2 lane, `tools/measure_originals.py`; the runs' JSONs in "
              "`docs/records/originals/runs/`), summarised in %s by `tools/summarize_originals.py`, whose docstring of "
              "`verdicts()` states the rule of each verdict; docs/originals.md discusses them." % source, ""]
    if verdicts:
        rows = [[name, "fits" if v["fits"] else ("ruled out" if name == "numerics" else "does not fit"), v["text"]]
                for name, v in verdicts.items()]
        lines += [figures.markdown_table(["hypothesis", "verdict", "numbers"], rows)]
        fitting = [name for name, v in verdicts.items() if v["fits"]]
        lines += ["Best-supported explanation: %s." % (" and ".join(fitting) if fitting else "none of the three fits"),
                  ""]
    else:
        lines += ["No verdicts in %s yet." % source, ""]
    figs = summary.get("figures", {})
    if figs.get("figures"):
        lines += ["## The originals' 2x5 figure: the first ten test digits titled with the predicted labels", "",
                  "`--plot_predictions` of the study's MLP runs (golbin 06/02 / `dropoutjuyae.py`, and "
                  "`(mnistdata).py`, which predicted with dropout still on), from %s; true labels %s."
                  % (source, " ".join(map(str, figs["true_labels"]))), ""]
        for fig in figs["figures"]:
            name = "originals_" + os.path.basename(fig["png"])
            shutil.copyfile(os.path.join(REPO, fig["png"]), os.path.join(plots_dir, name))
            wrong = ", ".join("digit %d (a %d) called %d" % (i + 1, figs["true_labels"][i], fig["predicted_labels"][i])
                              for i in fig["wrong"]) or "all ten right"
            lines += ["- `%s` (TF %s, eval keep_prob %s): %s; %s" % (
                fig["command"], fig["tensorflow"], fig["eval_keep_prob"],
                " ".join(map(str, fig["predicted_labels"])), wrong), "",
                "  ![%s](plots/%s)" % (name, name), ""]


def lane_agreement(reference, other):
    """Per run, the largest differences between two lanes' runs of the same
    seed: per-epoch cost (absolute, and relative in the first epoch), test
    accuracy, final cost.

    The first epoch is where kernel rounding shows before it compounds: later
    the two trajectories drift apart the way two runs on different thread
    counts do, and a relative difference of late, tiny costs (0.0002 after 30
    epochs of the MLP without dropout) says nothing.

    Returns {run: dict}; runs without a seed finished on both lanes are left out.
    """
    out = collections.OrderedDict()
    for run in PLAN:
        pairs = [(a, other.get(key)) for key, a in sorted(reference.items())
                 if key[0] == run.name and a and other.get(key)]
        if not pairs:
            continue
        row = {"seeds": len(pairs), "cost_abs": None, "first_rel": None, "accuracy": None, "final_cost": None}
        costs = [(np.array(a["epoch_avg_cost"]), np.array(b["epoch_avg_cost"])) for a, b in pairs
                 if a.get("epoch_avg_cost") and b.get("epoch_avg_cost")]
        if costs:
            row["cost_abs"] = max(float(np.max(np.abs(b - a))) for a, b in costs)
            row["first_rel"] = max(float(abs(b[0] - a[0]) / abs(a[0])) for a, b in costs)
        for key, field in (("accuracy", "test_accuracy"), ("final_cost", "final_cost")):
            diffs = [b[field] - a[field] for a, b in pairs if a.get(field) is not None and b.get(field) is not None]
            if diffs:
                row[key] = max(diffs, key=abs)
        out[run.name] = row
    return out


def _agreement_section(lanes, lines):
    if len(lanes) < 2:
        return
    (ref_lane, reference), (other_lane, other) = list(lanes.items())[:2]
    agreement = lane_agreement(reference, other)
    if not agreement:
        return

    def num(value, spec):
        return "" if value is None else spec % value

    rows = []
    for name, row in agreement.items():
        spread = stats(_values(reference, name, "test_accuracy"))
        rows.append([name, row["seeds"], num(row["cost_abs"], "%.2e"), num(row["first_rel"], "%.2e"),
                     num(row["accuracy"], "%+.4f"), num(row["final_cost"], "%+.2e"),
                     num(spread[1] if spread and spread[2] > 1 else None, "%.4f")])
    lines += ["## Lane agreement: %s against %s, seed by seed" % (LANES[other_lane].title, LANES[ref_lane].title), "",
              "Each row pairs the runs of the same seed on both lanes (same initial weights, same dropout masks) "
              "and gives the largest difference over those seeds (%s minus %s). Epoch 1's relative difference "
              "is the kernels' rounding before it compounds; later the two trajectories drift apart as runs on "
              "other thread counts do, so the absolute difference over all epochs is the one to compare with the "
              "seed spread. The last column is the "
              "seed-to-seed spread on %s, for scale: a lane difference well below it cannot change a verdict."
              % (LANES[other_lane].title, LANES[ref_lane].title, LANES[ref_lane].title), "",
              figures.markdown_table(["run", "seeds paired", "largest abs. diff. of an epoch's Avg. cost",
                                     "rel. diff. of epoch 1's cost", "test accuracy diff.", "final cost diff. (fur/wings)",
                                     "test accuracy std across seeds"], rows)]


def _environment_section(lanes, lines, wall_seconds, seeds):
    rows, env_lines = [], []
    for lane, records in lanes.items():
        env = next((r["environment"] for r in records.values() if r), {})
        finished = [r for r in records.values() if r]
        timed = [r["script_seconds"] for r in finished if r.get("script_seconds") is not None]
        spent = (", the runs %.0f s from start to end (%d of %d timed)" % (sum(timed), len(timed), len(finished))
                 if timed else "")
        env_lines.append("- %sPython %s, TensorFlow %s%s, tensorpack %s, numpy %s%s"
                         % ("%s: " % LANES[lane].title if len(lanes) > 1 else "", env.get("python"),
                            env.get("tensorflow"), " (oneDNN on)" if env.get("onednn") else "",
                            env.get("tensorpack"), env.get("numpy"), spent))
        for (name, seed), rec in sorted(records.items()):
            if rec is None:
                continue
            per_epoch = rec.get("seconds_per_epoch") or []
            rows.append([name, seed] + ([LANES[lane].title] if len(lanes) > 1 else []) + [
                "%.0f" % rec["script_seconds"] if rec.get("script_seconds") is not None else "",
                "%.0f" % rec["wall_seconds"] if rec.get("wall_seconds") else "",
                "%.1f" % (sum(per_epoch) / len(per_epoch)) if per_epoch else "",
                rec["environment"]["git_revision"][:12]])
    env = next((r["environment"] for records in lanes.values() for r in records.values() if r), {})
    lines += ["## Environment and time", ""] + env_lines + [
        "- CPU: %s, %s cores; TensorFlow's thread pools at their defaults (one thread per core)"
        % (env.get("cpu"), env.get("cpu_count")),
        "- seeds: %s; this report's own wall time: %.0f s (runs read back from JSON cost nothing)"
        % (", ".join(str(s) for s in seeds), wall_seconds),
        "- report written %s on %s" % (time.strftime("%Y-%m-%d %H:%M"), platform.node()), "",
        figures.markdown_table(["run", "seed"] + (["lane"] if len(lanes) > 1 else []) +
                              ["script s (start to end)", "training s", "s per epoch", "code revision"], rows)]


def write_report(lanes, results_dir, seeds, wall_seconds, command=None, originals_summary=ORIGINALS_SUMMARY):
    """Write <results_dir>/REPORT.md and its plots from ``lanes``: {lane:
    {(run, seed): record or None}}, the reference lane first. ``command`` is
    the reproduce.py command line that wrote it, recorded whole. ``originals_summary``: the JSON of the
    originals' measurements (hypothesis verdicts, prediction figures), shown as they are."""
    plots_dir = os.path.join(results_dir, "plots")
    os.makedirs(plots_dir, exist_ok=True)
    lines = ["# Reproducing SWU AI Deep Learning (2021)", "",
             "Made by `%s`%s. Each run's flags, per-epoch "
             "costs and environment are in %s; re-run one by hand with the command in its `command` field."
             % (command or "python scripts/reproduce.py --seeds=%d" % len(seeds),
                " (the TF 2 lane's runs by the same with `--lane=tf2`)" if len(lanes) > 1 else "",
                " and ".join("`%s/<run>-seed<N>.json`%s" % (LANES[lane].runs, " (%s)" % LANES[lane].title
                                                           if len(lanes) > 1 else "") for lane in lanes)), "",
             "Verdicts: *within the seed spread* means the original lies within 2 standard deviations of our mean "
             "over the seeds (or within half a unit of its printed precision): a different seed could give it. "
             "With 2 or 3 seeds σ is itself uncertain (by roughly ±50-70 %), so read a verdict of a few σ as "
             "indicative; a large σ multiple on a tiny σ (a spread below the printed precision) says little.", ""]
    _cnn_section(lanes, lines, plots_dir)
    _hunkim_section(lanes, lines)
    _study_mlp_section(lanes, lines, plots_dir)
    _animals_section(lanes, lines)
    _linear_section(lanes, lines)
    _originals_section(lines, plots_dir, originals_summary)
    _agreement_section(lanes, lines)
    _environment_section(lanes, lines, wall_seconds, seeds)
    path = os.path.join(results_dir, "REPORT.md")
    fileio.write_text(path, "\n".join(lines) + "\n")
    return path
