"""The paper's §6.2 ("Convergence and training speed") at CPU scale: progressive
against non-progressive training of the same networks on MNIST-32, each run
given the same training-time budget (in CPU seconds), for several seeds; then
a report by the rules docs/pggan.md wrote down before the runs (issue 28).

    scripts/pggan_study.py --out_dir=results/pggan                # 5 seeds x 2 arms, 200 CPU s each
    scripts/pggan_study.py --out_dir=results/pggan --report_only

Before the runs: the SWD floor (``floor.json``: reals against reals, 5 draws
at 2,048 and 8,192 images) and the bench (``bench.json``: images per CPU
second at each resolution, one thread), from which ``schedule_for`` sets the
phase length (full resolution at a third of the budget). Each run is one
``scripts/pggan.py`` invocation (printed, so it can be re-run by hand)
writing ``<out_dir>/<name>.json`` and its run folder under
``<out_dir>/runs/<name>``; the two arms of a seed run at the same time. A run
whose JSON says "ok" with the same flags is not run again; one with a
checkpoint but no finished JSON is resumed. The report (``REPORT.md``,
``swd_vs_cpu_seconds.png``, ``swd_vs_kimg.png``, ``samples/``) is made from
the JSONs, floor and bench alone.

Example: python scripts/pggan_study.py --out_dir=results/pggan --seeds=0,1 --budget_cpu_seconds=200
"""
import collections
import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np

from legacy import REPO, fileio, figures, results
from legacy.errors import UsageError
from legacy.pggan import mode_coverage

METHODS = collections.OrderedDict([("progressive", ["--progressive=true"]),
                                   ("non-progressive", ["--progressive=false"])])
# The paper (Karras et al. 2018, §6.2 and Figure 4), for the report.
PAPER = [
    "Hardware: one NVIDIA Tesla P100 for the CelebA 128x128 runs of Figure 4 a/b; 8 Tesla V100 for CelebA-HQ 1024x1024.",
    "Figure 4 a/b (CelebA 128x128, SWD per level against training time): the progressive run converges to a "
    "lower SWD at every level, and reaches a given quality about 2x sooner; its coarse levels (16x16, 32x32) "
    "settle early, the fine ones follow as their layers fade in.",
    "Figure 4 c (1024x1024): 6.4 M images in 96 h progressive; the non-progressive run would need about 520 h "
    "for the same, about 5.4x more; the speed-up comes from the low resolutions, where a step costs far less.",
]


def run_name(method, seed):
    return "%s-seed%d" % (method, seed)


def plan(seeds, methods=tuple(METHODS)):
    """Seed by seed, each method in turn: a change in the machine's load
    during the study then falls on both methods alike."""
    return [(run_name(m, s), m, s) for s in seeds for m in methods]


def command(python, out_dir, name, method, seed, budget_seconds, extra, budget_cpu_seconds=0.0):
    logdir = os.path.join(out_dir, "runs", name)
    budget = ["--budget_cpu_seconds=%g" % budget_cpu_seconds] if budget_cpu_seconds else [
        "--budget_seconds=%g" % budget_seconds]
    args = [python, os.path.join(REPO, "scripts", "pggan.py")] + METHODS[method] + [
        "--seed=%d" % seed] + budget + ["--total_kimg=100000",
        "--logdir=%s" % logdir, "--output=%s" % os.path.join(out_dir, name + ".json")] + list(extra)
    return args, logdir


# The schedule rule of the issue-28 study: growing (4 px stable, then per
# resolution a fade and a stable phase, up to the end of the last fade) takes
# ``GROWING_SHARE`` of the training budget at the bench's images per CPU second.
GROWING_SHARE = 1.0 / 3.0
# The paper's Gs half-life against its phase: 11.08 kimg (beta 0.999 at
# minibatch 16) over 800 kimg per phase (preset-v1), 1/72.
SMOOTHING_PER_PHASE = 1.0 / 72.0


def schedule_for(bench_rates, budget_cpu_seconds, share=GROWING_SHARE):
    """Thousands of images per stable phase and per fade (the same) such that
    growing to full resolution takes ``share`` of ``budget_cpu_seconds`` at
    ``bench_rates`` ({resolution: images per CPU second}): the 4 px stable
    phase at the 4 px rate, each later fade and stable phase at its new
    resolution's rate (a fade runs both blocks; the new one dominates)."""
    res = sorted(int(r) for r in bench_rates)
    seconds_per_image = 1.0 / bench_rates[res[0]] + sum(2.0 / bench_rates[r] for r in res[1:-1]) + \
        1.0 / bench_rates[res[-1]]
    return share * budget_cpu_seconds / seconds_per_image / 1000.0


