"""Training a PGGAN through the project's one loop (legacy/train.py).

The loop runs two phases per training step (TrainGraph.phases): D's Adam
step, then G's (which also moves the EMA generator Gs and the global step).
What makes a GAN different hangs on the loop as hooks:

- ``ScheduleHook``: resets both Adams' moments where the level of detail
  enters or leaves a fade (official ``reset_opt_for_new_lod``);
- ``GanBoard``: TensorBoard scalars per logged step: d_loss, g_loss, the
  gradient penalty, lod, kimg, images/s;
- ``Budget``: ends the run normally after the tick at which the training
  time (sum of the ticks' seconds, checkpointed) reaches ``--budget_seconds``;
- ``Evaluator``: every ``--swd_every`` ticks and at the end, the sliced
  Wasserstein distance of Gs's images against the reals, and a sample grid PNG;
- ``TickPrinter``: one line per tick, in the official trainer's words.

An "epoch" of the loop is a tick of ``--tick_steps`` steps. The level of
detail is a function of the images shown, which is a function of the step
(``Schedule``): each step's feed carries its lod and its reals at the pyramid
level of that lod, drawn by a per-step RandomState whose seeds are drawn at
the tick's start from the input's checkpointed RNG. Latents and mixing
factors are stateless draws keyed by [step, phase]. So a run resumed from a
checkpoint repeats the uninterrupted run exactly.
"""
import bisect
import math
import os
import sys
import time

import numpy as np

from legacy import checkpoints, fileio, results, runs
from legacy.engine import OneProcess
from legacy.errors import UsageError
from legacy.graph import Phase, TrainGraph
from legacy.models.layers import mode_inputs
from legacy.hooks import Checkpointer, Hook, ProgressBar, StopOnSignal, TensorBoard
from legacy.inputs import rng_from_json, rng_to_json
from legacy.pggan import swd as swd_metric
from legacy.runners.recording import train_recording, write_run_record
from legacy.tf import tf
from legacy.train import LoopState, session_config


