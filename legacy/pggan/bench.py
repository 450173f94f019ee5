"""Images/s of one PGGAN training step (D step + G step) at each resolution,
and which ops take the time at the finest one.

One graph (the CPU-scale preset's networks at 32x32) is run at lod 3, 2, 1, 0
(4, 8, 16, 32 px) with random reals of that pyramid level; after warm-up
steps, ``steps`` steps are timed. The profile is TF's own step trace
(``RunOptions.FULL_TRACE``) of a few steps at lod 0, summed per op type.
"""
import collections
import os
import time

import numpy as np

from legacy.pggan import networks as pggan_networks
from legacy.tf import tf
from legacy.train import session_config


def bench(resolution=32, channels=1, fmap_base=256, fmap_max=128, batch=32, steps=20, warmup=3, profile_steps=3,
          seed=0, threads=0, log=print):
    """``batch``: one minibatch, or {resolution: minibatch} (the schedule's
    per-resolution sizes); ``threads``: TF's intra- and inter-op pools (0:
    TF's choice); ``profile_steps`` 0: no op profile."""
    tf.reset_default_graph()
    tf.set_random_seed(seed)
    size = pggan_networks.NetSize(resolution, channels, fmap_base, 1.0, fmap_max, None, 4)
    g = pggan_networks.build(size)
    rng = np.random.RandomState(seed)
    out = collections.OrderedDict()
    log2 = int(np.log2(resolution))
    with tf.Session(config=session_config(threads, threads)) as sess:
        sess.run(tf.global_variables_initializer())
        for lod in range(log2 - 2, -1, -1):
            res = resolution >> lod
            mb = batch.get(res, 32) if isinstance(batch, dict) else batch
            reals = rng.uniform(-1, 1, (mb, res, res, channels)).astype(np.float32)
            feed = {g.reals: reals, g.lod: float(lod)}
            for _ in range(warmup):
                sess.run(g.d_train_op, feed)
                sess.run(g.g_train_op, feed)
            start, cpu_start = time.time(), time.process_time()
            for _ in range(steps):
                sess.run(g.d_train_op, feed)
                sess.run(g.g_train_op, feed)
            seconds, cpu = time.time() - start, time.process_time() - cpu_start
            # CPU seconds (all threads of this process): on a shared machine the
            # wall-clock rate depends on the others' load, images per CPU
            # second much less so.
            out[res] = {"lod": lod, "images_per_second": steps * mb / seconds, "seconds": seconds,
                        "cpu_seconds": cpu, "images_per_cpu_second": steps * mb / max(cpu, 1e-9),
                        "steps": steps, "batch": mb, "loadavg": list(os.getloadavg()),
                        "forward_mflop_per_image": forward_flops(size, res) / 1e6}
            log("pggan bench: %2d px  %.0f images/s, %.0f images per CPU second (%d steps of %d in %.1f s)"
                % (res, out[res]["images_per_second"], out[res]["images_per_cpu_second"], steps, mb, seconds))
        profile, rates = [], {}
        if profile_steps:
            mb = batch.get(resolution, 32) if isinstance(batch, dict) else batch
            profile, rates = _profile(sess, g, rng, resolution, channels, mb, profile_steps)
    return {"images_per_second": out, "profile_32px": profile, "conv_rates_32px": rates,
            "networks": {"fmap_base": fmap_base, "fmap_max": fmap_max, "batch": batch, "threads": threads}}


def forward_flops(size, res):
    """Multiply-adds x 2 of one image's forward pass through G and D at
    resolution ``res`` (lod of that resolution, no fade): every dense layer
    and convolution the official G_paper / D_paper run there, counted from
    the widths alone. The ratio between resolutions is the cost profile a
    network has where arithmetic bounds the step (the paper's GPUs at high
    resolution; this CPU, docs/pggan.md)."""
    log2 = int(np.log2(res))
    zsize = pggan_networks.latent_size(size)
    ch = size.channels
    n = lambda stage: pggan_networks.nf(size, stage)
    macs = zsize * 16 * n(1) + 16 * 9 * n(1) * n(1)  # G: dense to 4x4, conv 3x3
    macs += 16 * (9 * (n(1) + 1) * n(1) + n(1) * n(0)) + n(0)  # D at 4x4: mbstd conv, dense, score
    for r in range(3, log2 + 1):
        pix = 4 ** r
        macs += pix * 9 * (n(r - 2) * n(r - 1) + n(r - 1) * n(r - 1))  # G block: two 3x3 convs
        macs += pix * 9 * (n(r - 1) * n(r - 1) + n(r - 1) * n(r - 2))  # D block: two 3x3 convs
    macs += 4 ** log2 * n(log2 - 1) * ch * 2  # toRGB and fromRGB, 1x1
    return 2.0 * macs


