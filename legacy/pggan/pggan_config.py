"""PGGAN's own config fields (legacy/pggan/experiment.py defines their flags)
and its config type: the core fields of legacy/run_config.py plus these."""
import collections

from legacy import run_config

FIELDS = collections.OrderedDict([
    ("dataset", "mnist32"), ("resolution", None), ("cache_dir", "data/cache"), ("mirror_augment", False),
    ("progressive", True), ("fmap_base", None), ("fmap_decay", 1.0), ("fmap_max", None), ("latent_size", None),
    ("mbstd_group_size", 4), ("lod_training_kimg", None), ("lod_transition_kimg", None), ("total_kimg", None),
    ("minibatch_sizes", None), ("budget_seconds", 0.0), ("budget_cpu_seconds", 0.0), ("tick_steps", 100),
    ("swd_images", 512), ("swd_final_images", None), ("swd_every", 1), ("swd_every_cpu_seconds", 0.0), ("g_smoothing_kimg", None),
])

PGGANConfig = run_config.config_type("PGGANConfig", run_config.FIELDS, FIELDS)
