"""PGGAN's layers and loss (legacy/pggan/networks.py), in process, on tiny networks."""
import numpy as np
import pytest

from legacy.pggan import networks as pggan_networks
from legacy.tf import tf

TINY = pggan_networks.NetSize(resolution=16, channels=1, fmap_base=32, fmap_decay=1.0, fmap_max=8, latent_size=None,
                     mbstd_group_size=4)


def _session():
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    return sess


def test_generator_fade_in_blends_the_two_resolutions_exactly():
    """At lod = 1 + a the output is lerp(G at 8x8, G at 4x4 upscaled, a):
    a = 0 is the new resolution alone, a = 1 the old one alone."""
    tf.reset_default_graph()
    tf.set_random_seed(1)
    lod = tf.placeholder(tf.float32, [])
    z = tf.constant(np.random.RandomState(0).randn(4, pggan_networks.latent_size(TINY)).astype(np.float32))
    out = pggan_networks.generator(pggan_networks.Params("G"), z, lod, TINY)
    with _session() as sess:
        new, old = sess.run(out, {lod: 1.0}), sess.run(out, {lod: 2.0})
        assert new.shape == (4, 16, 16, 1) and not np.allclose(new, old)
        # old is 8x8 upscaled: constant on 2x2 blocks
        np.testing.assert_array_equal(old[:, ::2, ::2], old[:, 1::2, 1::2])
        for a in (1e-6, 0.25, 0.5, 1 - 1e-6):
            np.testing.assert_allclose(sess.run(out, {lod: 1.0 + a}), (1 - a) * new + a * old, rtol=0, atol=2e-5)
        # just past 3 (4x4) nothing coarser exists: lod is clipped to the 4x4 output
        np.testing.assert_allclose(sess.run(out, {lod: 2.0 + 1e-6}), old, atol=2e-5)


def _d_from_4x4(params, h):
    """D's 4x4 block (minibatch stddev, 3x3 conv, two dense layers) on 4x4
    features ``h``, composed here from the layer functions and D's own weights."""
    x = pggan_networks.minibatch_stddev(h, TINY.mbstd_group_size)
    x = pggan_networks.leaky_relu(pggan_networks.conv2d(params, "4x4/Conv", x, pggan_networks.nf(TINY, 1), 3))
    x = pggan_networks.leaky_relu(pggan_networks.dense(params, "4x4/Dense0", x, pggan_networks.nf(TINY, 0)))
    return pggan_networks.dense(params, "4x4/Dense1", x, 1, gain=1)[:, 0]


def test_discriminator_fade_in_blends_the_two_resolutions_exactly():
    """At lod = 1 + a the 4x4 block's input is lerp(new, old, a): new is the
    8x8 path (fromRGB at 8x8, the 8x8 block, pooled), old is fromRGB of the
    reals pooled to 4x4. So a = 0 (lod 1) is D at 8x8 alone, a = 1 (lod 2) D
    at 4x4 alone; checked against the two paths built here by hand."""
    tf.reset_default_graph()
    tf.set_random_seed(2)
    lod, a = tf.placeholder(tf.float32, []), tf.placeholder(tf.float32, [])
    images = tf.constant(np.random.RandomState(1).uniform(-1, 1, (8, 16, 16, 1)).astype(np.float32))
    params = pggan_networks.Params("D")
    scores = pggan_networks.discriminator(params, images, lod, TINY)
    count = len(params.vars)
    lrelu, conv, down = pggan_networks.leaky_relu, pggan_networks.conv2d, pggan_networks.downscale2d
    x = lrelu(conv(params, "FromRGB_lod1", down(images, 2), pggan_networks.nf(TINY, 2), 1))
    x = lrelu(conv(params, "8x8/Conv0", x, pggan_networks.nf(TINY, 2), 3))
    new = down(lrelu(conv(params, "8x8/Conv1", x, pggan_networks.nf(TINY, 1), 3)))
    old = lrelu(conv(params, "FromRGB_lod2", down(images, 4), pggan_networks.nf(TINY, 1), 1))
    by_hand = _d_from_4x4(params, new + (old - new) * a)
    assert len(params.vars) == count  # the hand-built paths use D's weights, no new ones
    with _session() as sess:
        at1, at2 = sess.run(scores, {lod: 1.0}), sess.run(scores, {lod: 2.0})
        assert at1.shape == (8,) and not np.allclose(at1, at2)
        np.testing.assert_allclose(at1, sess.run(by_hand, {a: 0.0}), rtol=0, atol=1e-5)  # a = 0: 8x8 alone
        np.testing.assert_allclose(at2, sess.run(by_hand, {a: 1.0}), rtol=0, atol=1e-5)  # a = 1: 4x4 alone
        for t in (0.25, 0.5, 0.75):
            np.testing.assert_allclose(sess.run(scores, {lod: 1.0 + t}), sess.run(by_hand, {a: t}), rtol=0,
                                       atol=1e-5)
        # and continuous at both ends
        np.testing.assert_allclose(sess.run(scores, {lod: 1.0 + 1e-6}), at1, atol=1e-4)
        np.testing.assert_allclose(sess.run(scores, {lod: 2.0 - 1e-6}), at2, atol=1e-4)