def _finished(path, args):
    if not os.path.exists(path):
        return False
    with open(path) as handle:
        record = json.load(handle)
    wanted = results.flags_from_args([a for a in args if a.startswith("--") and not a.startswith(("--logdir",
                                                                                                  "--output"))])
    wanted = {k: {"true": True, "false": False}.get(v, v) if isinstance(v, str) else v for k, v in wanted.items()}
    return record.get("status") == "ok" and all(record["flags"].get(k) == v for k, v in wanted.items())


def run_all(out_dir, seeds, budget_seconds, python=None, extra=(), methods=tuple(METHODS), log=print,
            budget_cpu_seconds=0.0, parallel=False):
    """Each seed's runs (one per method) in turn; with ``parallel`` the
    methods of one seed at the same time (one process each: on a 2-core
    machine one per core, so that both see the same load). A finished run is
    not repeated; one with a checkpoint is resumed."""
    python = python or sys.executable
    os.makedirs(os.path.join(out_dir, "runs"), exist_ok=True)
    failed = []
    for seed in seeds:
        started = []
        for method in methods:
            name = run_name(method, seed)
            args, logdir = command(python, out_dir, name, method, seed, budget_seconds, extra, budget_cpu_seconds)
            out = os.path.join(out_dir, name + ".json")
            if _finished(out, args):
                log("pggan study: %s done already (%s)" % (name, out))
                continue
            if os.path.exists(os.path.join(logdir, "checkpoint")):
                args.append("--resume")
            log("pggan study: " + " ".join(args))
            handle = open(os.path.join(out_dir, name + ".log"), "a" if "--resume" in args else "w")
            proc = subprocess.Popen(args, cwd=REPO, stdout=handle, stderr=subprocess.STDOUT)
            started.append((name, proc, handle, time.time()))
            if not parallel:
                _wait(started.pop(), out_dir, failed, log)
        for item in started:
            _wait(item, out_dir, failed, log)
    if failed:
        raise UsageError("pggan study: %s failed; see %s" % (", ".join(failed), ", ".join(
            os.path.join(out_dir, n + ".log") for n in failed)))


def _wait(item, out_dir, failed, log):
    name, proc, handle, start = item
    code = proc.wait()
    handle.close()
    log("pggan study: %s exit %d after %.0f s" % (name, code, time.time() - start))
    if code != 0:
        failed.append(name)


FLOOR_FILE = "floor.json"


def measure_floor(out_dir, counts=(2048, 8192), draws=5, dataset="mnist32", data_dir="data/mnist",
                  cache_dir="data/cache", log=print):
    """The SWD noise floor (``swd.floor``: reals against other reals, ``draws``
    draws at each image count) of ``dataset``'s training images, in
    ``<out_dir>/floor.json`` with the machine, load and git revision; counts
    already in that file are not measured again."""
    from legacy.pggan import images, swd
    path = os.path.join(out_dir, FLOOR_FILE)
    found = {}
    if os.path.exists(path):
        with open(path) as handle:
            found = json.load(handle)
    data = images.load(dataset, 32, data_dir=data_dir, cache_dir=cache_dir, download=False)
    for count in counts:
        key = str(count)
        if key in found.get("floors", {}) and found["floors"][key]["draws"] >= draws:
            continue
        start, cpu = time.time(), time.process_time()
        floor = swd.floor(data.levels[data.resolution], count, draws=draws, seed=0)
        floor.update(seconds=time.time() - start, cpu_seconds=time.process_time() - cpu,
                     loadavg=list(os.getloadavg()))
        found.setdefault("floors", {})[key] = floor
        found.update(dataset=dataset, environment=results.environment())
        fileio.write_json(path, found)
        log("pggan floor: %d images, %d draws: SWDx1e3 avg %.2f +- %.2f (%s)" % (
            count, draws, floor["mean"]["SWDx1e3_avg"], floor["sd"]["SWDx1e3_avg"],
            ", ".join("%s %.2f +- %.2f" % (k[8:], floor["mean"][k], floor["sd"][k]) for k in sorted(floor["mean"]))))
    return found


COVERAGE_FILE = "mode_coverage.json"


