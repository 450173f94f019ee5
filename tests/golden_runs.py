"""The seeded small runs whose numbers the regression tests pin.

``python tests/golden_runs.py`` runs each command below and writes
data/reference/golden_small_runs.json with the numbers, the command, the
TensorFlow version and the code revision that produced them, per CPU model:
batch norm's reductions round differently on other CPUs (measured: the
``dnn4_keep08_bn`` run moves 1.7e-3 relative, 12 test images, between the
AMD EPYC and the Intel Xeon reference machines, with the same code), so each
CPU the project's machines have had keeps its own values
(``values_by_cpu``), and re-running on a new CPU adds it without touching
the others. Re-run on a known CPU only when a change is *meant* to move the
numbers, and say why in the commit.
"""
import json
import os
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(REPO, "data", "reference", "golden_small_runs.json")

# name -> (script, args, the result fields that are pinned). Each run learns
# visibly within its few steps, so a change to the training path moves its
# numbers well beyond the tolerances.
RUNS = {
    "dnn4_keep08_bn": ("mnist_dnn.py", ["--keep_prob=0.8", "--batch_norm", "--train_limit=2000", "--epochs=2",
                                        "--seed=1"],
                    ["epoch_avg_cost", "test_accuracy"]),
    "mlp_adam_bn": ("mnist_dnn.py", ["--preset=mlp", "--batch_norm", "--train_limit=2000", "--epochs=2", "--seed=2"],
                    ["epoch_avg_cost", "test_accuracy"]),
    "cnn_swu_eval08": ("mnist_cnn.py", ["--variant=swu", "--eval_keep_prob=0.8", "--train_limit=2000", "--epochs=2",
                                        "--seed=3"],
                       ["epoch_avg_cost", "test_accuracy", "test_accuracy_without_dropout"]),
    "softmax": ("logistic_regression.py", ["--model=softmax", "--train_limit=1000", "--epochs=1"],
                ["epoch_avg_cost", "test_accuracy"]),
    "linear_regression": ("linear_regression.py", [], ["final"]),
    "animals": ("animals_dnn.py", ["--seed=4"], ["final_cost", "accuracy"]),
}


def run(name, data_dir, workdir):
    script, args, _ = RUNS[name]
    out = os.path.join(workdir, name + ".json")
    cmd = [sys.executable, os.path.join(REPO, "scripts", script)] + args + ["--output=" + out]
    if script.startswith("mnist") or "--model=softmax" in args:
        cmd.append("--data_dir=" + data_dir)
    proc = subprocess.run(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    if proc.returncode != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(cmd), proc.stderr[-2000:]))
    with open(out) as handle:
        return json.load(handle)


def main():
    sys.path.insert(0, REPO)
    from legacy import fileio
    data_dir = os.path.join(REPO, "data", "mnist")
    with open(GOLDEN, encoding="utf-8") as handle:
        golden = json.load(handle) if os.path.getsize(GOLDEN) else {}
    with tempfile.TemporaryDirectory() as workdir:
        for name, (script, args, fields) in RUNS.items():
            record = run(name, data_dir, workdir)
            entry = golden.setdefault(name, {})
            entry["command"] = ("python scripts/%s %s" % (script, " ".join(args))).rstrip()
            entry["tensorflow"] = record["environment"]["tensorflow"]
            entry.setdefault("values_by_cpu", {})[record["environment"]["cpu"]] = {
                "values": {f: record[f] for f in fields}, "git_revision": record["environment"]["git_revision"]}
            print(name, record["environment"]["cpu"], entry["values_by_cpu"][record["environment"]["cpu"]])
    fileio.write_json(GOLDEN, golden)


if __name__ == "__main__":
    main()
