#!/usr/bin/env python3
"""Same seeds, same results: every script run at two revisions, its outputs compared bit for bit.

    python3 tools/compare_runs.py --before=/work/wt-f9e0229 --after=. --lane=tf1 \\
        --output=docs/records/house/compare-tf1.json

Each case below is one script with small flags (a tiny --train_limit / --epochs / --steps).
For each revision it runs, with that revision's checkout as the working directory and its
lane's venv (``<checkout>/.venv`` or ``.venv-tf2``), the same command line, writing into the
same absolute scratch folder (so every path a results JSON records is the same string on both
sides); the folder is then moved aside and the next side runs. What is compared:

- every ``*.json`` the run wrote, value by value, except the EXCLUDED fields below;
- every ``*.csv`` table cell by cell, without its timing columns (a header that is a timing
  key below, e.g. a grid's ``seconds``);
- every ``*.png`` and checkpoint ``*.data-*`` / ``*.index`` file, byte for byte (the final
  weights themselves, not only the printed costs);
- for ``fetch_mnist`` (which writes no file when the data is there), its printed lines.

Not compared: TensorBoard event files (each event carries its wall time), logs, locks,
REPORT.md files (they quote timings and revisions) and checkpoint ``.meta`` graphs.

EXCLUDED (a key of a JSON object anywhere in the tree, by name; every excluded path met is
listed in the output):

- ``environment`` (git revision, Python/TF/numpy versions, platform, CPU): says where and at
  which revision a run was made, which is what differs on purpose;
- timing: keys named ``finished``, ``started``, ``elapsed``, or containing ``seconds`` or
  ``per_second`` (``wall_seconds``, ``seconds_per_epoch``, ``script_seconds``,
  ``train_seconds``, ``eval_seconds``, ``images_per_second``, ...): wall-clock measurements,
  never equal twice;
- ``launch_cluster`` only: the loopback port numbers inside strings (``ps_hosts``,
  ``worker_hosts``, ``command``: the launcher takes free ports at run time), masked, and
  ``loopback_bytes_per_step`` (a count of the machine's loopback traffic during the run);
- ``benchmark`` only: its JSON is measurements (img/s, ms, GFLOP/s, load averages); it is
  compared for its keys (the same models, inputs and fields), its strings and its non-measured
  numbers (``BENCH_KEEP``: batch size, windows, FLOP counts per image and step, CPU counts),
  every other number excluded as a measurement.

A case that differs is run a second time at --after (``--repeat``): if the two runs at the same
revision differ too, the script is not deterministic at all (threads, time budgets) and the
difference is not the move's; the output says which.

Figures, not pass/fail for a test suite: the exit code is 1 when any case differs between the
revisions and is deterministic at --after, so that it can gate a commit by hand.
"""
import argparse
import csv
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time

MNIST = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "mnist")