def measure_coverage(out_dir, python=None, log=print):
    """Classify each run's last SWD samples (Gs images, ``fakes-latest.npy``
    in its run folder) with the project's CNN; ``mode_coverage.json``."""
    from legacy.pggan.training import SAMPLES_FILE
    classifier, record = mode_coverage.train_classifier(out_dir, python, log=log)
    found = collections.OrderedDict(classifier={"run": classifier, "test_accuracy": record.get("test_accuracy"),
                                                "epochs": record["flags"]["epochs"]})
    for name, _, run in load_runs(out_dir):
        path = os.path.join(run["logdir"], SAMPLES_FILE)
        if run.get("flags", {}).get("dataset", "mnist32") != "mnist32" or not os.path.exists(path):
            continue
        images = np.load(path)
        found[name] = dict(mode_coverage.coverage(mode_coverage.classify(classifier, images)),
                           step=run["evaluations"][-1]["step"] if run["evaluations"] else None)
        log("mode coverage: %s: %d of 10 digits (%s)" % (name, found[name]["classes_present"],
                                                         " ".join(map(str, found[name]["counts"]))))
    fileio.write_json(os.path.join(out_dir, COVERAGE_FILE), found)
    return found


def _coverage_lines(out_dir):
    path = os.path.join(out_dir, COVERAGE_FILE)
    if not os.path.exists(path):
        return []
    with open(path) as handle:
        found = json.load(handle)
    classifier = found.pop("classifier")
    rows = [[name, c["samples"], c["classes_present"], " ".join(str(n) for n in c["counts"])]
            for name, c in found.items()]
    return ["## Mode coverage (the Appendix E idea)", "",
            "The last SWD measurement's Gs samples of each run, classified by golbin's CNN trained %d epochs "
            "(`%s`, test accuracy %s); a digit counts when it holds at least 1 %% of the samples." % (
                classifier["epochs"], classifier["run"], classifier["test_accuracy"]), "",
            figures.markdown_table(["run", "samples", "digits covered", "samples per digit 0-9"], rows), ""]


def load_runs(out_dir):
    found = []
    for name in sorted(os.listdir(out_dir)):
        if name.endswith(".json") and "-seed" in name:
            with open(os.path.join(out_dir, name)) as handle:
                record = json.load(handle)
            if record.get("experiment") == "pggan":
                method = name.rsplit("-seed", 1)[0]
                found.append((name[:-5], method, record))
    return found


# Two-sided 95 % quantiles of Student's t, t(0.975, df), df = 1..30 (the
# standard table; tests/test_pggan_study.py checks them against a numerical
# integral of the t density).
T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
        2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045,
        2.042]


def t_interval(values):
    """(mean, sd, low, high) of the 95 % Student t interval of the mean; None
    for low/high with fewer than 2 values."""
    values = np.asarray(values, np.float64)
    mean = float(np.mean(values)) if len(values) else None
    if len(values) < 2:
        return mean, None, None, None
    if len(values) - 1 > len(T975):
        raise ValueError("t_interval: %d values; the table ends at df %d" % (len(values), len(T975)))
    sd = float(np.std(values, ddof=1))
    half = T975[len(values) - 2] * sd / np.sqrt(len(values))
    return mean, sd, mean - half, mean + half


def time_to(evaluations, target, key="SWDx1e3_avg", axis="train_cpu_seconds", count=None):
    """(``axis`` value, kimg) of the measurement from which on the run stays at
    or below ``target`` (None, None if it ends above it): rule (b) of
    docs/pggan.md. Only measurements of ``count`` images (default: the run's
    during-run count, that of its step-0 measurement) after step 0 count; an
    early dip does not (SWD of an untrained or 4x4 generator can be low by
    chance: each set's descriptors are normalised by its own statistics)."""
    if count is None and evaluations:
        count = evaluations[0].get("swd_images")
    series = [e for e in evaluations if key in e and e["step"] > 0 and e.get("swd_images") == count]
    found = (None, None)
    for e in reversed(series):
        if e[key] > target:
            break
        found = (e.get(axis), e["kimg"])
    return found


def final_measurement(record, key="SWDx1e3_avg"):
    """The run's last measurement with the most images (the 8,192 one)."""
    ev = [e for e in record.get("evaluations") or [] if key in e]
    if not ev:
        return None
    most = max(e.get("swd_images", 0) for e in ev)
    return [e for e in ev if e.get("swd_images", 0) == most][-1]


def load_floor(out_dir):
    path = os.path.join(out_dir, FLOOR_FILE)
    if not os.path.exists(path):
        return {}
    with open(path) as handle:
        return {int(k): v for k, v in json.load(handle).get("floors", {}).items()}


