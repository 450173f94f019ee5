"""The study's small tables, and generators of more rows by the same rules.

No TensorFlow here. Their CSV form is read and written by
legacy/data/csv_table.py, the one CSV reader of the project.
"""
import numpy as np

# The study's fixed table of 20 people (its README says the data were
# generated at random into a .csv; the code has this table).
STUDY_HEIGHTS_M = [1.50, 1.52, 1.53, 1.55, 1.60, 1.62, 1.63, 1.64, 1.65, 1.67,
                   1.68, 1.70, 1.72, 1.73, 1.75, 1.76, 1.79, 1.80, 1.82, 1.85]
STUDY_WEIGHTS_KG = [40, 41, 42, 43, 44, 46, 47, 48, 49, 50,
                    52, 65, 67, 56, 70, 72, 73, 74, 78, 80]
HEIGHT_WEIGHT_COLUMNS = ["height_m", "weight_kg", "overweight"]

# Fur/wings -> [other, mammal, bird]: golbin's 6-row pattern three times,
# plus its first two rows again (other 10, mammal 4, bird 6).
ANIMAL_FEATURES = ["fur", "wing"]
ANIMAL_CLASSES = ["other", "mammal", "bird"]
ANIMAL_COLUMNS = ANIMAL_FEATURES + ANIMAL_CLASSES
_PATTERN = [[0, 0], [1, 0], [1, 1], [0, 0], [0, 0], [0, 1]]
STUDY_ANIMAL_FEATURES = _PATTERN * 3 + _PATTERN[:2]

# Generator of height/weight rows: the least-squares line of the study's table
# (weight = 127.24 * height - 156.34, residual MSE 18.18, so noise sd 4.26 kg).
FIT_SLOPE, FIT_INTERCEPT, FIT_NOISE_SD = 127.24, -156.34, 4.26
# The binary label for logistic regression: overweight when BMI >= 23 kg/m^2
# (the WHO cut-off for Asian adults), computed from the noisy weight.
BMI_OVERWEIGHT = 23.0


def animal_class(fur, wing):
    """The study's rule: wings -> bird; fur without wings -> mammal; else other."""
    if wing:
        return 2
    return 1 if fur else 0


def animals_table(features=None):
    """[N, 2] features and [N, 3] one-hot classes; the study's 20 rows by default."""
    feats = np.array(STUDY_ANIMAL_FEATURES if features is None else features, dtype=np.float32)
    classes = np.zeros((len(feats), 3), dtype=np.float32)
    for i, (fur, wing) in enumerate(feats):
        classes[i, animal_class(fur, wing)] = 1.0
    return feats, classes


def random_animals(n, seed):
    rng = np.random.RandomState(seed)
    return animals_table(rng.randint(0, 2, size=(n, 2)))


def study_height_weight():
    heights = np.array(STUDY_HEIGHTS_M, dtype=np.float32)
    weights = np.array(STUDY_WEIGHTS_KG, dtype=np.float32)
    return heights, weights


def random_height_weight(n, seed, noise=FIT_NOISE_SD):
    """Heights ~ Uniform(1.50, 1.85) m; weight on the study's fitted line plus
    N(0, noise) kg; overweight = BMI >= 23."""
    rng = np.random.RandomState(seed)
    heights = np.round(rng.uniform(1.50, 1.85, size=n), 2)
    weights = np.round(FIT_SLOPE * heights + FIT_INTERCEPT + rng.normal(0.0, noise, size=n), 1)
    overweight = (weights / heights ** 2 >= BMI_OVERWEIGHT).astype(np.float32)
    return np.stack([heights, weights, overweight], axis=1).astype(np.float32)
