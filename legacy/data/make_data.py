"""Writes the study's small tables as CSV, or N random rows by the same rules.

    python scripts/make_data.py height_weight [--n=200 --seed=0 --noise=4.26] [--output=data/height_weight.csv]
    python scripts/make_data.py animals [--n=0 --seed=0] [--output=data/animals.csv]

height_weight: heights ~ Uniform(1.50, 1.85) m; weight = 127.24 h - 156.34
(the least-squares line of the study's table) + N(0, noise) kg; overweight =
1 when BMI >= 23 (the WHO cut-off for Asian adults). With --n=0 it writes the
study's 20 people (overweight computed by the same rule).
animals: with --n=0 the study's 20 rows; otherwise N random [fur, wing] rows
labelled by the study's rule.
"""
import math

from absl import flags as absl_flags

from legacy import run_config, fileio
from legacy.data import csv_table, tables
from legacy.errors import UsageError

KINDS = ("height_weight", "animals")
absl_flags.DEFINE_integer("n", None, "Rows to generate; 0 writes the study's own table "
                          "(default: 200 for height_weight, 0 for animals).")
absl_flags.register_validator("n", lambda v: v is None or v >= 0, message="--n must be >= 0")
absl_flags.DEFINE_integer("seed", 0, "Seed of the generator.")
absl_flags.register_validator("seed", lambda v: 0 <= v <= run_config.SEED_MAX,
                              message="--seed must be in 0 .. %d (numpy's seed range)" % run_config.SEED_MAX)
absl_flags.DEFINE_float("noise", tables.FIT_NOISE_SD, "Standard deviation of the weight noise, in kg.")
absl_flags.register_validator("noise", lambda v: math.isfinite(v) and v >= 0,
                              message="--noise must be a finite number >= 0")
absl_flags.DEFINE_string("output", "", "CSV path (default data/<kind>.csv).")
FLAGS = absl_flags.FLAGS

# make_data.py takes the table's kind as a positional argument.
POSITIONAL = True


def main(argv):
    if len(argv) != 2 or argv[1] not in KINDS:
        raise UsageError("make_data.py needs one table kind, %s, e.g. make_data.py height_weight --n=200"
                         % " or ".join(KINDS))
    kind = argv[1]
    out = FLAGS.output or "data/%s.csv" % kind
    fileio.check_writable_path(out)
    if kind == "height_weight":
        n = 200 if FLAGS.n is None else FLAGS.n
        if n == 0:
            h, w = tables.study_height_weight()
            rows = [[hi, wi, float(wi / hi ** 2 >= tables.BMI_OVERWEIGHT)] for hi, wi in zip(h, w)]
        else:
            rows = tables.random_height_weight(n, FLAGS.seed, FLAGS.noise)
        csv_table.write_csv(out, tables.HEIGHT_WEIGHT_COLUMNS, rows, ["%.2f", "%.1f", "%d"])
    else:
        n = FLAGS.n or 0
        feats, classes = tables.random_animals(n, FLAGS.seed) if n else tables.animals_table()
        rows = [list(f) + list(c) for f, c in zip(feats, classes)]
        csv_table.write_csv(out, tables.ANIMAL_COLUMNS, rows, ["%d"] * 5)
    print("make_data: wrote %d rows to %s" % (len(rows), out))