class Schedule(object):
    """The official ``TrainingSchedule`` as a function of the step.

    ``lod_at(nimg)``: start at ``initial_resolution``; each phase shows
    ``lod_training_kimg`` thousand images at a fixed lod, then fades the next
    resolution in over ``lod_transition_kimg``. ``progressive=False`` is the
    paper's baseline: lod 0 (full resolution) from the first step. The
    minibatch may depend on the resolution (``minibatch_dict``); the images
    shown before step s are then the sum of the earlier steps' minibatches
    (memoised). The official trainer re-evaluates the schedule every 4
    minibatches; this one every step.
    """

    def __init__(self, resolution, progressive=True, lod_training_kimg=600, lod_transition_kimg=600,
                 minibatch_base=16, minibatch_dict=None, initial_resolution=4):
        self.log2 = int(np.log2(resolution))
        self.progressive = progressive
        self.training_kimg, self.transition_kimg = lod_training_kimg, lod_transition_kimg
        self.minibatch_base, self.minibatch_dict = minibatch_base, dict(minibatch_dict or {})
        self.initial_log2 = int(np.floor(np.log2(initial_resolution)))
        self.segments = self._segments()

    def lod_at(self, nimg):
        if not self.progressive:
            return 0.0
        kimg = nimg / 1000.0
        phase_dur = self.training_kimg + self.transition_kimg
        phase_idx = int(np.floor(kimg / phase_dur)) if phase_dur > 0 else 0
        phase_kimg = kimg - phase_idx * phase_dur
        lod = float(self.log2 - self.initial_log2 - phase_idx)
        if self.transition_kimg > 0:
            lod -= max(phase_kimg - self.training_kimg, 0.0) / self.transition_kimg
        return max(lod, 0.0)

    def resolution_at_lod(self, lod):
        return 2 ** (self.log2 - int(np.floor(lod)))

    def minibatch_at_lod(self, lod):
        return self.minibatch_dict.get(self.resolution_at_lod(lod), self.minibatch_base)

    def _segments(self):
        """(first step, images shown before it, minibatch) of each stretch of
        steps at one resolution. The resolution changes at the first step
        whose images-shown count passes the end of a stable phase."""
        segments = [(0, 0, self.minibatch_at_lod(self.lod_at(0)))]
        if not self.progressive or self.training_kimg + self.transition_kimg <= 0:
            return segments
        phase = 0
        while self.log2 - self.initial_log2 - phase - 1 >= 0:
            bound = (phase * (self.training_kimg + self.transition_kimg) + self.training_kimg) * 1000.0
            s0, n0, mb = segments[-1]
            if bound >= n0:
                s1 = s0 + int(np.floor((bound - n0) / mb)) + 1
                n1 = n0 + (s1 - s0) * mb
                segments.append((s1, n1, self.minibatch_at_lod(self.lod_at(n1))))
            phase += 1
        return segments

    def _segment(self, step):
        return self.segments[bisect.bisect_right([s[0] for s in self.segments], step) - 1]

    def nimg(self, step):
        """Images shown before ``step``."""
        s0, n0, mb = self._segment(max(step, 0))
        return n0 + (max(step, 0) - s0) * mb

    def at(self, step):
        """(images shown before, lod, minibatch) of ``step``."""
        nimg = self.nimg(step)
        lod = self.lod_at(nimg)
        return nimg, lod, self.minibatch_at_lod(lod)

    def key(self, step):
        """Changes exactly where the official trainer resets the optimizers."""
        lod = self.at(step)[1]
        return (math.floor(lod), math.ceil(lod))

    def steps_for(self, kimg):
        """The first step before which ``kimg`` thousand images have been shown."""
        target = kimg * 1000.0
        for i, (s0, n0, mb) in enumerate(self.segments):
            end = self.segments[i + 1][0] if i + 1 < len(self.segments) else None
            step = s0 + int(math.ceil(max(target - n0, 0) / mb))
            if end is None or step <= end:
                return step
        raise AssertionError("unreachable")


class PgganInput(object):
    """Feeds of each step: ``reals`` (the pyramid level of the step's lod, in
    [-1, 1], mirrored at random with ``mirror``) and ``lod``. A tick's
    per-step seeds come from ``rng`` at the tick's start, so skipping the
    first k steps of a tick (a resumed run) changes nothing after them."""

    name = "pggan"

    def __init__(self, data, schedule, tick_steps, seed=0, mirror=False, group_size=1, rank=0, ranks=1):
        self.data, self.schedule, self.tick_steps, self.mirror = data, schedule, tick_steps, mirror
        self.rng = np.random.RandomState(seed)
        self.reals = self.lod = self.loop = None
        # One rank of several (legacy/engine.py): every rank draws the step's whole
        # minibatch from the same seed and feeds its rows (networks.shard_rows).
        self.group_size, self.rank, self.ranks = group_size, rank, ranks
        self.rows_in = self.minibatch_in = None

    @property
    def steps_per_epoch(self):
        return self.tick_steps

    def bind(self, reals, lod, loop, rows=None, minibatch=None):
        self.reals, self.lod, self.loop = reals, lod, loop
        self.rows_in, self.minibatch_in = rows, minibatch

    def batch(self, step, seed):
        _, lod, minibatch = self.schedule.at(step)
        level = self.data.levels[self.schedule.resolution_at_lod(lod)]
        rng = np.random.RandomState(seed)
        images = level[rng.randint(len(level), size=minibatch)].astype(np.float32) * (2.0 / 255.0) - 1.0
        if self.mirror:
            flip = rng.uniform(size=minibatch) < 0.5
            images[flip] = images[flip, :, ::-1]
        return images, lod

    def epoch(self, skip=0):
        seeds = self.rng.randint(2 ** 31 - 1, size=self.tick_steps)
        for i in range(skip, self.tick_steps):
            images, lod = self.batch(self.loop.step, seeds[i])  # loop.step: this step, not yet counted
            if self.ranks == 1:
                yield {self.reals: images, self.lod: lod}
                continue
            from legacy.pggan.networks import shard_rows
            rows = shard_rows(len(images), self.group_size, self.rank, self.ranks)
            yield {self.reals: images[rows], self.lod: lod, self.rows_in: rows, self.minibatch_in: len(images)}

    def rng_state(self):
        return rng_to_json(self.rng.get_state())

    def set_rng_state(self, state):
        self.rng.set_state(rng_from_json(state))


