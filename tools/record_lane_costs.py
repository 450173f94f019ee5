#!/usr/bin/env python
"""Record per-epoch costs of the lane-agreement cases in this lane.

Runs each case's command (a script with fixed flags and seed: mnist_dnn.py,
and short runs of golbin's rnn_mnist.py, gan.py and dqn.py) in
the interpreter that runs this tool, and stores the costs, accuracies and
environment under ``lanes.<tf1|tf2>.<case>`` in data/reference/lane_costs.json.
tests/test_lane_agreement.py compares a fresh run in either lane with the
TF 1.15 lane's numbers stored here.

    .venv/bin/python tools/record_lane_costs.py              # the TF 1.15 reference
    .venv-tf2/bin/python tools/record_lane_costs.py          # the TF 2 lane, for the record
    .venv/bin/python tools/record_lane_costs.py --full       # also the full-data cases (minutes)
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)
REFERENCE = os.path.join(REPO, "data", "reference", "lane_costs.json")


# What a case's record keeps of the results JSON, when the script writes it.
KEPT = ("epoch_avg_cost", "epoch_phase_costs", "validation_accuracy", "test_accuracy", "episode_rewards",
        "greedy_rewards")


def case_command(case, data_dir, out):
    """The case's script with its args, the MNIST folder (not for the DQN's game) and the results path."""
    cmd = [sys.executable, os.path.join(REPO, "scripts", case["script"])] + case["args"]
    if case.get("mnist", True):
        cmd.append("--data_dir=" + data_dir)
    return cmd + ["--output=" + out]


def keep(record):
    return {k: record[k] for k in KEPT if record.get(k) is not None}


def run_case(case, data_dir):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "r.json")
        cmd = case_command(case, data_dir, out) + ["--logdir=" + os.path.join(tmp, "run")]
        subprocess.run(cmd, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
        with open(out) as handle:
            record = json.load(handle)
    env = record["environment"]
    kept = {"command": "python scripts/%s %s" % (case["script"], " ".join(case["args"]))}
    kept.update(keep(record))
    kept.update({
        "seconds_per_epoch": [round(s, 2) for s in record["seconds_per_epoch"]],
        "environment": {k: env[k] for k in ("python", "tensorflow", "numpy", "cpu", "cpu_count", "git_revision")},
        "TF_ENABLE_ONEDNN_OPTS": os.environ.get("TF_ENABLE_ONEDNN_OPTS"),
    })
    return kept


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="also the full-data cases (slow)")
    parser.add_argument("--cases", default="", help="comma list of case names (default: all selected)")
    parser.add_argument("--data_dir", default=os.path.join(REPO, "data", "mnist"))
    args = parser.parse_args()

    import legacy  # noqa: F401  (sets TF's environment as every script does)
    from legacy.tf import IS_TF2
    from legacy import fileio
    lane = "tf2" if IS_TF2 else "tf1"
    with open(REFERENCE) as handle:
        reference = json.load(handle)
    wanted = [c for c in args.cases.split(",") if c]
    for name, case in sorted(reference["cases"].items()):
        if (wanted and name not in wanted) or (case.get("full") and not args.full and name not in wanted):
            continue
        print("%s lane: %s ..." % (lane, name), flush=True)
        reference.setdefault("lanes", {}).setdefault(lane, {})[name] = run_case(case, args.data_dir)
        fileio.write_json(REFERENCE, reference)
    print("written %s" % REFERENCE)


if __name__ == "__main__":
    main()