def test_reals_fade_between_pyramid_levels():
    tf.reset_default_graph()
    lod = tf.placeholder(tf.float32, [])
    reals = tf.placeholder(tf.float32, [None, None, None, 1])
    out = pggan_networks.process_reals(reals, lod, 16)
    x = np.random.RandomState(2).uniform(-1, 1, (2, 8, 8, 1)).astype(np.float32)
    coarse = x.reshape(2, 4, 2, 4, 2, 1).mean(axis=(2, 4))
    up = lambda v, f: v.repeat(f, axis=1).repeat(f, axis=2)  # noqa: E731
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(out, {reals: x, lod: 1.0}), up(x, 2), atol=1e-6)
        np.testing.assert_allclose(sess.run(out, {reals: x, lod: 1.75}),
                                   up(0.25 * x + 0.75 * up(coarse, 2), 2), atol=1e-6)


def test_equalized_learning_rate_scales_n01_weights_by_he_constant_at_run_time():
    tf.reset_default_graph()
    tf.set_random_seed(3)
    params = pggan_networks.Params("T")
    x = tf.placeholder(tf.float32, [1, 1, 1, 64])
    y = pggan_networks.conv2d(params, "c", x, 32, 1)
    w = params.vars["T/c/weight"]
    ones = np.ones((1, 1, 1, 64), np.float32)
    with _session() as sess:
        w_val, y_val = sess.run([w, y], {x: ones})
    assert w_val.shape == (1, 1, 64, 32)
    assert abs(w_val.std() - 1.0) < 0.1 and abs(w_val.mean()) < 0.1  # stored N(0, 1)
    he = np.sqrt(2) / np.sqrt(64)
    assert pggan_networks.he_std([1, 1, 64, 32]) == pytest.approx(he)
    np.testing.assert_allclose(y_val[0, 0, 0], w_val[0, 0].sum(axis=0) * he, rtol=1e-5)
    # toRGB's gain 1 and a 3x3 kernel's fan-in
    assert pggan_networks.he_std([3, 3, 16, 8], gain=1) == pytest.approx(1 / 12.0)