CONV_KINDS = ("Conv2D", "FusedConv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter")


def _conv_kind(label_kind):
    """The convolution behind a kernel's trace name (``_MklNativeConv2DBackpropFilter``,
    ``_FusedConv2D``, ``Conv2D``), or None for any other op."""
    for kind in sorted(CONV_KINDS, key=len, reverse=True):
        if label_kind.endswith(kind):
            return kind
    return None


def _traced_shape(tensor, shapes, depth=3):
    """The shape the trace saw for ``tensor``, looking through the Identity and
    Switch nodes the runtime prunes or does not report (same shape as their input)."""
    for _ in range(depth + 1):
        shape = shapes.get((tensor.op.name, tensor.value_index))
        if shape is not None or tensor.op.type not in ("Identity", "Switch") or not tensor.op.inputs:
            return shape
        tensor = tensor.op.inputs[0]
    return None


def _conv_flops(graph, node, kind, shapes):
    """2 N H W kh kw C_in C_out of one traced convolution node (stride 1, SAME:
    the output's N H W are the input's). The kernel's shape is static (the
    He-scaled weight); N H W come from the trace: a forward or input-gradient
    node's own output, a filter-gradient node's input image or out_backprop.
    None when the trace lacks them."""
    try:
        op = graph.get_operation_by_name(node.node_name)
    except KeyError:
        return None
    if kind == "FusedConv2D":  # grappler's Conv2D + bias add (+ leaky ReLU), named after the last of them
        for _ in range(2):
            if op.type == "Conv2D":
                break
            convs = [t.op for t in op.inputs if t.op.type == "Conv2D"]
            adds = [t.op for t in op.inputs if t.op.type in ("Add", "AddV2", "BiasAdd")]
            op = (convs or adds or [op])[0]
    if op.type not in ("Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"):
        return None
    if op.type == "Conv2DBackpropFilter":
        kernel = op.outputs[0].shape.as_list()
        nhw = [_traced_shape(t, shapes) for t in (op.inputs[0], op.inputs[2])]
        nhw = next((v[:3] for v in nhw if v and len(v) == 4), None)
    else:
        kernel = op.inputs[1].shape.as_list()
        out = shapes.get((node.node_name, 0))
        nhw = out[:3] if out and len(out) == 4 else None
    if nhw is None or None in kernel:
        return None
    kh, kw, c_in, c_out = kernel
    return 2.0 * nhw[0] * nhw[1] * nhw[2] * kh * kw * c_in * c_out


def trace_ops(sess, fetches, feed, steps):
    """Run each of ``fetches`` ``steps`` times with TF's step trace; return
    ({op type: summed op micros}, {convolution kernel: Counter of nodes, flops,
    micros (of the nodes whose FLOPs are known), unresolved_micros}, wall seconds)."""
    options = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
    totals = collections.Counter()
    conv = collections.defaultdict(collections.Counter)
    wall = 0.0
    for _ in range(steps):
        for op in fetches:
            meta = tf.RunMetadata()
            start = time.time()
            sess.run(op, feed, options=options, run_metadata=meta)
            wall += time.time() - start
            # TF 1.15 also reports each kernel a second time under "/host:CPU"
            # (node "name:Type", label "id=..."): same ops, same times; not counted.
            nodes = [node for dev in meta.step_stats.dev_stats if not dev.device.endswith("/host:CPU")
                     for node in dev.node_stats]
            shapes = {(node.node_name, o.slot): [d.size for d in o.tensor_description.shape.dim]
                      for node in nodes for o in node.output}
            for node in nodes:
                kind = node.timeline_label.split("(")[0].split(" = ")[-1].strip() or node.node_name
                totals[kind] += node.all_end_rel_micros
                conv_kind = _conv_kind(kind)
                if conv_kind is None:
                    continue
                flops = _conv_flops(sess.graph, node, conv_kind, shapes)
                c = conv[kind]
                c["nodes"] += 1
                if flops is None:
                    c["unresolved_micros"] += node.all_end_rel_micros
                else:
                    c["flops"] += flops
                    c["micros"] += node.all_end_rel_micros
    return totals, conv, wall


