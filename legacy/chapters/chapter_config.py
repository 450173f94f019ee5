"""The config fields of golbin's chapters (word2vec, seq2seq, autocomplete,
GAN, DQN; each chapter's module defines the flags it takes) and their config
type: the core fields of legacy/run_config.py plus these."""
import collections

from legacy import run_config

FIELDS = collections.OrderedDict([
    # 04 word2vec, 10 seq2seq
    ("embedding_size", 2), ("num_sampled", 15), ("words", None), ("translate", None),
    # 09 GAN
    ("conditional", False), ("sample_every", 10),
    # 12 DQN
    ("replay_size", 10000), ("gamma", 0.99), ("target_update", 1000),
    ("train_every", 4), ("observe", 100), ("epsilon_decay", 0.001), ("eval_episodes", 20), ("record_frames", ""),
    ("eval_bound", 200000),
])

ChapterConfig = run_config.config_type("ChapterConfig", run_config.FIELDS, FIELDS)