# name -> (script, [flags]); {S} is the scratch folder, {D} the MNIST folder, {LANE} tf1/tf2.
CASES = [
    ("fetch_mnist", "scripts/fetch_mnist.py", ["--data_dir={S}/mnist"]),
    ("make_data_height_weight", "scripts/make_data.py", ["height_weight", "--n=50", "--seed=3",
                                                         "--output={S}/height_weight.csv"]),
    ("make_data_animals", "scripts/make_data.py", ["animals", "--output={S}/animals.csv"]),
    ("mnist_dnn", "scripts/mnist_dnn.py", ["--epochs=2", "--train_limit=2000", "--keep_prob=0.8",
                                           "--eval_keep_prob=0.8", "--seed=1"]),
    ("mnist_dnn_bn_lab", "scripts/mnist_dnn.py", ["--preset=bn-lab", "--batch_norm", "--epochs=1",
                                                  "--train_limit=640"]),
    ("mnist_cnn_swu", "scripts/mnist_cnn.py", ["--variant=swu", "--epochs=1", "--train_limit=300",
                                               "--optimizer=adam", "--learning_rate=0.001"]),
    ("mnist_cnn_golbin", "scripts/mnist_cnn.py", ["--epochs=1", "--train_limit=300"]),
    ("linear_regression", "scripts/linear_regression.py", ["--steps=30"]),
    ("logistic_regression", "scripts/logistic_regression.py", ["--steps=30"]),
    ("logistic_regression_softmax", "scripts/logistic_regression.py", ["--model=softmax", "--epochs=1",
                                                                       "--train_limit=1000"]),
    ("animals_dnn", "scripts/animals_dnn.py", ["--steps=30"]),
    ("compare_optimizers", "scripts/compare_optimizers.py", ["--model=dnn4", "--optimizers=gd,adam",
                                                             "--epochs=1", "--train_limit=500"]),
    ("lr_sweep", "scripts/lr_sweep.py", ["--model=dnn4", "--learning_rates=0.1,1", "--epochs=1",
                                         "--train_limit=500"]),
    ("reproduce", "scripts/reproduce.py", ["--lane={LANE}", "--only=linear_regression,animals_code",
                                           "--seeds=1", "--results_dir={S}/results"]),
    ("benchmark", "scripts/benchmark.py", ["--models=dnn4", "--inputs=graph", "--windows=3",
                                           "--output={S}/bench.json"]),
    ("plot_scalars", "scripts/plot_scalars.py", ["--logdir={S}/events", "--output={S}/scalars.png",
                                                 "--title=compare_runs"]),
    ("word2vec", "scripts/word2vec.py", ["--steps=30"]),
    ("rnn_mnist", "scripts/rnn_mnist.py", ["--epochs=1", "--train_limit=500"]),
    ("autocomplete", "scripts/autocomplete.py", ["--epochs=5"]),
    ("seq2seq", "scripts/seq2seq.py", ["--epochs=5"]),
    ("autoencoder", "scripts/autoencoder.py", ["--epochs=1", "--train_limit=500"]),
    ("gan", "scripts/gan.py", ["--epochs=1", "--train_limit=500"]),
    ("dqn", "scripts/dqn.py", ["--epochs=2", "--steps=20", "--observe=50", "--eval_episodes=2"]),
    ("pggan", "scripts/pggan.py", ["--total_kimg=0.4", "--lod_training_kimg=0.05",
                                   "--lod_transition_kimg=0.05", "--tick_steps=2", "--swd_images=64",
                                   "--swd_every=2"]),
    ("pggan_study", "scripts/pggan_study.py", ["--methods=progressive", "--seeds=0", "--budget_seconds=3600",
                                               "--nobench", "--nomode_coverage", "--out_dir={S}/study",
                                               "--pggan_args=--total_kimg=0.2,--lod_training_kimg=0.05,"
                                               "--lod_transition_kimg=0.05,--tick_steps=2,--swd_images=64,"
                                               "--swd_every=2"]),
    ("mnist_tensorpack", "scripts/mnist_tensorpack.py", ["--epochs=1", "--train_limit=500"]),
    ("launch_cluster", "scripts/launch_cluster.py", ["--ps=1", "--workers=2", "--",
                                                     "scripts/mnist_dnn.py", "--epochs=1",
                                                     "--train_limit=1000", "--data_dir={D}",
                                                     "--output={S}/cluster.json",
                                                     "--logdir={S}/cluster-run"]),
]
# Scripts that train and take --output / --logdir / --data_dir (the rest name their outputs above).
RUN_FLAGS = ["--output={S}/results.json", "--logdir={S}/run"]
DATA_FLAG = "--data_dir={D}"
NO_RUN_FLAGS = {"fetch_mnist", "make_data_height_weight", "make_data_animals", "reproduce", "benchmark",
                "plot_scalars", "pggan_study", "launch_cluster"}
NO_DATA_FLAG = {"fetch_mnist", "make_data_height_weight", "make_data_animals", "linear_regression",
                "logistic_regression", "animals_dnn", "plot_scalars", "word2vec", "autocomplete", "seq2seq",
                "dqn", "pggan_study", "launch_cluster"}