class ScheduleHook(Hook):
    """Resets both optimizers' moments where the official trainer does: when
    floor(lod) or ceil(lod) changes from one step to the next."""

    def __init__(self, schedule, reset_op):
        self.schedule, self.reset_op = schedule, reset_op
        self.resets = []

    def begin(self, sess, net):
        self.sess = sess

    def after_step(self, step, cost):
        if self.schedule.key(step) != self.schedule.key(step - 1):
            self.sess.run(self.reset_op)
            self.resets.append(step)


class GanBoard(TensorBoard):
    """TensorBoard scalars every ``every`` steps: Loss/d_loss, Loss/g_loss,
    Loss/gradient_penalty (and the gradient norm, scores, drift), lod, kimg,
    images_per_second (over the steps since the last logged one)."""

    def __init__(self, logdir, graph, schedule, every=10):
        super(GanBoard, self).__init__(logdir)
        self.graph, self.schedule, self.every = graph, schedule, every
        self.mark = None

    def begin(self, sess, net):
        super(GanBoard, self).begin(sess, net)
        self.mark = (time.time(), self.schedule.nimg(self.loop.step))

    def after_step(self, step, cost):
        if step % self.every:
            return
        now, nimg = time.time(), self.schedule.nimg(step)
        rate = (nimg - self.mark[1]) / max(now - self.mark[0], 1e-9)
        self.mark = (now, nimg)
        stats = self.sess.run(self.graph.stats)
        values = {"Loss__" + k: v for k, v in self.loop.step_costs.items()}
        values.update({"Loss__" + k: v for k, v in stats.items()})
        values.update(lod=self.schedule.lod_at(nimg), kimg=nimg / 1000.0, images_per_second=rate)
        self._scalars(step, **values)

    def after_epoch(self, record):
        self._scalars(self.loop.step, tick__seconds=record.seconds)
        self.writer.flush()


class CpuClock(Hook):
    """Each tick's CPU seconds (``time.process_time``: this process, all its
    threads) spent on the tick's steps and their step hooks, not on the
    evaluation or checkpoint after it, and the load average at the tick's end.
    Put it first among the hooks, so that its ``after_epoch`` runs before the
    others'. Kept in ``<run>/cpu_ticks.json``, so a resumed run keeps the
    finished ticks' figures (the CPU time of a tick cut by a kill is lost)."""

    FILE = "cpu_ticks.json"

    def __init__(self, run_dir):
        self.path = os.path.join(run_dir, self.FILE)
        self.ticks = []  # {"tick", "cpu_seconds", "loadavg"}
        self.mark = None

    def begin(self, sess, net):
        if os.path.exists(self.path):
            import json
            with open(self.path) as handle:
                self.ticks = [t for t in json.load(handle) if t["tick"] < self.loop.epoch]

    def before_epoch(self, epoch, steps):
        self.mark = time.process_time()

    def after_epoch(self, record):
        # The first tick of a process (a run's start or its resume) also builds
        # and optimizes the graph's kernels: its rate is not the step's.
        warmup = not any(t.get("process") == os.getpid() for t in self.ticks)
        self.ticks.append({"tick": record.epoch, "cpu_seconds": time.process_time() - self.mark,
                           "loadavg": list(os.getloadavg()), "warmup": warmup, "process": os.getpid()})
        fileio.write_json(self.path, self.ticks)

    def total(self):
        return sum(t["cpu_seconds"] for t in self.ticks)