def rule_a(runs, key="SWDx1e3_avg", prefix=""):
    """Rule (a): per seed with both arms "ok", final (most images) SWD
    progressive minus non-progressive; the 95 % t interval and its decision."""
    by = collections.defaultdict(dict)
    for name, method, record in runs:
        if record.get("status") == "ok":
            by[record["flags"]["seed"]][method] = final_measurement(record, prefix + key)
    pairs = []
    for seed in sorted(by):
        if set(by[seed]) >= {"progressive", "non-progressive"} and None not in by[seed].values():
            p, n = by[seed]["progressive"][prefix + key], by[seed]["non-progressive"][prefix + key]
            pairs.append({"seed": seed, "progressive": p, "non-progressive": n, "difference": p - n})
    mean, sd, low, high = t_interval([p["difference"] for p in pairs])
    if low is None:
        decision = "no verdict: %d complete pair%s (the rule needs 2 or more)" % (len(pairs), "" if len(pairs) == 1
                                                                                   else "s")
    elif high < 0:
        decision = "progressive reaches a lower final SWD (the paper's direction)"
    elif low > 0:
        decision = "non-progressive reaches a lower final SWD"
    else:
        decision = "no difference shown with %d pairs" % len(pairs)
    if low is not None and len(pairs) < 5:
        decision = "provisional, %d of 5 pairs: %s" % (len(pairs), decision)
    return {"pairs": pairs, "n": len(pairs), "mean": mean, "sd": sd, "low": low, "high": high,
            "decision": decision}


def rule_b(runs, target, key="SWDx1e3_avg"):
    """Rule (b): per run the training CPU seconds (and kimg) from which on it
    stays at or below ``target``; per arm the median and range, "not
    reached" counting as more than any budget."""
    per_run, per_arm = collections.OrderedDict(), collections.OrderedDict()
    for method in METHODS:
        times = []
        for name, m, record in runs:
            if m != method or record.get("status") not in ("ok", "diverged"):
                continue
            secs, kimg = time_to(record["evaluations"], target, key)
            per_run[name] = {"cpu_seconds": secs, "kimg": kimg}
            times.append(secs)
        if not times:
            continue
        ordered = sorted(times, key=lambda v: float("inf") if v is None else v)
        mid = len(ordered) // 2
        halves = ordered[mid - 1:mid + 1] if len(ordered) % 2 == 0 else [ordered[mid]]
        median = None if None in halves else float(np.mean(halves))
        reached = [t for t in times if t is not None]
        per_arm[method] = {"runs": len(times), "reached": len(reached), "median": median,
                           "min": min(reached) if reached else None,
                           "max": max(times) if len(reached) == len(times) else None}
    return per_run, per_arm


def _spread(values):
    values = [v for v in values if v is not None]
    if not values:
        return None, None, None
    return float(np.mean(values)), float(np.min(values)), float(np.max(values))


COLOURS = {"progressive": "tab:blue", "non-progressive": "tab:red"}