META = "compare_runs.meta"  # each kept run's command, exit code and seconds (not compared)
TIMING = re.compile(r"^(finished|started|elapsed)$|seconds|per_second")
# benchmark's numbers that are settings or counts, not measurements (every other number of its JSON is one).
BENCH_KEEP = {"batch_size", "windows", "window_steps", "repeats", "n", "MatMul", "per_image", "per_step",
              "cpu_count", "logical_cpus"}
COMPARED_BYTES = re.compile(r"\.(csv|png)$|\.data-\d+-of-\d+$|\.index$")


# launch_cluster: the launcher picks free loopback ports at run time, so the cluster flags (and the
# command line that holds them) name other ports in every run; they are compared with the port
# numbers masked. Its traffic counter is a measurement of the machine's loopback, not a result.
PORT = re.compile(r"127\.0\.0\.1:\d+")
CLUSTER_MEASURED = ("loopback_bytes_per_step",)


def excluded(key, case):
    if key == "environment":
        return "environment"
    if TIMING.search(key):
        return "timing"
    if case == "launch_cluster" and key in CLUSTER_MEASURED:
        return "measured loopback traffic"
    return None


def compare_json(a, b, case, path, diffs, skipped):
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            sub = "%s.%s" % (path, key)
            why = excluded(key, case)
            if why:
                skipped.setdefault(re.sub(r"\[\d+\]", "[]", sub), why)
                continue
            if key not in a or key not in b:
                diffs.append({"path": sub, "before": a.get(key, "<missing>"), "after": b.get(key, "<missing>")})
                continue
            compare_json(a[key], b[key], case, sub, diffs, skipped)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            compare_json(x, y, case, "%s[%d]" % (path, i), diffs, skipped)
    elif case == "benchmark" and _number(a) and _number(b) and re.sub(r"\[\d+\]$", "", path.rsplit(".", 1)[-1]) \
            not in BENCH_KEEP:
        skipped.setdefault(re.sub(r"\[\d+\]", "[]", path), "timing (benchmark measurement)")
    elif case == "launch_cluster" and isinstance(a, str) and isinstance(b, str) and PORT.search(a):
        if PORT.sub("127.0.0.1:<port>", a) != PORT.sub("127.0.0.1:<port>", b):
            diffs.append({"path": path, "before": a, "after": b})
        else:
            skipped.setdefault(re.sub(r"\[\d+\]", "[]", path), "loopback port numbers masked")
    elif not (a == b and type(a) == type(b)):
        diffs.append({"path": path, "before": a, "after": b})


def _number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _csv_without_timing(path, rel, skipped):
    """The rows of a CSV table, without the columns whose header is a timing key (a grid's
    ``seconds``)."""
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        return rows
    drop = [i for i, name in enumerate(rows[0]) if TIMING.search(name)]
    for i in drop:
        skipped.setdefault("%s:%s" % (rel, rows[0][i]), "timing (CSV column)")
    return [[v for i, v in enumerate(row) if i not in drop] for row in rows]


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def files(root):
    out = {}
    for dirpath, _, names in os.walk(root):
        for name in names:
            full = os.path.join(dirpath, name)
            out[os.path.relpath(full, root)] = full
    return out