class Budget(Hook):
    """Ends the run after the tick at which the ticks' training seconds (not
    the evaluation's) reach ``seconds``, or their CPU seconds (``clock``, a
    CpuClock) reach ``cpu_seconds`` (0: no such budget)."""

    def __init__(self, seconds, cpu_seconds=0.0, clock=None):
        self.seconds, self.cpu_seconds, self.clock = seconds, cpu_seconds, clock

    def after_epoch(self, record):
        if self.seconds and sum(r.seconds for r in self.loop.history) >= self.seconds:
            self.loop.finished = True
        if self.cpu_seconds and self.clock.total() >= self.cpu_seconds:
            self.loop.finished = True


GRID_BORDER = 96  # grey: apart from MNIST's black background and white strokes


def image_grid(images, columns=8, border=1):
    """uint8 [N, H, W, C] -> one uint8 grid image, the cells framed by
    ``border`` pixels of grey (``GRID_BORDER``) so that samples that touch
    their edges do not run into each other."""
    n, h, w, c = images.shape
    rows = int(math.ceil(n / float(columns)))
    grid = np.full((rows * (h + border) + border, columns * (w + border) + border, c), GRID_BORDER, np.uint8)
    for i in range(n):
        r, k = divmod(i, columns)
        y, x = border + r * (h + border), border + k * (w + border)
        grid[y:y + h, x:x + w] = images[i]
    return grid


def save_png(path, image):
    from PIL import Image
    import io
    buf = io.BytesIO()
    Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image).save(buf, format="PNG")
    fileio.write_bytes(path, buf.getvalue())


METRICS_FILE = "metrics.json"
SAMPLES_FILE = "fakes-latest.npy"  # uint8 [N, r, r, C], the newest SWD measurement's Gs images


def _npy_bytes(array):
    import io
    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


