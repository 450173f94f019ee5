"""Progressive growing of GANs (Karras et al. 2018) on CPU: MNIST-32,
Fashion-MNIST-32 or a folder of images; ``--progressive=false`` is the
paper's non-progressive baseline (the same networks at full resolution from
the first step).

    pggan.py                                    # MNIST-32, the CPU-scale preset
    pggan.py --progressive=false --budget_seconds=1200
    pggan.py --dataset=fashion32
    pggan.py --dataset=DIR --resolution=64 --mirror_augment
    pggan.py --dataset=DIR --preset=celebahq-1024   # the paper's CelebA-HQ run (8 GPUs, 4 days)

Presets (flags the user gives win):
- ``mnist32-cpu``: widths fmap_base 256 / fmap_max 128 (the paper: 8192 / 512),
  minibatch 32, 20k images per stable phase and per fade (the paper: 600k-800k),
  Gs beta 0.999 at minibatch 32 (half-life 22.2 kimg; issue 28: it lags a
  20k-image phase);
- ``mnist32-study``: the §6.2 study of issue 28 (docs/pggan.md): 16 feature
  maps at every resolution (fmap_base 256, fmap_max 16), so that, as in the
  paper's networks (512 maps from 4x4 to 32x32), a step's cost grows with the
  pixels and a 4 px step is a small fraction of a 32 px one; minibatch by the
  official TF release's one-GPU rule (config.py ``preset-v2-1gpu``: 128 at
  4-16 px, 64 at 32 px); a budget of 200 training CPU seconds on one thread;
  8.1k images per stable phase and per fade, so that the bench's rates put
  full resolution at a third of the budget (the study recomputes it from its
  own bench: study.schedule_for); Gs half-life a 72nd of a phase (the
  paper's 11.08 kimg against its 800 kimg phases); 25 steps per tick; SWD of
  2,048 images every 50 training CPU seconds, 8,192 at the end;
- ``celebahq-1024``: the official config's CelebA-HQ settings that the paper
  describes (``preset-v1``): fmap_base 8192, fmap_max 512, latent 512,
  minibatch 16, at 256/512/1024: 14/6/3, 800k images per phase and per fade,
  minibatch-stddev groups of 16, mirror augment, 19,000k images, Gs
  half-life 11.08 kimg (the paper's beta 0.999 at minibatch 16).

Example: python scripts/pggan.py --progressive=false --budget_seconds=1200
"""
import os

from absl import flags as absl_flags

from legacy import run_config
from legacy.errors import UsageError
from legacy.pggan.pggan_config import PRESETS, PGGANConfig

EXPERIMENT = "pggan"

CELEBAHQ_HELP = ("--preset=celebahq-1024 needs --dataset=DIR: a folder of the 30,000 CelebA-HQ images at "
                 "1024x1024 (PNG/JPEG, made with the official dataset_tool.py create_celebahq from CelebA and "
                 "its delta files); they cannot be downloaded here")

D = run_config.define
D("enum", "preset", "mnist32-cpu", sorted(PRESETS), "Settings to start from (see the module doc).")
D("string", "dataset", "mnist32", "mnist32 (MNIST padded to 32x32), fashion32 (Fashion-MNIST, from the Debian "
  "package dataset-fashion-mnist) or a folder of PNG/JPEG images.")
D("integer", "resolution", None, "Training resolution for a folder dataset: a power of two >= 4 (default 64).")
D("string", "cache_dir", "data/cache", "Folder for the cached resolution pyramids.")
D("bool", "mirror_augment", False, "Flip each real image left-right with probability 1/2.")
D("bool", "progressive", True, "Grow from 4x4 (true) or train at full resolution from the start (false).")
D("integer", "fmap_base", None, "Feature maps: nf(stage) = min(fmap_base / 2**(stage * fmap_decay), fmap_max).")
D("float", "fmap_decay", 1.0, "See --fmap_base.")
D("integer", "fmap_max", None, "See --fmap_base.")
D("integer", "latent_size", None, "Latent vector size (default nf(0) = min(fmap_base, fmap_max)).")
D("integer", "mbstd_group_size", 4, "Minibatch standard deviation group size (0/1: off); divides each minibatch.")
D("float", "lod_training_kimg", None, "Thousands of real images per stable resolution.")
D("float", "lod_transition_kimg", None, "Thousands of real images per fade-in of a new resolution.")
D("float", "total_kimg", None, "Thousands of real images to train on (D's view).")
D("list", "minibatch_sizes", None, "Per-resolution minibatch overrides, e.g. 256:14,512:6,1024:3.")
D("float", "budget_seconds", 0.0, "Stop after the tick at which training time reaches this (0: no budget).")
D("float", "budget_cpu_seconds", 0.0, "Stop after the tick at which the training's CPU seconds (this process's, "
  "all threads, evaluation excluded) reach this (0: no budget); the fair axis on a shared machine.")
D("integer", "tick_steps", 100, "Steps per tick: the loop's epoch; print, checkpoint and evaluate per tick.")
D("integer", "swd_images", 512, "Images per SWD measurement (the paper: 16384).")
D("integer", "swd_final_images", None, "Images of the last SWD measurement (default: --swd_images).")
D("float", "g_smoothing_kimg", None, "Half-life of Gs, G's moving average, in thousands of images: beta = "
  "0.5 ** (minibatch / (half-life * 1000)) per step; 0: no smoothing (Gs = G). The paper: 11.08 (beta 0.999 "
  "at minibatch 16).")
D("integer", "swd_every", 1, "Measure SWD and save samples every N ticks (and at the end).")
D("float", "swd_every_cpu_seconds", 0.0, "Measure SWD at the first tick end past each multiple of this many "
  "training CPU seconds (and at the end) instead of every --swd_every ticks (0: by ticks).")
