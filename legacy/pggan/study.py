"""The paper's §6.2 ("Convergence and training speed") at CPU scale: progressive
against non-progressive training of the same networks on MNIST-32, each run
given the same training-time budget, for several seeds; then a report.

    scripts/pggan_study.py --out_dir=results/pggan --budget_seconds=1100 --seeds=0,1
    scripts/pggan_study.py --out_dir=results/pggan --report_only

Each run is one ``scripts/pggan.py`` invocation (printed, so it can be re-run
by hand) writing ``<out_dir>/<name>.json`` and its run folder under
``<out_dir>/runs/<name>``. A run whose JSON says "ok" with the same flags is
not run again; one with a checkpoint but no finished JSON is resumed. The
report (``REPORT.md``, ``swd_vs_seconds.png``, ``swd_vs_kimg.png``,
``images_per_second.png``, ``samples/``) is made from the JSONs alone.

Example: python scripts/pggan_study.py --out_dir=results/pggan --budget_seconds=1100 --seeds=0,1
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


def time_to(evaluations, target, key="SWDx1e3_avg"):
    """(train seconds, kimg) of the evaluation from which on the run stays at
    or below ``target`` (None, None if it ends above it). "Stays": an early
    dip does not count (SWD of an untrained or 4x4 generator can be low by
    chance: each set's descriptors are normalised by its own statistics), and
    the step-0 measurement is never a time to reach anything."""
    found = (None, None)
    for e in reversed([e for e in evaluations if key in e and e["step"] > 0]):
        if e[key] > target:
            break
        found = (e["train_seconds"], e["kimg"])
    return found


def _spread(values):
    values = [v for v in values if v is not None]
    if not values:
        return None, None, None
    return float(np.mean(values)), float(np.min(values)), float(np.max(values))


def _plots(out_dir, runs, levels):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    colours = {"progressive": "tab:blue", "non-progressive": "tab:red"}
    paths = []
    for xkey, stem, xlabel in (("train_seconds", "swd_vs_seconds", "training seconds (evaluation excluded)"),
                               ("kimg", "swd_vs_kimg", "thousands of real images shown to D")):
        fig, axes = plt.subplots(1, len(levels) + 1, figsize=(4.2 * (len(levels) + 1), 3.6), squeeze=False)
        for ax, key in zip(axes[0], ["SWDx1e3_%d" % r for r in levels] + ["SWDx1e3_avg"]):
            for name, method, record in runs:
                ev = [e for e in record["evaluations"] if key in e]
                ax.plot([e[xkey] for e in ev], [e[key] for e in ev], color=colours.get(method, "k"), alpha=0.8,
                        label=name)
            ax.set_title(key.replace("SWDx1e3_", "SWD x1e3, ") + ("" if key.endswith("avg") else " px"))
            ax.set_xlabel(xlabel)
            ax.set_yscale("log")
        axes[0][0].legend(fontsize=7)
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


def _speed(runs):
    """Mean images/s of the ticks spent entirely at one integer lod, per resolution."""
    per = collections.defaultdict(list)
    for _, _, record in runs:
        ticks = record["ticks"]
        for prev, tick in zip([None] + ticks[:-1], ticks):
            start_lod = prev["lod"] if prev else None
            if start_lod is not None and start_lod == tick["lod"] and float(tick["lod"]).is_integer():
                per[32 >> int(tick["lod"])].append(tick["images_per_second"])
    return {res: float(np.mean(v)) for res, v in sorted(per.items())}


def report(out_dir, target=None, title="PGGAN §6.2 at CPU scale", note=""):
    runs = load_runs(out_dir)
    if not runs:
        raise UsageError("pggan study: no run JSONs in %s; run the study first" % out_dir)
    levels = sorted({int(k.split("_")[1]) for _, _, r in runs for e in r["evaluations"] for k in e
                     if k.startswith("SWDx1e3_") and k[8:].isdigit()}, reverse=True)
    finals = {name: r["evaluations"][-1] for name, _, r in runs if r["evaluations"]}
    if target is None:  # the worst final average: every run reaches it, so the times compare
        target = max(f["SWDx1e3_avg"] for f in finals.values())
    lines = ["# %s" % title, ""]
    if note:
        lines += [note, ""]
    env = runs[0][2]["environment"]
    lines += ["CPU: %s (%s cores), TensorFlow %s, git %s." % (env["cpu"], env["cpu_count"], env["tensorflow"],
                                                             env["git_revision"]), ""]
    headers = ["run", "kimg", "train s", "steps"] + ["SWD %d" % r for r in levels] + [
        "SWD avg", "s until SWD avg stays <= %.1f" % target, "kimg to it"]
    rows = []
    for name, method, record in runs:
        final = finals.get(name, {})
        secs, kimg = time_to(record["evaluations"], target)
        rows.append([name, record["kimg"], record["train_seconds"], record["global_step"]]
                    + [final.get("SWDx1e3_%d" % r) for r in levels] + [final.get("SWDx1e3_avg"), secs, kimg])
    lines += ["## Runs (SWD x10^3 of the last evaluation; lower is better)", "",
              figures.markdown_table(headers, rows)]
    summary = []
    for method in METHODS:
        mine = [(n, r) for n, m, r in runs if m == method]
        if not mine:
            continue
        final = _spread([finals[n]["SWDx1e3_avg"] for n, _ in mine if n in finals])
        reach = _spread([time_to(r["evaluations"], target)[0] for _, r in mine])
        summary.append([method, len(mine), final[0], "%s-%s" % (_fmt(final[1]), _fmt(final[2])), reach[0],
                        "%s-%s" % (_fmt(reach[1]), _fmt(reach[2]))])
    lines += ["## Per method (mean, and min-max over seeds)", "",
              figures.markdown_table(["method", "seeds", "final SWD avg", "range", "s to target", "range"],
                                     summary)]
    speed = _speed(runs)
    if speed:
        lines += ["## Training images/s per resolution (ticks wholly at one resolution, from the runs)", "",
                  figures.markdown_table(["resolution", "images/s"], [[r, v] for r, v in speed.items()])]
    bench_path = os.path.join(out_dir, "bench.json")
    if os.path.exists(bench_path):
        with open(bench_path) as handle:
            bench = json.load(handle)
        lines += ["## Benchmark: images/s of a D+G step (scripts/pggan_study.py --bench)", "",
                  figures.markdown_table(["resolution", "images/s", "images per CPU second"],
                                         [[r, v["images_per_second"], v.get("images_per_cpu_second")]
                                          for r, v in bench["images_per_second"].items()]),
                  "Op time at 32 px (share of summed op time, TF step trace):", "",
                  figures.markdown_table(["op", "share", "us/step"],
                                         [[p["op"], p["share"], p["micros_per_step"]]
                                          for p in bench["profile_32px"][:8]])]
    lines += _coverage_lines(out_dir)
    paths = _plots(out_dir, runs, levels)
    sample_dir = os.path.join(out_dir, "samples")
    os.makedirs(sample_dir, exist_ok=True)
    for name, _, record in runs:
        logdir = record["logdir"]
        pngs = sorted(f for f in os.listdir(logdir) if f.startswith("fakes")) if os.path.isdir(logdir) else []
        if pngs:
            shutil.copy(os.path.join(logdir, pngs[-1]), os.path.join(sample_dir, name + "-final.png"))
    lines += ["## Figures", ""] + ["![%s](%s)" % (os.path.basename(p), os.path.basename(p)) for p in paths] + [
        "", "Final samples (Gs, the EMA generator): " + ", ".join(
            "[%s](samples/%s-final.png)" % (n, n) for n, _, _ in runs), "", "## The paper", ""] + [
        "- " + p for p in PAPER]
    path = os.path.join(out_dir, "REPORT.md")
    fileio.write_text(path, "\n".join(lines) + "\n")
    return path


def _fmt(v):
    return "" if v is None else "%.1f" % v


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
    print("pggan study: report in %s" % report(f.out_dir, f.target_swd, note=f.note))