def _plots(out_dir, runs, levels, floor):
    """The Figure 4 a/b analogue: SWD per level and their average against
    training CPU seconds and against kimg, Gs solid and raw G dotted, every
    run, the floor at the during-run count as a grey band (mean +- 2 sd) and
    the final 8,192-image values as dots with their floor band."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    paths = []
    keys = ["SWDx1e3_%d" % r for r in levels] + ["SWDx1e3_avg"]
    for xkey, stem, xlabel in (("train_cpu_seconds", "swd_vs_cpu_seconds", "training CPU seconds (one thread)"),
                               ("kimg", "swd_vs_kimg", "thousands of real images shown to D")):
        fig, axes = plt.subplots(1, len(keys), figsize=(4.6 * len(keys), 3.9), squeeze=False)
        for ax, key in zip(axes[0], keys):
            counts = sorted(floor)
            for count, shade in zip(counts, ("0.75", "0.9")):
                f = floor[count]
                fk = key if key in f["mean"] else None
                if fk:
                    lo, hi = f["mean"][fk] - 2 * f["sd"][fk], f["mean"][fk] + 2 * f["sd"][fk]
                    ax.axhspan(max(lo, 1e-3), hi, color=shade, zorder=0,
                               label="floor, %d images (mean +- 2 sd)" % count)
            for name, method, record in runs:
                ev = [e for e in record["evaluations"] if key in e]
                if not ev:
                    continue
                during = [e for e in ev if e.get("swd_images") == ev[0].get("swd_images")]
                colour = COLOURS.get(method, "k")
                ax.plot([e[xkey] for e in during], [e[key] for e in during], color=colour, alpha=0.75, lw=1.2,
                        label=name if key == keys[0] else None)
                ax.plot([e[xkey] for e in during], [e.get("G_" + key) for e in during], color=colour, alpha=0.5,
                        lw=0.8, ls=":")
                last = final_measurement(record, key)
                if last is not None and last.get("swd_images") != during[0].get("swd_images"):
                    ax.plot([last[xkey]], [last[key]], "o", color=colour, ms=4)
            ax.set_title(key.replace("SWDx1e3_", "SWD x1e3, ") + ("" if key.endswith("avg") else " px"))
            ax.set_xlabel(xlabel)
            ax.set_yscale("log")
        axes[0][0].legend(fontsize=6)
        fig.suptitle("solid: Gs, dotted: raw G (2,048 images); dots: final Gs at 8,192 images", fontsize=9)
        fig.tight_layout()
        path = os.path.join(out_dir, stem + ".png")
        _save(fig, path)
        paths.append(path)
    return paths


def _save(fig, path):
    import io
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    fileio.write_bytes(path, buf.getvalue())
    import matplotlib.pyplot as plt
    plt.close(fig)


def _speed(runs, per="cpu_seconds"):
    """Median images per CPU second (``per`` "cpu_seconds") or per wall second
    ("seconds") of the ticks that start and end at the same integer lod, per
    resolution; the first tick of a run and of a resumed process (graph
    warm-up) is left out."""
    per_res = collections.defaultdict(list)
    for _, _, record in runs:
        ticks = record["ticks"]
        for prev, tick in zip(ticks[:-1], ticks[1:]):
            if prev["lod"] == tick["lod"] and float(tick["lod"]).is_integer() and tick.get(per) \
                    and not tick.get("warmup"):
                kimg = tick["kimg"] - prev["kimg"]
                per_res[32 >> int(tick["lod"])].append(kimg * 1000.0 / tick[per])
    return {res: (float(np.median(v)), len(v)) for res, v in sorted(per_res.items())}


def _paper_ratios():
    """Forward FLOPs per image at 4..32 px relative to 32 px, of the paper's
    1024x1024 networks (fmap_base 8192, fmap_max 512, latent 512, RGB)."""
    from legacy.pggan import bench, networks
    size = networks.NetSize(1024, 3, 8192, 1.0, 512, 512, 16)
    flops = {r: bench.forward_flops(size, r) for r in (4, 8, 16, 32)}
    return {r: flops[32] / v for r, v in flops.items()}


def _samples(out_dir, runs):
    """Copies each run's grids at each resolution into samples/: the
    progressive runs' lod-change grids (a resolution's last stable step) and
    every run's final grid (Gs and raw G). Returns {run: [file names]}."""
    sample_dir = os.path.join(out_dir, "samples")
    os.makedirs(sample_dir, exist_ok=True)
    found = collections.OrderedDict()
    for name, method, record in runs:
        logdir = record.get("logdir", "")
        if not os.path.isdir(logdir):
            logdir = os.path.join(out_dir, "runs", name)
        if not os.path.isdir(logdir):
            continue
        files = sorted(os.listdir(logdir))
        last = collections.OrderedDict()
        for f in files:  # lodchange-step<step>-lod<lod>-<res>px.png, in step order: the last of each resolution
            if f.startswith("lodchange-") and f.endswith("px.png"):
                last[f.rsplit("-", 1)[1]] = f
        picked = [(f, "%s-%s" % (name, res)) for res, f in sorted(last.items(), key=lambda kv: int(kv[0][:-6]))]
        gs = [f for f in files if f.startswith("fakes-step")]
        g = [f for f in files if f.startswith("fakes-G-step")]
        if gs:
            picked.append((gs[-1], "%s-final-Gs.png" % name))
        if g:
            picked.append((g[-1], "%s-final-G.png" % name))
        for src, dst in picked:
            shutil.copy(os.path.join(logdir, src), os.path.join(sample_dir, dst))
        found[name] = [dst for _, dst in picked]
    return found


def _load_range(record):
    loads = [t["loadavg"][0] for t in record.get("ticks", []) if t.get("loadavg")]
    return (min(loads), max(loads)) if loads else (None, None)


def _lod0_cpu(record):
    """Training CPU seconds at the end of the first tick wholly at lod 0 (the
    progressive arm's time to full resolution alone)."""
    cpu = 0.0
    prev = None
    for t in record.get("ticks", []):
        cpu += t.get("cpu_seconds") or 0.0
        if t["lod"] == 0.0 and prev is not None and prev["lod"] == 0.0:
            return cpu
        prev = t
    return None