class Evaluator(Hook):
    """SWD against the reals of Gs's images and of raw G's (at the current lod,
    upscaled to full resolution, as the official metric measures snapshots),
    ``count`` images each, every ``every`` ticks; the last measurement (at the
    last tick or when a budget ends the run) with ``final_count`` images. The
    reals and latents of a run are fixed: the during-run sets are the first
    ``count`` of the final ones. Also a grid of 64 Gs samples from fixed
    latents as ``fakes-step<step>-lod<lod>.png``; and where a fade starts or
    ends, ``lodchange-step<step>-lod<lod>-<res>px.png`` at that lod's own
    resolution (see ``after_step``). Records go to ``<run>/metrics.json``
    (Gs's values as ``SWDx1e3_*``, G's as ``G_SWDx1e3_*``, with the training
    seconds, the training CPU seconds of ``clock`` and the load average); a
    resumed run keeps those up to its checkpoint."""

    def __init__(self, run_dir, graph, data, schedule, epochs, count=512, every=1, seed=0, batch=128,
                 final_count=None, clock=None, every_cpu_seconds=0.0):
        self.run_dir, self.graph, self.data, self.schedule = run_dir, graph, data, schedule
        self.epochs, self.every, self.batch, self.clock = epochs, every, batch, clock
        self.every_cpu_seconds = every_cpu_seconds
        self.path = os.path.join(run_dir, METRICS_FILE)
        rng = np.random.RandomState(seed + 12345)
        full = data.levels[data.resolution]
        self.final_count = min(final_count or count, len(full))
        self.count = min(count, self.final_count)
        self.reals = full[rng.choice(len(full), size=self.final_count, replace=False)]
        self.latents = rng.randn(self.final_count, graph.latents_in.shape[1].value).astype(np.float32)
        self.real_desc = {}  # image count -> the reals' descriptors
        self.records = []
        self.board = None

    def begin(self, sess, net):
        self.sess = sess
        if os.path.exists(self.path):
            with open(self.path) as handle:
                import json
                self.records = [r for r in json.load(handle) if r["step"] <= self.loop.step]
        if self.loop.step == 0:
            save_png(os.path.join(self.run_dir, "reals.png"), image_grid(self.reals[:64]))
            self.measure()

    def generate(self, latents, lod, tensor=None):
        tensor = self.graph.samples if tensor is None else tensor
        out = [self.sess.run(tensor, {self.graph.latents_in: latents[i:i + self.batch], self.graph.lod: lod})
               for i in range(0, len(latents), self.batch)]
        return swd_metric.to_uint8(np.concatenate(out))

    def _swd(self, fakes, count):
        if self.data.resolution < 16:
            return {}
        if count not in self.real_desc:
            self.real_desc = {count: swd_metric.set_descriptors(self.reals[:count], np.random.RandomState(0))}
        return swd_metric.swd(None, fakes, real_descriptors=self.real_desc[count])

    def measure(self, final=False):
        step = self.loop.step
        nimg, lod, _ = self.schedule.at(step)
        count = self.final_count if final else self.count
        start = time.time()
        record = {"step": step, "tick": len(self.loop.history), "kimg": nimg / 1000.0, "lod": lod,
                  "resolution": self.schedule.resolution_at_lod(lod),
                  "train_seconds": sum(r.seconds for r in self.loop.history),
                  "train_cpu_seconds": self.clock.total() if self.clock is not None else None,
                  "swd_images": int(count), "final": bool(final), "loadavg": list(os.getloadavg())}
        fakes = self.generate(self.latents[:count], lod)
        record.update(self._swd(fakes, count))
        if step == 0:  # Gs is initialised from G: the same weights, the same images; not measured twice
            raw = fakes
            record.update({"G_" + k: v for k, v in list(record.items()) if k.startswith("SWDx1e3_")})
        else:
            raw = self.generate(self.latents[:count], lod, self.graph.samples_g)
            record.update({"G_" + k: v for k, v in self._swd(raw, count).items()})
        record["eval_seconds"] = time.time() - start
        save_png(os.path.join(self.run_dir, "fakes-step%07d-lod%.2f.png" % (step, lod)), image_grid(fakes[:64]))
        if final:
            save_png(os.path.join(self.run_dir, "fakes-G-step%07d-lod%.2f.png" % (step, lod)),
                     image_grid(raw[:64]))
        # All of this measurement's samples, for the study's mode-coverage count.
        fileio.write_bytes(os.path.join(self.run_dir, SAMPLES_FILE), _npy_bytes(fakes))
        self.records.append(record)
        fileio.write_json(self.path, self.records)
        if self.board is not None and "SWDx1e3_avg" in record:
            self.board._scalars(step, **{k.replace("SWDx1e3_", "SWD__"): v for k, v in record.items()
                                         if "SWDx1e3_" in k})
        return record

    def after_step(self, step, cost):
        """A grid where the lod enters or leaves a fade (where ScheduleHook resets
        Adam): at a fade's start, the resolution just finished (its last stable
        step); at a fade's end, the new resolution fully in. Each at its own
        resolution: at an integer lod G's output is its block's image upscaled
        by nearest neighbour, so every 2**lod-th pixel is that image exactly."""
        old, new = self.schedule.key(step - 1), self.schedule.key(step)
        if old == new:
            return
        common = sorted(set(old) & set(new))
        lod = common[-1] if common else old[0]  # no fade (lod_transition_kimg 0): the resolution just left
        factor = 2 ** int(lod)
        fakes = self.generate(self.latents[:64], float(lod))[:, ::factor, ::factor]
        res = self.schedule.resolution_at_lod(lod)
        save_png(os.path.join(self.run_dir, "lodchange-step%07d-lod%.2f-%dpx.png" % (step, lod, res)),
                 image_grid(fakes))

    def after_epoch(self, record):
        tick = len(self.loop.history)
        final = self.loop.finished or self.loop.epoch > self.epochs
        if self.every_cpu_seconds:
            # the first tick end at or past each multiple of every_cpu_seconds of training CPU time
            done = [r["train_cpu_seconds"] or 0.0 for r in self.records if not r.get("final")]
            due = self.clock.total() >= (int(max(done or [0.0]) // self.every_cpu_seconds) + 1) * self.every_cpu_seconds
        else:
            due = tick % self.every == 0
        if due or final:
            self.measure()  # the during-run count, so that the run's curve has one count throughout
        if final and self.final_count != self.count:
            self.measure(final=True)

    def last(self):
        return self.records[-1] if self.records else None


class TickProgress(Hook):
    """Within a tick, one line every ``every`` seconds (``  tick 3: 12/25
    steps, 61 s``) when stderr is not a terminal (a log, nohup), where
    ``ProgressBar`` shows nothing; a tick at 32 px on a loaded machine can
    take minutes."""

    def __init__(self, every=60.0, stream=None, enabled=None):
        self.every, self.stream = every, stream or sys.stdout
        self.enabled = (not sys.stderr.isatty()) if enabled is None else enabled
        self.start = self.mark = None
        self.steps = 0

    def before_epoch(self, epoch, steps):
        self.epoch, self.steps, self.start = epoch, steps, time.time()
        self.mark = self.start

    def after_step(self, step, cost):
        now = time.time()
        if self.enabled and now - self.mark >= self.every:
            self.mark = now
            self.stream.write("  tick %d: %d/%d steps, %.0f s\n" % (self.epoch, self.loop.step_in_epoch, self.steps,
                                                                   now - self.start))
            self.stream.flush()


class TickPrinter(Hook):
    """``tick 3     kimg 38.4     lod 2.50  minibatch 32   sec/tick 12.1  img/s 1058  d_loss ...``;
    the first tick of a process says ``(warm-up)`` after its rate: it also
    builds and optimizes the kernels of the graph (``CpuClock``)."""

    def __init__(self, schedule, evaluator, tick_steps, stream=None, clock=None):
        self.schedule, self.evaluator, self.tick_steps = schedule, evaluator, tick_steps
        self.stream = stream or sys.stdout
        self.clock = clock

    def after_epoch(self, record):
        step = self.loop.step
        nimg, lod, minibatch = self.schedule.at(step)
        images = nimg - self.schedule.nimg(max(step - self.tick_steps, 0))
        line = ("tick %-5d kimg %-8.1f lod %-5.2f minibatch %-4d sec/tick %-7.1f img/s %-7.0f d_loss %-8.3f "
                "g_loss %-8.3f" % (record.epoch, nimg / 1000.0, lod, minibatch, record.seconds,
                                   images / max(record.seconds, 1e-9), record.phase_costs["d_loss"],
                                   record.phase_costs["g_loss"]))
        if self.clock is not None and self.clock.ticks and self.clock.ticks[-1]["tick"] == record.epoch:
            tick = self.clock.ticks[-1]
            line += " cpu/tick %.1f%s" % (tick["cpu_seconds"], " (warm-up)" if tick["warmup"] else "")
        last = self.evaluator.last()
        if last is not None and last["step"] == step and "SWDx1e3_avg" in last:
            line += " SWDx1e3 " + " ".join("%s=%.1f" % (k[8:], last[k]) for k in sorted(last) if k.startswith("SWD"))
        self.stream.write(line + "\n")
        self.stream.flush()


def build_graph(data, config, wrap_optimizer=None):
    """The PGGAN graph as a TrainGraph with a D and a G phase."""
    from legacy.pggan import networks as pggan_networks
    size = pggan_networks.NetSize(data.resolution, data.channels, config.fmap_base, config.fmap_decay, config.fmap_max,
                                  config.latent_size, config.mbstd_group_size)
    smoothing = pggan_networks.PAPER_G_SMOOTHING_KIMG if config.g_smoothing_kimg is None else config.g_smoothing_kimg
    graph = pggan_networks.build(size, adam=dict(learning_rate=config.learning_rate), g_smoothing_kimg=smoothing,
                                 wrap_optimizer=wrap_optimizer)
    mode_inputs()
    phases = [Phase("d_loss", graph.d_train_op, graph.d_loss), Phase("g_loss", graph.g_train_op, graph.g_loss)]
    model_variables = graph.g_vars + graph.d_vars + graph.gs_vars
    net = TrainGraph(graph.reals, None, graph.samples, graph.d_loss, None, None,
                     graph.d_train_op, graph.global_step, model_variables, phases)
    return graph, net


def make_schedule(data, config):
    sizes = dict((int(k), int(v)) for k, v in (item.split(":") for item in (config.minibatch_sizes or [])))
    return Schedule(data.resolution, config.progressive, config.lod_training_kimg, config.lod_transition_kimg,
                    config.batch_size, sizes)


def check_shards(schedule, config, ranks):
    """UsageError naming the flags when some minibatch of the run does not split
    into ``ranks`` shards whose minibatch-stddev groups are the whole minibatch's."""
    if ranks == 1:
        return
    from legacy.pggan.networks import shard_rows
    for _, _, minibatch in schedule.segments:
        try:
            shard_rows(minibatch, config.mbstd_group_size, 0, ranks)
        except ValueError as err:
            raise UsageError("--batch_size / --minibatch_sizes / --mbstd_group_size with %d ranks: %s; make every "
                             "minibatch a multiple of %d x the group size" % (ranks, err, ranks))
    if config.budget_seconds or config.budget_cpu_seconds:
        raise UsageError("--budget_seconds / --budget_cpu_seconds=%g: not with %d ranks (each rank would stop at "
                         "the tick its own clock says); set them to 0 and use --total_kimg"
                         % (config.budget_seconds or config.budget_cpu_seconds, ranks))


def run_pggan(experiment, data, config, engine=None):
    """Train as ``config`` says on ``data`` (legacy/data/images.ImageData);
    return the results record. ``engine`` (legacy/engine.py): this process
    alone (default), or one rank of a data-parallel run (Horovod: the
    scripts layer, legacy/experiments/pggan.py, makes it), where every rank
    trains its rows of each minibatch (``networks.shard_rows``) and only the
    one that ``writes`` keeps the run folder, evaluates and records; the
    others return None."""
    engine = engine or OneProcess()
    out = results.output_path(config.output, experiment)
    schedule = make_schedule(data, config)
    check_shards(schedule, config, engine.size)
    total_steps = schedule.steps_for(config.total_kimg)
    epochs = max(int(math.ceil(total_steps / float(config.tick_steps))), 1)
    run_dir, resume_from = runs.prepare(experiment, config) if engine.writes else (None, None)
    inputs = PgganInput(data, schedule, config.tick_steps, seed=config.seed, mirror=config.mirror_augment,
                        group_size=config.mbstd_group_size, rank=engine.rank, ranks=engine.size)

    tf.reset_default_graph()
    tf.set_random_seed(config.seed)
    graph, net = build_graph(data, config, wrap_optimizer=engine.wrap_optimizer)
    net = engine.graph(net)
    sched_hook = ScheduleHook(schedule, graph.reset_optimizers)
    report = dict(experiment=experiment, out=out, run_dir=run_dir, config=config, schedule=schedule,
                  resumed_from=resume_from, sched_hook=sched_hook, total_steps=total_steps, engine=engine)
    if engine.writes:
        board = GanBoard(run_dir, graph, schedule)
        clock = CpuClock(run_dir)
        evaluator = Evaluator(run_dir, graph, data, schedule, epochs, count=config.swd_images,
                              every=config.swd_every, seed=config.seed, final_count=config.swd_final_images,
                              clock=clock, every_cpu_seconds=config.swd_every_cpu_seconds)
        evaluator.board = board
        checkpointer = Checkpointer(run_dir, every_steps=config.save_every_steps, before_save=[board.flush])
        saver = checkpointer.checkpoints.saver
        hooks = [clock, sched_hook, ProgressBar(), board,
                 Budget(config.budget_seconds, config.budget_cpu_seconds, clock), evaluator,
                 TickPrinter(schedule, evaluator, config.tick_steps, clock=clock), TickProgress(), checkpointer,
                 StopOnSignal()]
        report.update(clock=clock, evaluator=evaluator)
        record = lambda status, wall, **extra: _write(report, status, wall, **extra)  # noqa: E731
    else:  # another rank: it trains its rows and keeps nothing
        checkpointer = saver = None
        hooks = [sched_hook, StopOnSignal()]
        record = lambda status, wall, **extra: None  # noqa: E731

    start = time.time()
    with tf.Session(config=session_config(config.intra_op_threads, config.inter_op_threads)) as sess:
        sess.run(tf.global_variables_initializer())
        state = (checkpoints.start(sess, saver, resume_from, None, net.model_variables) if engine.writes
                 else None)
        state = engine.start(sess, state)
        report["loop"] = loop = LoopState.from_json(state) if state else LoopState()
        inputs.bind(graph.reals, graph.lod, loop, graph.rows, graph.minibatch)
        train_recording(sess, net, inputs, epochs, 1.0, hooks, loop, checkpointer, record, start,
                        unit="tick", optimizer="adam", learning_rate=config.learning_rate)
    if not engine.writes:
        return None
    wall = time.time() - start
    record = _write(report, "ok", wall)
    last = evaluator.last() or {}
    print("done: %d steps, %.1f kimg, %.0f s training, final SWDx1e3 avg %s; results in %s"
          % (loop.step, schedule.nimg(loop.step) / 1000.0, record["train_seconds"],
             "%.2f" % last["SWDx1e3_avg"] if "SWDx1e3_avg" in last else "n/a", out))
    return record


def _write(report, status, wall, **extra):
    loop, schedule = report["loop"], report["schedule"]
    ticks = []
    tick_steps = report["config"].tick_steps
    cpu = {t["tick"]: t for t in report["clock"].ticks}
    for r in loop.history:  # every tick is tick_steps steps (the loop runs whole epochs)
        step = r.epoch * tick_steps
        nimg0, nimg1 = schedule.nimg(step - tick_steps), schedule.nimg(step)
        lod = schedule.lod_at(nimg1)
        ticks.append({"tick": r.epoch, "end_step": step, "kimg": nimg1 / 1000.0, "lod": lod,
                      "seconds": r.seconds, "images_per_second": (nimg1 - nimg0) / max(r.seconds, 1e-9),
                      "d_loss": (r.phase_costs or {}).get("d_loss"), "g_loss": (r.phase_costs or {}).get("g_loss"),
                      "cpu_seconds": cpu.get(r.epoch, {}).get("cpu_seconds"),
                      "loadavg": cpu.get(r.epoch, {}).get("loadavg"), "warmup": cpu.get(r.epoch, {}).get("warmup")})
    evaluations = report["evaluator"].records
    metrics = {
        "dataset": report["config"].dataset,
        "global_step": loop.step,
        "planned_steps": report["total_steps"],
        "kimg": schedule.nimg(loop.step) / 1000.0,
        "train_seconds": sum(r.seconds for r in loop.history),
        "train_cpu_seconds": report["clock"].total(),
        "loadavg_at_end": list(os.getloadavg()),
        "ticks": ticks,
        "evaluations": evaluations,
        "final": evaluations[-1] if evaluations else None,
        "optimizer_resets_at_steps": report["sched_hook"].resets,
    }
    metrics.update(report["engine"].metrics())
    return write_run_record(report, status, metrics, wall, **extra)
