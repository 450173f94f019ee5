"""The library's dropout (stateless masks keyed by step, graph seed and layer;
legacy/models/layers.py) draws from the same distribution as the originals'
``tf.nn.dropout``.

Both are applied to ones of shape [EXAMPLES, UNITS] in two layers, over STEPS
steps, so each implementation yields 2 x STEPS masks of n = EXAMPLES x UNITS
Bernoulli draws. For each implementation the test checks:

- scaling: every kept value is 1 / keep_prob (float32, 1 ulp), every other 0;
- keep rate: |p_hat - p| <= Z sqrt(p (1 - p) / N) over all N draws, and the
  two implementations' rates differ by at most Z sqrt(2 p (1 - p) / N);
- independence, by Pearson correlations of paired 0/1 draws, which under
  independence are N(0, 1/n): |r| <= Z / sqrt(n) between the two layers at
  one step, between consecutive steps of one layer, between neighbouring
  examples (rows) and neighbouring units (columns) of one mask;
- no shared randomness per example or per unit: the variance of the kept
  counts per row (and per column) over its binomial variance is
  chi^2_{m-1} / (m - 1), within 1 +- Z sqrt(2 / (m - 1)) for m rows (columns).

Z = 5: a correct implementation fails one bound with probability 5.7e-7, all
~40 bounds of this file with less than 3e-5; each bound comes from the
sample sizes, not from a tuned constant.
"""
import numpy as np
import pytest

from legacy.models import layers
from legacy.tf import tf

Z = 5.0
EXAMPLES, UNITS, STEPS = 400, 1000, 3


def library_masks(keep, seed):
    """[STEPS][2] outputs of the library's dropout on ones, step s fed as the training loop does."""
    with tf.Graph().as_default():
        tf.set_random_seed(seed)
        x = tf.ones([EXAMPLES, UNITS])
        outs = [layers.dropout(x, keep), layers.dropout(x, keep)]
        seed_t = layers.dropout_seed()
        with tf.Session() as sess:
            return [sess.run(outs, {seed_t: [step, 0]}) for step in range(STEPS)]


def tf_masks(keep, seed):
    """The same from the originals' ``tf.nn.dropout`` (stateful: each run draws anew)."""
    with tf.Graph().as_default():
        tf.set_random_seed(seed)
        x = tf.ones([EXAMPLES, UNITS])
        keep_prob = tf.placeholder(tf.float32)
        outs = [tf.nn.dropout(x, keep_prob), tf.nn.dropout(x, keep_prob)]
        with tf.Session() as sess:
            return [sess.run(outs, {keep_prob: keep}) for _ in range(STEPS)]


def corr(a, b):
    a = a.astype(np.float64).ravel()
    b = b.astype(np.float64).ravel()
    a, b = a - a.mean(), b - b.mean()
    return float(np.dot(a, b) / np.sqrt(np.dot(a, a) * np.dot(b, b)))


def check_distribution(outputs, keep):
    """The bounds of the module docstring for one implementation; returns the measured figures."""
    scale = np.float32(1.0) / np.float32(keep)
    masks = []
    for step in outputs:
        for out in step:
            kept = out != 0
            np.testing.assert_allclose(out[kept], scale, rtol=1.2e-7)  # 1 / keep_prob, to 1 ulp
            masks.append(kept)
    figures = {}
    n_all = sum(m.size for m in masks)
    p_hat = sum(m.sum() for m in masks) / float(n_all)
    figures["keep_rate"] = p_hat
    assert abs(p_hat - keep) <= Z * np.sqrt(keep * (1 - keep) / n_all), (p_hat, keep)

    pairs = {
        "layers": [(s[0] != 0, s[1] != 0) for s in outputs],
        "steps": [(outputs[i][l] != 0, outputs[i + 1][l] != 0) for i in range(STEPS - 1) for l in range(2)],
        "examples": [(m[:-1], m[1:]) for m in masks],
        "units": [(m[:, :-1], m[:, 1:]) for m in masks],
    }
    for what, items in pairs.items():
        rs = [corr(a, b) for a, b in items]
        figures["max_abs_corr_" + what] = max(abs(r) for r in rs)
        for (a, _), r in zip(items, rs):
            assert abs(r) <= Z / np.sqrt(a.size), (what, r, Z / np.sqrt(a.size))

    for axis, what in ((1, "per_example"), (0, "per_unit")):
        ratios = []
        for m in masks:
            counts = m.sum(axis=axis).astype(np.float64)
            size = m.shape[axis]
            ratio = counts.var(ddof=1) / (size * keep * (1 - keep))
            rows = len(counts)
            assert abs(ratio - 1) <= Z * np.sqrt(2.0 / (rows - 1)), (what, ratio)
            ratios.append(ratio)
        figures["count_variance_ratio_" + what] = (min(ratios), max(ratios))
    return figures, p_hat, n_all


@pytest.mark.parametrize("keep", [0.8, 0.5])
def test_library_dropout_has_tf_nn_dropout_distribution(keep):
    ours, p_ours, n = check_distribution(library_masks(keep, seed=1), keep)
    theirs, p_theirs, _ = check_distribution(tf_masks(keep, seed=1), keep)
    print("keep %.2f, %d draws each: library %s; tf.nn.dropout %s" % (keep, n, ours, theirs))
    assert abs(p_ours - p_theirs) <= Z * np.sqrt(2 * keep * (1 - keep) / n), (p_ours, p_theirs)


def test_library_masks_repeat_per_step_and_differ_per_seed():
    """Stateless: the same step and seed give the same masks (a resumed run sees them again);
    another graph seed gives independent ones."""
    a = library_masks(0.8, seed=1)
    b = library_masks(0.8, seed=1)
    c = library_masks(0.8, seed=2)
    for step in range(STEPS):
        np.testing.assert_array_equal(a[step][0], b[step][0])
        r = corr(a[step][0] != 0, c[step][0] != 0)
        assert abs(r) <= Z / np.sqrt(EXAMPLES * UNITS), r