def report(out_dir, target=None, title="PGGAN §6.2 at CPU scale (issue 28)", note="", planned=None):
    """REPORT.md and its figures from the run JSONs, floor.json and bench.json
    in ``out_dir``; ``planned`` (run names) lists the runs without a JSON yet."""
    runs = load_runs(out_dir)
    if not runs:
        raise UsageError("pggan study: no run JSONs in %s; run the study first" % out_dir)
    floor = load_floor(out_dir)
    levels = sorted({int(k.split("_")[1]) for _, _, r in runs for e in r["evaluations"] for k in e
                     if k.startswith("SWDx1e3_") and k[8:].isdigit()}, reverse=True)
    during = runs[0][2]["evaluations"][0].get("swd_images") if runs[0][2]["evaluations"] else None
    if target is None and during in floor:
        target = 2.0 * floor[during]["mean"]["SWDx1e3_avg"]
    lines = ["# %s" % title, ""]
    if note:
        lines += [note, ""]
    envs = sorted({(r["environment"]["cpu"], r["environment"]["cpu_count"], r["environment"]["tensorflow"],
                    r["environment"]["git_revision"]) for _, _, r in runs})
    lines += ["Protocol and rules: docs/pggan.md, \"§6.2 answered fairly (issue 28)\", committed before the runs. "
              "Made from the run JSONs in this folder alone.", ""]
    lines += ["Machine and code: " + "; ".join("%s (%s cores), TensorFlow %s, git %s" % e for e in envs) + ".", ""]
    if floor:
        lines += ["## SWD floor (reals against other reals, `floor.json`)", "",
                  figures.markdown_table(["images", "draws"] + ["%s mean +- sd" % k[8:] for k in
                                                               sorted(floor[min(floor)]["mean"])],
                                         [[c, f["draws"]] + ["%.2f +- %.2f" % (f["mean"][k], f["sd"][k])
                                                             for k in sorted(f["mean"])]
                                          for c, f in sorted(floor.items())])]
    rows = []
    for name, method, record in runs:
        fin = final_measurement(record) or {}
        lo, hi = _load_range(record)
        rows.append([name, record.get("status"), record["global_step"], record["kimg"],
                     record.get("train_cpu_seconds"), record["train_seconds"], record.get("wall_seconds"),
                     "%s-%s" % (_fmt(lo), _fmt(hi)), _lod0_cpu(record) if method == "progressive" else "",
                     fin.get("swd_images")] + [fin.get("SWDx1e3_%d" % r) for r in levels] +
                    [fin.get("SWDx1e3_avg"), fin.get("G_SWDx1e3_avg")])
    lines += ["## Runs (final measurement: SWD x1e3, the most images; lower is better)", "",
              figures.markdown_table(["run", "status", "steps", "kimg", "train CPU s", "train wall s", "wall s",
                                      "load avg (1 min) over ticks", "CPU s to lod 0 (first whole tick)",
                                      "images"] + ["Gs %d" % r for r in levels] + ["Gs avg", "raw G avg"], rows)]
    missing = [n for n in (planned or []) if n not in {name for name, _, _ in runs}]
    if missing:
        lines += ["Not finished when this report was made (no results JSON): " + ", ".join(missing) + ".", ""]
    a = rule_a(runs)
    ag = rule_a(runs, prefix="G_")
    lines += ["## Rule (a): paired difference of final SWD avg (Gs, progressive minus non-progressive)", "",
              figures.markdown_table(["seed", "progressive", "non-progressive", "difference"],
                                     [[p["seed"], p["progressive"], p["non-progressive"], p["difference"]]
                                      for p in a["pairs"]])]
    fl = floor.get(max(floor)) if floor else None
    lines += ["n = %d pairs; mean difference %s, sd %s, 95 %% t interval [%s, %s]. **Decision: %s.**" % (
        a["n"], _fmt(a["mean"], 2), _fmt(a["sd"], 2), _fmt(a["low"], 2), _fmt(a["high"], 2), a["decision"]), ""]
    if fl:
        lines += ["The floor at %d images: %.2f +- %.2f (mean +- sd of %d draws)." % (
            max(floor), fl["mean"]["SWDx1e3_avg"], fl["sd"]["SWDx1e3_avg"], fl["draws"]), ""]
    lines += ["Secondary (not for the decision), raw G: n = %d, mean difference %s, 95 %% t interval [%s, %s]." % (
        ag["n"], _fmt(ag["mean"], 2), _fmt(ag["low"], 2), _fmt(ag["high"], 2)), ""]
    if target is not None:
        per_run, per_arm = rule_b(runs, target)
        lines += ["## Rule (b): training CPU seconds until SWD avg stays <= %.2f (twice the floor at %s images)"
                  % (target, during), "",
                  figures.markdown_table(["run", "CPU s", "kimg"],
                                         [[n, v["cpu_seconds"] if v["cpu_seconds"] is not None else "not reached",
                                           v["kimg"]] for n, v in per_run.items()]),
                  figures.markdown_table(["arm", "runs", "reached", "median CPU s", "range"],
                                         [[m, v["runs"], v["reached"],
                                           _fmt(v["median"]) if v["median"] is not None else "not reached",
                                           "%s-%s" % (_fmt(v["min"]) or "-", _fmt(v["max"]) or "not reached")]
                                          for m, v in per_arm.items()])]
    speed, wall_speed = _speed(runs), _speed(runs, per="seconds")
    paper = _paper_ratios()
    bench_path = os.path.join(out_dir, "bench.json")
    bench = {}
    if os.path.exists(bench_path):
        with open(bench_path) as handle:
            bench = {int(k): v for k, v in json.load(handle)["images_per_second"].items()}
    if speed or bench:
        rows = []
        for res in sorted(set(speed) | set(bench)):
            b = bench.get(res, {})
            rows.append([res, speed.get(res, (None, 0))[0], speed.get(res, (None, 0))[1],
                         wall_speed.get(res, (None, 0))[0], b.get("images_per_cpu_second"),
                         b.get("images_per_cpu_second") / bench[32]["images_per_cpu_second"] if b and 32 in bench
                         else None, b.get("forward_mflop_per_image"), paper.get(res)])
        lines += ["## Images per second per resolution", "",
                  "From the runs' ticks (median over the ticks that start and end at that lod, first tick of "
                  "each run left out) and from the study's bench (`bench.json`, one thread, before the runs). "
                  "The last column: how many times cheaper per image than 32 px the paper's 1024x1024 networks "
                  "are at that resolution, by forward FLOPs (`bench.forward_flops`; the paper gives no "
                  "per-resolution rates).", "",
                  figures.markdown_table(["px", "ticks: images per CPU s", "ticks", "ticks: images per wall s",
                                          "bench: images per CPU s", "bench: x cheaper than 32 px",
                                          "forward MFLOP per image (ours)", "paper nets: x cheaper than 32 px"],
                                         rows)]
    paths = _plots(out_dir, runs, levels, floor)
    samples = _samples(out_dir, runs)
    lines += ["## Figures (the analogue of the paper's Figure 4 a/b)", ""] + [
        "![%s](%s)" % (os.path.basename(p), os.path.basename(p)) for p in paths] + [""]
    lines += ["## Samples (64 fixed latents; progressive: each resolution at the end of its stable phase (32 px: "
              "where its fade ended), then the final Gs and raw G grids)", ""]
    for name, files in samples.items():
        lines.append("- %s: " % name + ", ".join("[%s](samples/%s)" % (f[len(name) + 1:], f) for f in files))
    lines += ["", "## The paper", ""] + ["- " + p for p in PAPER]
    path = os.path.join(out_dir, "REPORT.md")
    fileio.write_text(path, "\n".join(lines) + "\n")
    return path