def compare_dirs(before, after, case):
    """(compared file names, differences, excluded field paths)."""
    fa, fb = files(before), files(after)
    diffs, skipped, compared = [], {}, []
    for rel in sorted(set(fa) | set(fb)):
        kind = "json" if rel.endswith(".json") else "bytes" if COMPARED_BYTES.search(rel) else None
        if kind is None or rel.startswith("stdout") or rel.startswith("mnist/"):
            continue
        if rel not in fa or rel not in fb:
            diffs.append({"file": rel, "before": rel in fa, "after": rel in fb, "path": "<file present>"})
            continue
        compared.append(rel)
        if kind == "json":
            with open(fa[rel]) as x, open(fb[rel]) as y:
                a, b = json.load(x), json.load(y)
            d = []
            compare_json(a, b, case, "", d, skipped)
            for item in d:
                item["file"] = rel
            diffs += d
        elif rel.endswith(".csv"):
            a, b = _csv_without_timing(fa[rel], rel, skipped), _csv_without_timing(fb[rel], rel, skipped)
            if a != b:
                rows = [i for i, (x, y) in enumerate(zip(a, b)) if x != y] or [min(len(a), len(b))]
                diffs.append({"file": rel, "path": "<row %d>" % rows[0],
                              "before": a[rows[0]] if rows[0] < len(a) else "<missing>",
                              "after": b[rows[0]] if rows[0] < len(b) else "<missing>"})
        elif sha256(fa[rel]) != sha256(fb[rel]):
            diffs.append({"file": rel, "path": "<bytes>", "before": sha256(fa[rel])[:16],
                          "after": sha256(fb[rel])[:16]})
    if case == "fetch_mnist":
        compared.append("stdout")
        with open(os.path.join(before, "stdout.txt")) as x, open(os.path.join(after, "stdout.txt")) as y:
            a, b = x.read(), y.read()
        if a != b:
            diffs.append({"file": "stdout", "path": "<text>", "before": a[-300:], "after": b[-300:]})
    return compared, diffs, skipped