D("integer", "batch_size", None, "Minibatch (for resolutions without a --minibatch_sizes override).")
D("float", "learning_rate", 0.001, "Adam's learning rate (beta1 0, beta2 0.99, epsilon 1e-8 as the paper).")
D("string", "data_dir", "data/mnist", "Folder of the MNIST .gz files (--dataset=mnist32).")
D("bool", "download", True, "Fetch missing MNIST files.")
D("integer", "seed", 0, "Graph seed and data order.")
D("string", "output", "", "Results JSON (default results/pggan.json); its folder must exist.")
D("integer", "intra_op_threads", 0, "TF intra-op threads; 0 lets TF choose.")
D("integer", "inter_op_threads", 0, "TF inter-op threads; 0 lets TF choose.")
D("string", "logdir", "", "Run folder (default runs/pggan/<timestamp>-seed<N>).")
D("bool", "resume", False, "Continue the newest checkpoint of --logdir.")
D("integer", "save_every_steps", 0, "Also checkpoint every N steps (0: at the end of each tick).")

for name, check, message in [
        ("resolution", lambda v: v >= 4 and not v & (v - 1), "must be a power of two >= 4, e.g. 64"),
        ("fmap_base", lambda v: v > 0, "must be > 0"), ("fmap_max", lambda v: v > 0, "must be > 0"),
        ("fmap_decay", lambda v: v >= 0, "must be >= 0"), ("latent_size", lambda v: v > 0, "must be > 0"),
        ("mbstd_group_size", lambda v: v >= 0, "must be >= 0"),
        ("lod_training_kimg", lambda v: v >= 0, "must be >= 0"),
        ("lod_transition_kimg", lambda v: v >= 0, "must be >= 0"), ("total_kimg", lambda v: v > 0, "must be > 0"),
        ("budget_seconds", lambda v: v >= 0, "must be >= 0 (0: none)"), ("tick_steps", lambda v: v > 0, "must be > 0"),
        ("swd_images", lambda v: v > 0, "must be > 0"), ("swd_final_images", lambda v: v > 0, "must be > 0"),
        ("g_smoothing_kimg", lambda v: v >= 0, "must be >= 0 (0: no smoothing)"),
        ("budget_cpu_seconds", lambda v: v >= 0, "must be >= 0 (0: none)"), ("swd_every", lambda v: v > 0, "must be > 0"),
        ("swd_every_cpu_seconds", lambda v: v >= 0, "must be >= 0 (0: every --swd_every ticks)"),
        ("batch_size", lambda v: v > 0, "must be > 0"), ("learning_rate", lambda v: v > 0, "must be > 0"),
        ("intra_op_threads", lambda v: v >= 0, "must be >= 0"), ("inter_op_threads", lambda v: v >= 0, "must be >= 0"),
        ("save_every_steps", lambda v: v >= 0, "must be >= 0")]:
    absl_flags.register_validator(name, lambda v, c=check: v is None or c(v), message="--%s %s" % (name, message))


def _minibatch_ok(values):
    try:
        pairs = [v.split(":") for v in values]
        return all(len(p) == 2 and int(p[0]) >= 4 and int(p[1]) > 0 for p in pairs)
    except ValueError:
        return False


absl_flags.register_validator("minibatch_sizes", lambda v: v is None or _minibatch_ok(v),
                              message="--minibatch_sizes must be RES:SIZE pairs, e.g. 256:14,512:6")


def make_config(kind=PGGANConfig):
    """The RunConfig: defaults -> preset -> the user's flags; checks that need several flags.
    ``kind``: PGGANConfig, or a type with more fields (legacy/experiments/pggan.py's ``--engine``)."""
    flags = run_config.FLAGS
    preset = dict(PRESETS[flags.preset])
    if flags.preset == "celebahq-1024" and (not flags["dataset"].present or flags.dataset in ("mnist32", "fashion32")):
        raise UsageError(CELEBAHQ_HELP)
    config = run_config.build(preset, kind=kind)
    builtin = config.dataset in ("mnist32", "fashion32")
    if builtin:
        if flags["resolution"].present and config.resolution != 32:
            raise UsageError("--resolution=%d: --dataset=%s is 32x32; omit --resolution" % (config.resolution,
                                                                                            config.dataset))
        config = config._replace(resolution=32)
    elif not os.path.isdir(config.dataset):
        raise UsageError("--dataset=%s: neither mnist32, fashion32 nor a folder; pass a folder of PNG/JPEG "
                         "images" % config.dataset)
    elif config.resolution is None:
        config = config._replace(resolution=64)
    sizes = [config.batch_size] + [int(v.split(":")[1]) for v in (config.minibatch_sizes or [])]
    group = config.mbstd_group_size
    if group > 1 and any(s > group and s % group for s in sizes):
        raise UsageError("--mbstd_group_size=%d must divide every minibatch (%s); change one of them"
                         % (group, ", ".join(map(str, sizes))))
    return config


def main(_):
    run(make_config())


def run(config, engine=None):
    """Load the data ``config`` names and train (``engine``: legacy/engine.py; None: this process alone)."""
    from legacy.pggan import images
    from legacy.pggan.training import run_pggan
    data = images.load(config.dataset, config.resolution, data_dir=config.data_dir, cache_dir=config.cache_dir,
                       download=config.download)
    if data.resolution != config.resolution:
        raise UsageError("--dataset=%s is %dx%d, not --resolution=%d" % (config.dataset, data.resolution,
                                                                          data.resolution, config.resolution))
    return run_pggan(EXPERIMENT, data, config, engine)