def test_pixel_norm_gives_each_pixel_unit_mean_square_and_ignores_scale():
    tf.reset_default_graph()
    x = np.random.RandomState(4).randn(3, 4, 4, 16).astype(np.float32) * 7
    with tf.Session() as sess:
        y, y_scaled = sess.run([pggan_networks.pixel_norm(tf.constant(x)), pggan_networks.pixel_norm(tf.constant(x * 100))])
    np.testing.assert_allclose(np.mean(np.square(y), axis=-1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(y, y_scaled, rtol=1e-4)
    np.testing.assert_allclose(y, x / np.sqrt(np.mean(x ** 2, axis=-1, keepdims=True) + 1e-8), rtol=1e-5)


def test_minibatch_stddev_appends_one_map_per_group():
    tf.reset_default_graph()
    x = np.random.RandomState(5).randn(8, 4, 4, 6).astype(np.float32)
    with tf.Session() as sess:
        y = sess.run(pggan_networks.minibatch_stddev(tf.constant(x), group_size=4))
    assert y.shape == (8, 4, 4, 7)
    np.testing.assert_array_equal(y[..., :6], x)
    groups = x.reshape(4, 2, 4, 4, 6)  # members of group m: images m, m + 2, m + 4, m + 6
    expect = np.sqrt(groups.var(axis=0) + 1e-8).mean(axis=(1, 2, 3))  # [2]
    for i in range(8):
        np.testing.assert_allclose(y[i, ..., 6], expect[i % 2], rtol=1e-5)
    # a minibatch smaller than the group is one group
    with tf.Session() as sess:
        assert sess.run(pggan_networks.minibatch_stddev(tf.constant(x[:2]), 4)).shape == (2, 4, 4, 7)


def test_gradient_penalty_matches_finite_differences():
    """The graph's per-image penalty (||dD(x)/dx|| - 1)^2 against central
    differences of the summed scores (the minibatch-stddev layer couples the
    images, so each derivative is of the sum, as the official loss takes it)."""
    tf.reset_default_graph()
    tf.set_random_seed(6)
    size = TINY._replace(resolution=8)
    params = pggan_networks.Params("D")
    rng = np.random.RandomState(7)
    reals = rng.uniform(-1, 1, (4, 8, 8, 1))
    fakes = rng.uniform(-1, 1, (4, 8, 8, 1))
    mix = rng.uniform(size=(4, 1, 1, 1))
    lod = tf.constant(0.0)
    d = lambda x: pggan_networks.discriminator(params, x, lod, size)  # noqa: E731
    gp, norms = pggan_networks.gradient_penalty(d, tf.constant(reals, tf.float32), tf.constant(fakes, tf.float32),
                                       tf.constant(mix, tf.float32))
    x_in = tf.placeholder(tf.float32, [4, 8, 8, 1])
    total = tf.reduce_sum(d(x_in))
    with _session() as sess:
        # larger weights than at init, so the gradient is far from the penalty's target 1
        sess.run([tf.assign(v, v * 1.5) for v in params.variables()])
        gp_val, norm_val = sess.run([gp, norms])
        mixed = reals + (fakes - reals) * mix
        eps = 1e-2
        grad = np.zeros_like(mixed)
        for index in np.ndindex(*mixed.shape):
            plus, minus = mixed.copy(), mixed.copy()
            plus[index] += eps
            minus[index] -= eps
            grad[index] = (sess.run(total, {x_in: plus}) - sess.run(total, {x_in: minus})) / (2 * eps)
    fd_norms = np.sqrt(np.sum(grad ** 2, axis=(1, 2, 3)))
    np.testing.assert_allclose(norm_val, fd_norms, rtol=3e-2)
    np.testing.assert_allclose(gp_val, (fd_norms - 1) ** 2, rtol=8e-2, atol=1e-3)
    assert np.all(np.abs(fd_norms - 1) > 0.05)  # the check is not trivially near zero


def test_training_graph_steps_d_then_g_and_moves_the_ema():
    tf.reset_default_graph()
    tf.set_random_seed(8)
    g = pggan_networks.build(TINY._replace(resolution=8), g_smoothing_kimg=8 * np.log(0.5) / np.log(0.999) / 1000)
    reals = np.random.RandomState(9).uniform(-1, 1, (8, 8, 8, 1)).astype(np.float32)
    with _session() as sess:
        gs0, g0 = sess.run([g.gs_vars[0], g.g_vars[0]])
        np.testing.assert_array_equal(gs0, g0)  # Gs starts as G
        sess.run(g.d_train_op, {g.reals: reals, g.lod: 0.0})
        assert sess.run(g.global_step) == 0
        np.testing.assert_array_equal(sess.run(g.g_vars[0]), g0)  # D's step leaves G alone
        sess.run(g.g_train_op, {g.reals: reals, g.lod: 0.0})
        g1, gs1 = sess.run([g.g_vars[0], g.gs_vars[0]])
        assert sess.run(g.global_step) == 1 and not np.array_equal(g1, g0)
        np.testing.assert_allclose(gs1, g1 + (g0 - g1) * 0.999, rtol=1e-5, atol=1e-7)
        stats = sess.run(g.stats)
        assert stats["gradient_penalty"] > 0 and np.isfinite(list(stats.values())).all()


def _steps(g, sess, batches, steps=3, lod=0.0):
    rng = np.random.RandomState(11)
    for i in range(steps):
        reals = rng.uniform(-1, 1, (batches[i % len(batches)], 8, 8, 1)).astype(np.float32)
        sess.run(g.d_train_op, {g.reals: reals, g.lod: lod})
        sess.run(g.g_train_op, {g.reals: reals, g.lod: lod})


def test_smoothing_off_gives_gs_equal_to_g_exactly():
    """--g_smoothing_kimg=0: beta 0, Gs is G after every step, bit for bit,
    and so are their samples."""
    tf.reset_default_graph()
    tf.set_random_seed(12)
    g = pggan_networks.build(TINY._replace(resolution=8), g_smoothing_kimg=0.0)
    z = np.random.RandomState(13).randn(8, pggan_networks.latent_size(TINY)).astype(np.float32)
    with _session() as sess:
        g0 = sess.run(g.g_vars)
        _steps(g, sess, [8, 4])
        g_now, gs_now = sess.run([g.g_vars, g.gs_vars])
        assert not np.array_equal(g_now[0], g0[0])  # G moved
        for a, b in zip(g_now, gs_now):
            np.testing.assert_array_equal(a, b)
        feed = {g.latents_in: z, g.lod: 0.0}
        np.testing.assert_array_equal(sess.run(g.samples, feed), sess.run(g.samples_g, feed))
        assert sess.run(g.gs_beta, {g.reals: np.zeros((8, 8, 8, 1), np.float32)}) == 0.0


@pytest.mark.parametrize("halflife_kimg", [pytest.param(0.1, marks=pytest.mark.long), 11.08])  # one in make test
def test_halflife_rule_gives_the_stated_beta_per_minibatch(halflife_kimg):
    """beta = 0.5 ** (minibatch / (half-life * 1000)), per step, from the fed
    minibatch: after 1000 * half-life / minibatch steps Gs keeps half its
    distance to a fixed G. The step applies Gs <- G + (Gs - G) * beta."""
    for minibatch in (4, 16, 128):
        want = 0.5 ** (minibatch / (halflife_kimg * 1000.0))
        assert pggan_networks.smoothing_beta(minibatch, halflife_kimg) == pytest.approx(want, rel=1e-12)
        assert pggan_networks.smoothing_beta(minibatch, halflife_kimg) ** (halflife_kimg * 1000.0 / minibatch) \
            == pytest.approx(0.5, rel=1e-9)
    assert pggan_networks.smoothing_beta(16, pggan_networks.PAPER_G_SMOOTHING_KIMG) == pytest.approx(0.999, rel=1e-12)
    assert pggan_networks.PAPER_G_SMOOTHING_KIMG == pytest.approx(11.0848, abs=1e-4)  # 16 ln 0.5 / ln 0.999 / 1000
    tf.reset_default_graph()
    tf.set_random_seed(14)
    g = pggan_networks.build(TINY._replace(resolution=8), g_smoothing_kimg=halflife_kimg)
    with _session() as sess:
        for minibatch in (4, 8):
            reals = np.random.RandomState(minibatch).uniform(-1, 1, (minibatch, 8, 8, 1)).astype(np.float32)
            beta = sess.run(g.gs_beta, {g.reals: reals})
            assert beta == pytest.approx(0.5 ** (minibatch / (halflife_kimg * 1000.0)), rel=1e-6)
            gs0 = sess.run(g.gs_vars)
            sess.run(g.d_train_op, {g.reals: reals, g.lod: 0.0})
            sess.run(g.g_train_op, {g.reals: reals, g.lod: 0.0})
            g1, gs1 = sess.run([g.g_vars, g.gs_vars])
            for a, s0, s1 in zip(g1, gs0, gs1):
                np.testing.assert_allclose(s1, a + (s0 - a) * beta, rtol=1e-5, atol=1e-6)


def test_lod_must_be_fed():
    """No default level of detail: a caller that forgets it gets an error,
    not a full-resolution run."""
    tf.reset_default_graph()
    g = pggan_networks.build(TINY._replace(resolution=8))
    with _session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="lod"):
            sess.run(g.samples)
        assert sess.run(g.samples, {g.lod: 1.0}).shape == (16, 8, 8, 1)