def _profile(sess, g, rng, resolution, channels, batch, steps):
    """({op type: share of the summed op time} over ``steps`` D+G steps at lod 0,
    {convolution kernel: FLOPs and time per step, GFLOP/s})."""
    feed = {g.reals: rng.uniform(-1, 1, (batch, resolution, resolution, channels)).astype(np.float32), g.lod: 0.0}
    totals, conv, wall = trace_ops(sess, (g.d_train_op, g.g_train_op), feed, steps)
    total = float(sum(totals.values())) or 1.0
    profile = [{"op": k, "share": v / total, "micros_per_step": v / float(steps)} for k, v in totals.most_common(12)]
    rates = {}
    for kind, c in conv.items():
        rates[kind] = {"share": totals[kind] / total, "nodes_per_step": c["nodes"] / float(steps),
                       "gflop_per_step": c["flops"] / 1e9 / steps, "micros_per_step": c["micros"] / float(steps),
                       "unresolved_micros_per_step": c["unresolved_micros"] / float(steps),
                       "gflop_per_s": c["flops"] / 1e3 / c["micros"] if c["micros"] else None}
    rates["_step"] = {"op_micros_per_step": total / steps, "wall_micros_per_step": wall * 1e6 / steps,
                      "note": "op time summed over nodes; above the wall time where ops overlap (inter-op pool)"}
    return profile, rates


def main(argv):
    """Bench and rates with the lane's matmul before and after, to ``--output``."""
    from absl import flags
    from legacy import fileio
    from legacy.study import throughput
    f = flags.FLAGS
    peak_before = throughput.measure_peak()
    sizes = dict((int(k), int(v)) for k, v in (item.split(":") for item in f.minibatch_sizes)) if f.minibatch_sizes \
        else f.batch
    loadavg_before = os.getloadavg()
    record = bench(fmap_base=f.fmap_base, fmap_max=f.fmap_max, batch=sizes, steps=f.steps,
                   profile_steps=f.profile_steps, threads=f.threads)
    record["loadavg_before"] = loadavg_before
    peak_after = throughput.measure_peak()
    record.update(tf=tf.__version__, cpu=throughput.cpu_info(), peak_before=peak_before, peak_after=peak_after,
                  loadavg_after=os.getloadavg())
    peak = max(peak_before["gflop_per_s"], peak_after["gflop_per_s"])  # the less loaded of the two
    for kind, r in record["conv_rates_32px"].items():
        if r.get("gflop_per_s"):
            r["percent_of_matmul"] = 100.0 * r["gflop_per_s"] / peak
            print("pggan bench: 32 px %-34s %5.1f %% of op time, %6.3f GFLOP/step, %5.1f GFLOP/s = %4.1f %% of the "
                  "%d^3 matmul's %.1f GFLOP/s" % (kind, 100 * r["share"], r["gflop_per_step"], r["gflop_per_s"],
                                                  r["percent_of_matmul"], peak_before["n"], peak))
    fileio.write_json(f.output, record)


if __name__ == "__main__":
    from absl import app, flags
    flags.DEFINE_string("output", "results/pggan-bench.json", "Where the JSON goes.")
    flags.DEFINE_integer("steps", 20, "Timed D+G steps per resolution.")
    flags.DEFINE_integer("profile_steps", 3, "Traced D+G steps at 32 px (0: none).")
    flags.DEFINE_integer("fmap_base", 256, "Networks' fmap_base (the study preset mnist32-study: 512).")
    flags.DEFINE_integer("fmap_max", 128, "Networks' fmap_max (mnist32-study: 32).")
    flags.DEFINE_integer("batch", 32, "Minibatch at every resolution (unless --minibatch_sizes).")
    flags.DEFINE_list("minibatch_sizes", None, "RES:SIZE per resolution, e.g. 4:128,8:128,16:128,32:64.")
    flags.DEFINE_integer("threads", 0, "TF intra- and inter-op threads (0: TF's choice; the study runs 1).")
    app.run(main)