def _fmt(v, digits=1):
    return "" if v is None else "%.*f" % (digits, v)


def define_flags():
    from absl import flags
    flags.DEFINE_string("out_dir", "results/pggan", "Folder of the study's runs, JSONs and report.")
    flags.DEFINE_list("seeds", ["0", "1", "2", "3", "4"], "Seeds of each method.")
    flags.DEFINE_list("methods", list(METHODS), "progressive, non-progressive.")
    flags.DEFINE_string("preset", "mnist32-study", "scripts/pggan.py's --preset for every run (its networks are "
                        "also the bench's).")
    flags.DEFINE_float("budget_seconds", 1100.0, "Training seconds per run, when --budget_cpu_seconds is 0.")
    flags.DEFINE_float("budget_cpu_seconds", 200.0, "Training CPU seconds per run (the process's, evaluation "
                       "excluded; 0: use --budget_seconds).")
    flags.DEFINE_bool("parallel", True, "Run the methods of one seed at the same time (one process each, one "
                      "thread each), so that both see the same load.")
    flags.DEFINE_bool("schedule_rule", True, "Set each run's phase length by schedule_for (full resolution at a "
                      "third of the budget at the bench's rates) and Gs's half-life to a 72nd of a phase.")
    flags.DEFINE_list("floor_images", ["2048", "8192"], "Image counts at which to measure the SWD floor (reals "
                      "against reals; empty: none).")
    flags.DEFINE_integer("floor_draws", 5, "Draws of the floor at each count.")
    flags.DEFINE_list("pggan_args", [], "More flags for scripts/pggan.py, e.g. --pggan_args=--swd_every=2")
    flags.DEFINE_bool("bench", True, "Measure images/s at 4, 8, 16, 32 px with the preset's networks and "
                      "minibatches, one thread (bench.json), before the runs.")
    flags.DEFINE_integer("bench_steps", 20, "Timed D+G steps per resolution in the benchmark.")
    flags.DEFINE_bool("mode_coverage", False, "Classify each run's final samples with a trained CNN (the digits "
                      "covered); trains golbin's CNN for %d epochs once." % mode_coverage.CLASSIFIER_EPOCHS)
    flags.DEFINE_bool("report_only", False, "Only (re)write the report from the JSONs in --out_dir.")
    flags.DEFINE_float("target_swd", None, "SWD x1e3 (average) whose time to reach is reported (default: twice "
                       "the floor at the during-run image count, from floor.json).")
    flags.DEFINE_string("note", "", "A paragraph for the top of REPORT.md (e.g. what kind of run this was).")
    flags.register_validator("budget_seconds", lambda v: v > 0, message="--budget_seconds must be > 0")
    flags.register_validator("budget_cpu_seconds", lambda v: v >= 0, message="--budget_cpu_seconds must be >= 0")
    flags.register_validator("methods", lambda v: bool(v) and set(v) <= set(METHODS),
                             message="--methods must be a comma list of: %s" % ", ".join(METHODS))