def run_case(name, script, flags, checkout, python, scratch, lane, dest, events_from):
    if os.path.exists(scratch):
        shutil.rmtree(scratch)
    os.makedirs(scratch)
    if name == "fetch_mnist":
        shutil.copytree(MNIST, os.path.join(scratch, "mnist"))
    if name == "plot_scalars":
        src = os.path.join(events_from, "run")
        os.makedirs(os.path.join(scratch, "events"))
        for path in glob.glob(os.path.join(src, "events.out.tfevents.*")):
            shutil.copy(path, os.path.join(scratch, "events"))
    args = list(flags)
    if name not in NO_RUN_FLAGS:
        args += RUN_FLAGS
    if name not in NO_DATA_FLAG:
        args.append(DATA_FLAG)
    argv = [python, script] + [a.format(S=scratch, D=MNIST, LANE=lane) for a in args]
    start = time.time()
    with open(os.path.join(scratch, "stdout.txt"), "w") as out, open(os.path.join(scratch, "stderr.txt"), "w") as err:
        code = subprocess.call(argv, cwd=checkout, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    seconds = time.time() - start
    if os.path.exists(dest):
        shutil.rmtree(dest)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    shutil.move(scratch, dest)
    meta = {"argv": [os.path.relpath(argv[0], checkout)] + argv[1:], "exit": code, "seconds": round(seconds, 1)}
    with open(os.path.join(dest, META), "w") as handle:
        json.dump(meta, handle)
    return meta


def kept_run(dest):
    """The metadata of a run kept in ``dest`` by an earlier call (--compare_only)."""
    with open(os.path.join(dest, META)) as handle:
        return json.load(handle)


def revision(checkout):
    return subprocess.check_output(["git", "-C", checkout, "rev-parse", "HEAD"]).decode().strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", required=True, help="checkout of the revision before (a git worktree)")
    parser.add_argument("--after", required=True, help="checkout of the revision after")
    parser.add_argument("--lane", choices=["tf1", "tf2"], default="tf1")
    parser.add_argument("--cases", default="", help="comma list of case names (default: all)")
    parser.add_argument("--work", default="/tmp/compare_runs", help="scratch and kept outputs")
    parser.add_argument("--no-repeat", dest="repeat", action="store_false",
                        help="do not re-run a differing case at --after")
    parser.add_argument("--output", default="", help="JSON record of the comparison")
    parser.add_argument("--compare_only", action="store_true",
                        help="run nothing: compare the outputs a previous call kept in --work")
    args = parser.parse_args()
    venv = ".venv" if args.lane == "tf1" else ".venv-tf2"
    wanted = [c for c in args.cases.split(",") if c]
    unknown = set(wanted) - {c[0] for c in CASES}
    if unknown:
        parser.error("--cases: unknown %s; known: %s" % (", ".join(sorted(unknown)), ", ".join(c[0] for c in CASES)))
    sides = {"before": os.path.abspath(args.before), "after": os.path.abspath(args.after)}
    for side, checkout in sides.items():
        if not os.path.exists(os.path.join(checkout, venv, "bin", "python")):
            parser.error("--%s: no %s/bin/python in %s (link the lane's venv there)" % (side, venv, checkout))
    scratch = os.path.join(args.work, "scratch")
    record = {"lane": args.lane, "revisions": {s: revision(c) for s, c in sides.items()},
              "excluded_rule": {"environment": "key 'environment'",
                                "timing": "key equal to finished/started/elapsed or containing "
                                          "'seconds' or 'per_second'; benchmark: every measured number"},
              "cases": []}
    failed = 0
    for name, script, flags in CASES:
        if wanted and name not in wanted:
            continue
        entry = {"case": name}
        for side, checkout in sides.items():
            python = os.path.join(checkout, venv, "bin", "python")
            dest = os.path.join(args.work, args.lane, side, name)
            if args.compare_only:
                entry[side] = kept_run(dest)
                continue
            entry[side] = run_case(name, script, flags, checkout, python, scratch, args.lane, dest,
                                   os.path.join(args.work, args.lane, side, "mnist_dnn"))
        before = os.path.join(args.work, args.lane, "before", name)
        after = os.path.join(args.work, args.lane, "after", name)
        compared, diffs, skipped = compare_dirs(before, after, name)
        # A comparison counts only when both runs succeeded and wrote something to compare.
        entry.update(compared=compared, identical=not diffs and bool(compared)
                     and entry["before"]["exit"] == entry["after"]["exit"] == 0,
                     differences=diffs[:20], n_differences=len(diffs), excluded=skipped)
        again = os.path.join(args.work, args.lane, "after-again", name)
        if not entry["identical"] and args.compare_only and os.path.exists(os.path.join(again, META)):
            entry["after_again"] = kept_run(again)
            _, self_diffs, _ = compare_dirs(after, again, name)
            entry["deterministic_at_after"] = not self_diffs
            entry["n_differences_after_vs_again"] = len(self_diffs)
        elif not entry["identical"] and args.repeat and not args.compare_only:
            entry["after_again"] = run_case(name, script, flags, sides["after"],
                                            os.path.join(sides["after"], venv, "bin", "python"), scratch,
                                            args.lane, again, os.path.join(args.work, args.lane, "after", "mnist_dnn"))
            _, self_diffs, _ = compare_dirs(after, again, name)
            entry["deterministic_at_after"] = not self_diffs
            entry["n_differences_after_vs_again"] = len(self_diffs)
        if not entry["identical"] and entry.get("deterministic_at_after", True):
            failed += 1
        print("%-28s %-9s exit %s/%s  %d files compared, %d differences%s, %.0f s / %.0f s" % (
            name, "IDENTICAL" if entry["identical"] else "DIFFERS", entry["before"]["exit"], entry["after"]["exit"],
            len(compared), len(diffs),
            "" if entry["identical"] or "deterministic_at_after" not in entry else
            (" (after vs after again: %d: %s)" % (entry["n_differences_after_vs_again"],
                                                  "deterministic" if entry["deterministic_at_after"]
                                                  else "not deterministic itself")),
            entry["before"]["seconds"], entry["after"]["seconds"]), flush=True)
        record["cases"].append(entry)
    record["summary"] = {"cases": len(record["cases"]),
                         "identical": sum(c["identical"] for c in record["cases"]),
                         "differ_deterministic": failed,
                         "differ_nondeterministic": sum(1 for c in record["cases"]
                                                        if c.get("deterministic_at_after") is False)}
    print("summary: %(cases)d cases, %(identical)d identical, %(differ_deterministic)d differ (deterministic at "
          "--after), %(differ_nondeterministic)d differ and differ from themselves too" % record["summary"])
    if args.output:
        with open(args.output, "w") as handle:
            json.dump(record, handle, indent=1, sort_keys=True, default=str)
            handle.write("\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
