#!/usr/bin/env python
"""Collect finished full-size runs of the study's Adam CNN into
data/reference/swu_cnn_seed_spread.json, the seed spread that
tests/test_slow_reproduction.py derives its tolerance from.

    python tools/record_seed_spread.py results/runs/cnn_swu_adam-seed*.json

(the runs of ``make reproduce``, or of ``python scripts/reproduce.py --only=cnn_swu_adam``).
"""
import json
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)


def main(paths):
    from legacy import fileio
    runs = []
    for path in sorted(paths):
        with open(path) as handle:
            record = json.load(handle)
        flags = record["flags"]
        assert record["status"] == "ok" and flags["variant"] == "swu" and flags["optimizer"] == "adam", path
        runs.append({"seed": flags["seed"], "command": record["command"], "flags": flags,
                     "epoch_avg_cost": record["epoch_avg_cost"], "test_accuracy": record["test_accuracy"],
                     "test_accuracy_without_dropout": record.get("test_accuracy_without_dropout"),
                     "git_revision": record["environment"]["git_revision"],
                     "tensorflow": record["environment"]["tensorflow"]})
    fileio.write_json(os.path.join(REPO, "data", "reference", "swu_cnn_seed_spread.json"), {
        "about": "Full-size runs of mnist_cnn.py --variant=swu with Adam (the study's CNN comparison, keep 0.8 in "
                 "training and evaluation), one per seed; written by tools/record_seed_spread.py from the runs' "
                 "results JSON. tests/test_slow_reproduction.py derives its tolerance from their spread.",
        "runs": runs})


if __name__ == "__main__":
    main(sys.argv[1:])
