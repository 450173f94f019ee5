"""The cluster's measured figures on this machine, printed and saved as JSON:

    python -m legacy.distributed.cluster_bench [--models=dnn4,cnn-swu] [--steps=100] [--out=FILE]

For each model: one process (the script without cluster flags), then
through scripts/launch_cluster.py W = 1 and W = 2 workers with 1 ps, and
W = 2 with 2 ps placed round-robin and by byte size (``--ps_placement``).
Every run trains ``steps`` steps of batch 100 (``--train_limit`` =
100 * steps, one epoch, feed input, dropout off) and reports what its
results JSON holds: steps/s, bytes over the loopback interface per step (in
the launcher's private network namespace nothing else uses it), the bytes
of trainable variables on each ps (what each ps sends and receives per
worker and step) and the remote calls of one step (RunGraph and RecvTensor,
from the chief's partition graphs). Each row carries the CPU model and the
load average (1 min) before and after the run: on a shared machine the
speed figures are only as good as that load.
"""
import argparse
import json
import os
import subprocess
import sys
import time

from legacy.results import cpu_model

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPTS = {"dnn4": ["scripts/mnist_dnn.py"], "cnn-swu": ["scripts/mnist_cnn.py", "--variant=swu"]}
SETUPS = [  # (name, ps, workers, placement); ps 0: one process
    ("one process", 0, 0, None),
    ("W=1, 1 ps", 1, 1, "round_robin"),
    ("W=2, 1 ps", 1, 2, "round_robin"),
    ("W=2, 2 ps, round-robin", 2, 2, "round_robin"),
    ("W=2, 2 ps, bytes", 2, 2, "bytes"),
]


def load_average():
    with open("/proc/loadavg") as handle:
        return float(handle.read().split()[0])


def run(model, name, ps, workers, placement, steps, folder, python=sys.executable):
    os.makedirs(folder, exist_ok=True)
    out = os.path.join(folder, "%s-%s.json" % (model, name.replace(" ", "").replace(",", "_")))
    flags = ["--epochs=1", "--train_limit=%d" % (100 * steps), "--batch_size=100", "--keep_prob=1.0",
             "--input=feed", "--download=false", "--data_dir=" + os.path.join(REPO, "data", "mnist"),
             "--logdir=" + out[:-5], "--output=" + out]
    if ps:
        argv = [python, "scripts/launch_cluster.py", "--ps=%d" % ps, "--workers=%d" % workers, "--"] + \
            SCRIPTS[model] + flags + ["--ps_placement=" + placement]
    else:
        argv = [python] + SCRIPTS[model] + flags
    load_before, started = load_average(), time.time()
    proc = subprocess.run(argv, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True)
    if proc.returncode != 0:
        raise SystemExit("bench: %s %s failed (exit %d):\n%s" % (model, name, proc.returncode, proc.stdout[-3000:]))
    with open(out) as handle:
        record = json.load(handle)
    row = {"model": model, "setup": name, "ps": ps, "workers": workers, "placement": placement,
           "wall_seconds": round(time.time() - started, 1), "load_before": load_before,
           "load_after": load_average(), "tensorflow": record["environment"]["tensorflow"]}
    if ps:
        shares = record.get("ps_trainable_bytes") or {}
        total = float(sum(shares.values())) or 1.0
        row.update(steps_per_second=record["steps_per_second"],
                   loopback_bytes_per_step=record["loopback_bytes_per_step"],
                   parameter_bytes=record["parameter_bytes"], ps_trainable_bytes=shares,
                   busiest_ps_share=max(shares.values()) / total if shares else None,
                   rpcs_per_step=record.get("rpcs_per_step"))
    else:
        seconds = record["seconds_per_epoch"][0]
        row.update(steps_per_second=steps / seconds if seconds else None)
    return row


def describe(row):
    text = "%-8s %-24s %7.2f steps/s" % (row["model"], row["setup"], row["steps_per_second"] or 0.0)
    if row["ps"]:
        text += "  %6.2f MB/step = %.2f P" % (row["loopback_bytes_per_step"] / 1e6,
                                              row["loopback_bytes_per_step"] / row["parameter_bytes"])
        text += "  busiest ps %.1f %% of %d B" % (100 * row["busiest_ps_share"], row["parameter_bytes"])
        rpcs = row["rpcs_per_step"] or {}
        text += "  RunGraph %s, RecvTensor %s per step" % (rpcs.get("run_graph"), rpcs.get("recv_tensor"))
    return text + "  (load %.1f -> %.1f)" % (row["load_before"], row["load_after"])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default="dnn4,cnn-swu")
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--out", default="")
    parser.add_argument("--folder", default="/tmp/swu-cluster-bench")
    args = parser.parse_args(argv)
    models = [m for m in args.models.split(",") if m]
    unknown = [m for m in models if m not in SCRIPTS]
    if unknown:
        parser.error("--models: %s unknown; use %s" % (", ".join(unknown), ",".join(SCRIPTS)))
    os.makedirs(args.folder, exist_ok=True)
    rows = []
    print("bench: CPU %s, %d CPUs, %d steps of batch 100 per run" % (cpu_model(), os.cpu_count(), args.steps))
    for model in models:
        for name, ps, workers, placement in SETUPS:
            row = run(model, name, ps, workers, placement, args.steps,
                      os.path.join(args.folder, time.strftime("%H%M%S")))
            rows.append(row)
            print(describe(row))
            sys.stdout.flush()
    report = {"cpu": cpu_model(), "cpu_count": os.cpu_count(), "steps": args.steps,
              "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "rows": rows}
    if args.out:
        with open(args.out, "w") as handle:
            json.dump(report, handle, indent=1)
        print("bench: figures in %s" % args.out)
    return report


if __name__ == "__main__":
    main()
