"""PGGAN's own config fields (legacy/pggan/experiment.py defines their flags)
and its config type: the core fields of legacy/run_config.py plus these."""
import collections

from legacy import run_config
from legacy.pggan.networks import PAPER_G_SMOOTHING_KIMG, halflife_kimg

FIELDS = collections.OrderedDict([
    ("dataset", "mnist32"), ("resolution", None), ("cache_dir", "data/cache"), ("mirror_augment", False),
    ("progressive", True), ("fmap_base", None), ("fmap_decay", 1.0), ("fmap_max", None), ("latent_size", None),
    ("mbstd_group_size", 4), ("lod_training_kimg", None), ("lod_transition_kimg", None), ("total_kimg", None),
    ("minibatch_sizes", None), ("budget_seconds", 0.0), ("budget_cpu_seconds", 0.0), ("tick_steps", 100),
    ("swd_images", 512), ("swd_final_images", None), ("swd_every", 1), ("swd_every_cpu_seconds", 0.0), ("g_smoothing_kimg", None),
])

PGGANConfig = run_config.config_type("PGGANConfig", run_config.FIELDS, FIELDS)

# The presets of scripts/pggan.py (legacy/pggan/experiment.py's module doc
# says what each is); here, without flags, so that the study reads them too.
PRESETS = {
    "mnist32-cpu": dict(dataset="mnist32", fmap_base=256, fmap_max=128, batch_size=32, lod_training_kimg=20,
                        lod_transition_kimg=20, total_kimg=300, mbstd_group_size=4,
                        g_smoothing_kimg=halflife_kimg(0.999, 32)),  # its beta before issue 28: 22.2 kimg
    "mnist32-study": dict(dataset="mnist32", fmap_base=256, fmap_max=16, batch_size=64,
                          minibatch_sizes=["4:128", "8:128", "16:128", "32:64"], lod_training_kimg=8.1,
                          lod_transition_kimg=8.1, total_kimg=10000, mbstd_group_size=4,
                          g_smoothing_kimg=8.1 / 72.0, tick_steps=25, swd_images=2048, swd_final_images=8192,
                          swd_every_cpu_seconds=50.0, budget_cpu_seconds=200.0, intra_op_threads=1,
                          inter_op_threads=1),
    "celebahq-1024": dict(resolution=1024, fmap_base=8192, fmap_max=512, batch_size=16,
                          minibatch_sizes=["256:14", "512:6", "1024:3"], lod_training_kimg=800,
                          lod_transition_kimg=800, total_kimg=19000, mbstd_group_size=16, mirror_augment=True,
                          tick_steps=1000, swd_images=8192, swd_every=10,
                          g_smoothing_kimg=PAPER_G_SMOOTHING_KIMG),
}
