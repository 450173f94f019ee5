"""``make bench``: training images/s of each model under each input path.

Figures, not pass/fail; see legacy/study/throughput.py for how they are taken.
The original feed_dict path with TF's default threads is always measured
in the same run, as the reference every ratio is taken against.

Example: python scripts/benchmark.py --models=mlp,cnn
"""
import os
import sys
import time

from absl import flags

from legacy import fileio, results
from legacy.study import throughput
from legacy.data.mnist_files import ensure_mnist
from legacy.errors import UsageError

FLAGS = flags.FLAGS
flags.DEFINE_list("models", list(throughput.MODELS), "Models to time: %s." % ", ".join(throughput.MODELS))
flags.DEFINE_list("inputs", list(throughput.INPUTS),
                  "Input paths: feed (original), graph (--input=graph), const (constant batch, the ceiling), "
                  "tp-feed and tp-queue (tensorpack's trainer with FeedInput / QueueInput).")
flags.DEFINE_list("settings", ["default"],
                  "Session/process settings, each timed for every input: %s." % ", ".join(throughput.SETTINGS))
flags.DEFINE_integer("windows", 21, "Timed windows per case; the median is reported.")
flags.DEFINE_string("output", "results/bench.json", "Where the figures go (JSON); its folder must exist.")
flags.DEFINE_string("data_dir", "data/mnist", "Folder of the verified MNIST files.")
flags.DEFINE_string("mkl_python", os.environ.get("MKL_PYTHON", ""),
                    "Python of a venv with intel-tensorflow 1.15.2, for the mkl settings (docs/speed.md).")
for _name, _known in (("models", throughput.MODELS), ("settings", throughput.SETTINGS),
                      ("inputs", throughput.INPUTS)):
    flags.register_validator(_name, lambda v, known=_known: len(v) > 0 and all(x in known for x in v),
                             message="--%s takes a comma list of: %s" % (_name, ", ".join(_known)))
flags.register_validator("windows", lambda v: v >= 3, message="--windows must be >= 3")


def main(_):
    if any(throughput.SETTINGS[s].get("mkl") for s in FLAGS.settings) and not (
            FLAGS.mkl_python and os.access(FLAGS.mkl_python, os.X_OK)):
        raise UsageError("the mkl settings need --mkl_python=/path/to/venv/bin/python of a venv with "
                         "intel-tensorflow 1.15.2 (docs/speed.md)")
    if FLAGS.output == "results/bench.json":
        os.makedirs("results", exist_ok=True)
    fileio.check_writable_path(FLAGS.output)
    data_dir = ensure_mnist(FLAGS.data_dir, download=False)
    log = lambda msg: (sys.stdout.write(msg + "\n"), sys.stdout.flush())  # noqa: E731
    record = {"command": " ".join(["throughput.py"] + sys.argv[1:]), "batch_size": throughput.BATCH,
              "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "loadavg_before": throughput._loadavg(),
              "cpu": throughput.cpu_info(),
              "settings": {s: throughput.SETTINGS[s]["desc"] for s in FLAGS.settings}, "models": {}}
    start = time.time()
    # The machine's practical FP32 ceiling, before and after: % of peak is
    # taken against the fastest matmul seen (the tables printed as each model
    # ends: against the one before).
    record["peak_before"] = throughput.measure_peak()
    log(throughput.describe_machine(record["cpu"], record["peak_before"], record["loadavg_before"]))
    for model in FLAGS.models:
        result = throughput.bench_model(model, FLAGS.inputs, FLAGS.settings, FLAGS.windows, data_dir,
                                       FLAGS.mkl_python, log)
        record["models"][model] = result
        throughput.add_percent_of_peak(result, record["peak_before"]["gflop_per_s_best"])
        throughput.print_model(model, result, sys.stdout)
    record["peak_after"] = throughput.measure_peak()
    record["peak_gflop_per_s"] = max(record["peak_before"]["gflop_per_s_best"], record["peak_after"]["gflop_per_s_best"])
    for result in record["models"].values():
        throughput.add_percent_of_peak(result, record["peak_gflop_per_s"])
    record["loadavg_after"] = throughput._loadavg()
    record["wall_seconds"] = time.time() - start
    record["environment"] = results.environment()
    fileio.write_json(FLAGS.output, record)
    print("\n%d models in %.0f s (load average %s before, %s after); the matmul peak %.1f GFLOP/s before, "
          "%.1f after (medians; %% of peak in the JSON: against the best, %.1f); figures in %s"
          % (len(FLAGS.models), record["wall_seconds"], record["loadavg_before"], record["loadavg_after"],
             record["peak_before"]["gflop_per_s"], record["peak_after"]["gflop_per_s"], record["peak_gflop_per_s"],
             FLAGS.output))