def run_bench(out_dir, preset, steps, threads, log=print):
    """bench.json: images/s and per CPU second at each resolution, ``preset``'s networks and minibatches."""
    from legacy.pggan.bench import bench
    from legacy.pggan.pggan_config import PRESETS
    path = os.path.join(out_dir, "bench.json")
    if os.path.exists(path):
        with open(path) as handle:
            return json.load(handle)
    p = PRESETS[preset]
    sizes = dict((int(k), int(v)) for k, v in (i.split(":") for i in p.get("minibatch_sizes") or [])) or \
        p.get("batch_size", 32)
    loadavg = list(os.getloadavg())
    record = bench(fmap_base=p["fmap_base"], fmap_max=p["fmap_max"], batch=sizes, steps=steps, profile_steps=0,
                   threads=threads, log=log)
    record.update(preset=preset, loadavg_before=loadavg, loadavg_after=list(os.getloadavg()),
                  environment=results.environment())
    fileio.write_json(path, record)
    return record


def main(_):
    from absl import flags
    f = flags.FLAGS
    try:
        seeds = [int(s) for s in f.seeds]
        floor_counts = [int(c) for c in f.floor_images]
    except ValueError:
        raise UsageError("--seeds=%s / --floor_images=%s: not all integers" % (",".join(f.seeds),
                                                                               ",".join(f.floor_images)))
    try:
        os.makedirs(f.out_dir, exist_ok=True)
    except OSError as err:
        raise UsageError("--out_dir=%s: cannot create it (%s)" % (f.out_dir, err.strerror))
    start = time.time()
    if not f.report_only:
        if floor_counts:
            measure_floor(f.out_dir, floor_counts, f.floor_draws)
        extra = ["--preset=%s" % f.preset]
        if f.parallel:
            extra += ["--intra_op_threads=1", "--inter_op_threads=1"]
        if f.bench or f.schedule_rule:
            bench_record = run_bench(f.out_dir, f.preset, f.bench_steps, 1 if f.parallel else 0)
        if f.schedule_rule:
            rates = {int(r): v["images_per_cpu_second"] for r, v in bench_record["images_per_second"].items()}
            kimg = round(schedule_for(rates, f.budget_cpu_seconds or f.budget_seconds), 1)
            extra += ["--lod_training_kimg=%g" % kimg, "--lod_transition_kimg=%g" % kimg,
                      "--g_smoothing_kimg=%.4f" % (kimg * SMOOTHING_PER_PHASE)]
            print("pggan study: schedule rule: %g kimg per phase and per fade, Gs half-life %.4f kimg "
                  "(bench images per CPU second %s)" % (kimg, kimg * SMOOTHING_PER_PHASE, rates))
        run_all(f.out_dir, seeds, f.budget_seconds, extra=extra + list(f.pggan_args), methods=tuple(f.methods),
                budget_cpu_seconds=f.budget_cpu_seconds, parallel=f.parallel)
        if f.mode_coverage:
            measure_coverage(f.out_dir)
        print("pggan study: runs took %.0f s" % (time.time() - start))
    planned = [name for name, _, _ in plan(seeds, tuple(f.methods))]
    print("pggan study: report in %s" % report(f.out_dir, f.target_swd, note=f.note, planned=planned))
