#!/usr/bin/env python
"""Where a training step's time goes: TensorFlow's own per-op trace (RunMetadata, FULL_TRACE).

Builds each model's step with `make bench`'s own BareStep (legacy/study/throughput.py: the
registry's settings, the scripts' session config, the dropout seed fed each step), warms it up, then traces --steps steps and prints per op type the summed op time (all threads) and its
share, plus how long after the step's first op the first layer (its first MatMul or Conv2D)
starts; against the const input, that is what the input adds inside the step (until
2026-12-04 the graph input's py_func gather XY ran there; its rows are now fed to
placeholders, see legacy/inputs.py).

    python tools/trace_step.py --models=dnn4,cnn,cnn-swu --inputs=graph,const --steps=30

Figures, not pass/fail; a trace slows each step a little (the same for every case).
"""
import collections
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from absl import app, flags  # noqa: E402

flags.DEFINE_list("models", ["dnn4", "cnn", "cnn-swu"], "Models to trace (make bench's names).")
flags.DEFINE_list("inputs", ["graph", "const"], "Inputs: graph (the scripts' default) and const.")
flags.DEFINE_integer("steps", 30, "Traced steps per case, after the warm-up.")
flags.DEFINE_string("data_dir", "data/mnist", "Folder of the verified MNIST files.")
flags.DEFINE_string("output", None, "Optional JSON of the figures.")
FLAGS = flags.FLAGS

FIRST_LAYER_OPS = ("MatMul", "_MklMatMul", "Conv2D", "_MklConv2D", "_MklNativeConv2D")


def trace_case(model_name, input_name, steps, data_dir):
    from legacy.study.throughput import BareStep
    from legacy.tf import TF_VERSION, tf

    case = BareStep(model_name, input_name, data_dir, {})
    case.train(case.model["warmup_steps"])
    options = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)

    per_type = collections.Counter()
    step_us, first_layer_us = [], []
    for _ in range(steps):
        meta = tf.RunMetadata()
        case.train(1, options=options, run_metadata=meta)
        starts, ends, first_layer = [], [], None
        for dev in meta.step_stats.dev_stats:
            if "/device:CPU:0" not in dev.device or "stream" in dev.device:
                continue
            for node in dev.node_stats:
                if node.node_name in ("_SOURCE", "_SINK"):
                    continue
                start, end = node.all_start_micros, node.all_start_micros + node.all_end_rel_micros
                starts.append(start)
                ends.append(end)
                op_type = node.timeline_label.split("(")[0].split("=")[-1].strip() or node.node_name
                op_type = op_type.split()[-1] if op_type else node.node_name
                per_type[op_type] += node.all_end_rel_micros
                if op_type in FIRST_LAYER_OPS and (first_layer is None or start < first_layer):
                    first_layer = start
        step_us.append(max(ends) - min(starts))
        if first_layer is not None:
            first_layer_us.append(first_layer - min(starts))
    case.sess.close()
    total = sum(per_type.values())
    med = sorted(step_us)[len(step_us) // 2]
    result = dict(model=model_name, input=input_name, tf=TF_VERSION, steps=steps,
                  step_ms_median=med / 1e3,
                  first_layer_start_ms_median=(sorted(first_layer_us)[len(first_layer_us) // 2] / 1e3
                                               if first_layer_us else None),
                  op_ms_per_step={k: v / 1e3 / steps for k, v in per_type.most_common()},
                  op_share={k: v / total for k, v in per_type.most_common()})
    return result


def main(_):
    from legacy.study.throughput import cpu_info
    results = []
    print("machine: %s" % json.dumps(cpu_info()))
    for model_name in FLAGS.models:
        for input_name in FLAGS.inputs:
            r = trace_case(model_name, input_name, FLAGS.steps, FLAGS.data_dir)
            results.append(r)
            start = r["first_layer_start_ms_median"]
            print("\n== %s / %s (TF %s): step %.2f ms (median traced span)%s" % (
                model_name, input_name, r["tf"], r["step_ms_median"],
                "; the first layer starts %.3f ms in (%.1f %% of the step)" % (start, 100 * start / r["step_ms_median"])
                if start is not None else ""))
            for op_type, ms in list(r["op_ms_per_step"].items())[:10]:
                print("   %-28s %8.3f ms/step  %5.1f %%" % (op_type, ms, 100 * r["op_share"][op_type]))
    if FLAGS.output:
        with open(FLAGS.output, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    app.run(main)
