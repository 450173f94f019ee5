"""Images/s of one PGGAN training step (D step + G step) at each resolution,
and which ops take the time at the finest one.

One graph (the CPU-scale preset's networks at 32x32) is run at lod 3, 2, 1, 0
(4, 8, 16, 32 px) with random reals of that pyramid level; after warm-up
steps, ``steps`` steps are timed. The profile is TF's own step trace
(``RunOptions.FULL_TRACE``) of a few steps at lod 0, summed per op type.
"""
import collections
import time

import numpy as np

from legacy.models import pggan
from legacy.tf import tf
from legacy.train import session_config


def bench(resolution=32, channels=1, fmap_base=256, fmap_max=128, batch=32, steps=20, warmup=3, profile_steps=3,
          seed=0, threads=0, log=print):
    tf.reset_default_graph()
    tf.set_random_seed(seed)
    size = pggan.NetSize(resolution, channels, fmap_base, 1.0, fmap_max, None, 4)
    g = pggan.build(size)
    rng = np.random.RandomState(seed)
    out = collections.OrderedDict()
    log2 = int(np.log2(resolution))
    with tf.Session(config=session_config(threads, threads)) as sess:
        sess.run(tf.global_variables_initializer())
        for lod in range(log2 - 2, -1, -1):
            res = resolution >> lod
            reals = rng.uniform(-1, 1, (batch, res, res, channels)).astype(np.float32)
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
            out[res] = {"lod": lod, "images_per_second": steps * batch / seconds, "seconds": seconds,
                        "cpu_seconds": cpu, "images_per_cpu_second": steps * batch / max(cpu, 1e-9),
                        "steps": steps, "batch": batch}
            log("pggan bench: %2d px  %.0f images/s, %.0f images per CPU second (%d steps of %d in %.1f s)"
                % (res, out[res]["images_per_second"], out[res]["images_per_cpu_second"], steps, batch, seconds))
        profile = _profile(sess, g, rng, resolution, channels, batch, profile_steps)
    return {"images_per_second": out, "profile_32px": profile,
            "networks": {"fmap_base": fmap_base, "fmap_max": fmap_max, "batch": batch}}


def _profile(sess, g, rng, resolution, channels, batch, steps):
    """{op type: share of the summed op time} over ``steps`` D+G steps at lod 0."""
    feed = {g.reals: rng.uniform(-1, 1, (batch, resolution, resolution, channels)).astype(np.float32), g.lod: 0.0}
    options = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
    totals = collections.Counter()
    for _ in range(steps):
        for op in (g.d_train_op, g.g_train_op):
            meta = tf.RunMetadata()
            sess.run(op, feed, options=options, run_metadata=meta)
            for dev in meta.step_stats.dev_stats:
                for node in dev.node_stats:
                    kind = node.timeline_label.split("(")[0].split(" = ")[-1].strip() or node.node_name
                    totals[kind] += node.all_end_rel_micros
    total = float(sum(totals.values())) or 1.0
    return [{"op": k, "share": v / total, "micros_per_step": v / float(steps)} for k, v in totals.most_common(12)]
