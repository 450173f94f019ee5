#!/usr/bin/env python
"""Record per-epoch costs of the lane-agreement cases in this lane.

Runs each case's command (scripts/mnist_dnn.py with fixed flags and seed) in
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


def run_case(case, data_dir):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "r.json")
        cmd = [sys.executable, os.path.join(REPO, "scripts", case["script"])] + case["args"] + [
            "--data_dir=" + data_dir, "--output=" + out]
        subprocess.run(cmd, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
        with open(out) as handle:
            record = json.load(handle)
    env = record["environment"]
    return {
        "command": "python scripts/%s %s" % (case["script"], " ".join(case["args"])),
        "epoch_avg_cost": record["epoch_avg_cost"],
        "validation_accuracy": record["validation_accuracy"],
        "test_accuracy": record["test_accuracy"],
        "seconds_per_epoch": [round(s, 2) for s in record["seconds_per_epoch"]],
        "environment": {k: env[k] for k in ("python", "tensorflow", "numpy", "cpu", "cpu_count", "git_revision")},
        "TF_ENABLE_ONEDNN_OPTS": os.environ.get("TF_ENABLE_ONEDNN_OPTS"),
    }


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
