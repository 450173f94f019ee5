"""The measurements of docs/originals.md: seed distributions and the Adam
hypotheses, one subprocess per run, each writing its JSON under
docs/records/originals/runs/. A run whose JSON exists is skipped, so the queue can be
restarted. Usage (nice it: it is CPU-heavy)::

    nice -n 15 .venv-tf2/bin/python tools/measure_originals.py seeds
    nice -n 15 .venv-tf2/bin/python tools/measure_originals.py keep [keep0.75]
    nice -n 15 .venv-tf2/bin/python tools/measure_originals.py numerics

The interpreter that runs this script runs the runs (its lane is recorded in
every JSON's environment).
"""
import os
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "docs", "records", "originals", "runs")
SWU_ADAM = ["--variant=swu", "--optimizer=adam"]


def port(name, seed, *args):
    return ["-m", "legacy.originals." + name, "--seed=%d" % seed] + list(args)


def library(script, seed, *args):
    return [os.path.join("scripts", script), "--seed=%d" % seed] + list(args)


def queue(which):
    runs = []
    if which == "seeds":
        # Section 2: the swu CNN with Adam, keep 0.8 (training and evaluation), full data, 2 epochs.
        for seed in range(10):
            runs.append(("seeds/port_cnn_adam-seed%d" % seed, port("cnn_adam", seed, "--epochs=2")))
            runs.append(("seeds/lib_cnn_swu_adam-seed%d" % seed,
                         library("mnist_cnn.py", seed, *SWU_ADAM, "--keep_prob=0.8", "--eval_keep_prob=0.8",
                                 "--epochs=2")))
    elif which == "keep":
        # Section 3, hypothesis 1: more dropout in the run that printed the log.
        for seed in range(3):
            for keep in ("0.7", "0.75"):
                runs.append(("keep/lib_cnn_swu_adam_keep%s-seed%d" % (keep, seed),
                             library("mnist_cnn.py", seed, *SWU_ADAM, "--keep_prob=" + keep,
                                     "--eval_keep_prob=" + keep, "--epochs=15")))
    elif which == "numerics":
        # Section 3, hypothesis 3: the study's run (keep 0.8, seed 0, 2 epochs) on one thread, fed (as the
        # original) or graph input, at Adam epsilon 1e-7 (Keras's) and 1e-4; then at TF1's 1e-8, the baseline.
        for epsilon in ("1e-07", "1e-04", "1e-08"):
            for input_path in ("feed", "graph"):
                runs.append(("numerics/lib_%s_1thread_eps%s-seed0" % (input_path, epsilon),
                             library("mnist_cnn.py", 0, *SWU_ADAM, "--keep_prob=0.8", "--eval_keep_prob=0.8",
                                     "--epochs=2", "--input=" + input_path, "--intra_op_threads=1",
                                     "--inter_op_threads=1", "--adam_epsilon=" + epsilon)))
    else:
        raise SystemExit("unknown queue %r (seeds, keep, numerics)" % which)
    return runs


def main(which, only=""):
    """Run the queue's missing runs whose name contains ``only``. A ``.running``
    marker next to a run's JSON lets several workers share one queue."""
    for name, args in queue(which):
        path = os.path.join(OUT, name + ".json")
        if only not in name:
            continue
        if os.path.exists(path) or os.path.exists(path + ".running"):
            print("have %s" % path, flush=True)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + ".running", "w") as marker:
            marker.write("%d\n" % os.getpid())
        cmd = [sys.executable] + args + ["--output=" + path]
        if "scripts" in args[0]:
            cmd.append("--logdir=" + os.path.join("/tmp", "originals-runs", name))
        print("%s running %s" % (time.strftime("%H:%M:%S"), " ".join(cmd[1:])), flush=True)
        start = time.time()
        with open(path + ".log", "w") as log:
            proc = subprocess.run(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        os.unlink(path + ".running")
        print("%s %s exit %d in %.0f s" % (time.strftime("%H:%M:%S"), name, proc.returncode, time.time() - start),
              flush=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "seeds", sys.argv[2] if len(sys.argv) > 2 else "")
