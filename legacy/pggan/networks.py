"""Progressive growing of GANs (Karras et al., ICLR 2018), in plain TF1 graph ops.

The networks of the paper's Appendix A and the official code
(tkarras/progressive_growing_of_gans, ``networks.py`` ``G_paper`` /
``D_paper``, ``loss.py``), rewritten with ``tf.Variable`` and ``tf.nn`` so
that the same file builds on TF 1.15 and on TF 2's ``tf.compat.v1``:

- widths ``nf(stage) = min(fmap_base / 2**(stage * fmap_decay), fmap_max)``;
- G: latent normalised onto the sphere (pixel norm of the vector), a dense
  layer to 4x4, then per resolution a nearest-neighbour 2x upsampling and two
  3x3 convolutions, leaky ReLU 0.2 and pixel norm after each; ``toRGB`` is a
  1x1 convolution with gain 1;
- D: the mirror image: ``fromRGB`` 1x1, per resolution two 3x3 convolutions
  and a 2x2 average pool; at 4x4 the minibatch standard deviation layer, a
  3x3 convolution, a dense layer and the linear score;
- equalized learning rate: weights are drawn N(0, 1) and multiplied at run
  time by the He constant ``gain / sqrt(fan_in)``;
- the level of detail ``lod`` (0 = full resolution, ``log2(R) - 2`` = 4x4)
  fades each new block in: the output at a fractional lod is
  ``lerp(new, upscale(old), lod - floor(lod))``, as the official "recursive"
  structure builds it, with ``tf.cond`` so that the blocks a lod does not use
  are not computed. One graph serves every resolution; nothing is rebuilt.

Differences from the official code, all deliberate: NHWC instead of NCHW
(TF's CPU kernels want NHWC; the official code is GPU-only), and separate
upsample + conv / conv + pool layers (the paper's description; the official
``fused_scale`` ops compute the same function with a transposed convolution).
"""
import collections

import numpy as np

from legacy.models.layers import DROPOUT_SEED, op_seed
from legacy.tf import tf

# The paper's hyper-parameters (Appendix A.1, official config.py / loss.py).
WGAN_LAMBDA = 10.0
WGAN_EPSILON_DRIFT = 0.001
ADAM = dict(learning_rate=0.001, beta1=0.0, beta2=0.99, epsilon=1e-8)
# G's moving average (Gs) as a half-life in thousands of images, as the later
# official code (StyleGAN's G_smoothing_kimg): beta = 0.5 ** (minibatch /
# (half-life * 1000)) per G step, so Gs forgets at the same rate per image
# whatever the minibatch. The paper's beta 0.999 at its minibatch 16 is a
# half-life of 16 * ln(0.5) / ln(0.999) / 1000 = 11.08 kimg.
def halflife_kimg(beta, minibatch):
    """The half-life in thousands of images of a per-step beta at ``minibatch``."""
    return minibatch * np.log(0.5) / np.log(beta) / 1000.0


PAPER_G_SMOOTHING_KIMG = halflife_kimg(0.999, 16)


def smoothing_beta(minibatch, halflife_kimg):
    """Gs's per-step beta for ``minibatch`` images per step (0: no smoothing, Gs = G)."""
    if not halflife_kimg:
        return 0.0
    return 0.5 ** (float(minibatch) / (halflife_kimg * 1000.0))

NetSize = collections.namedtuple("NetSize", ["resolution", "channels", "fmap_base", "fmap_decay", "fmap_max",
                                             "latent_size", "mbstd_group_size"])


def nf(size, stage):
    """Feature maps of a stage (stage 1 is 4x4, stage k is 2**(k+1))."""
    return min(int(size.fmap_base / (2.0 ** (stage * size.fmap_decay))), size.fmap_max)


def latent_size(size):
    return size.latent_size or nf(size, 0)


class Params(object):
    """The variables of one network, created on first use and reused after, so
    that D can be applied to reals, fakes and their mixes with one set of
    weights (what ``tf.get_variable`` with reuse would do, in plain Variables)."""

    def __init__(self, name):
        self.name = name
        self.vars = collections.OrderedDict()

    def get(self, key, shape, initial):
        full = "%s/%s" % (self.name, key)
        if full not in self.vars:
            # A callable initial value: TF builds it outside the tf.cond that the
            # first use may sit in (an initializer inside a cond cannot run).
            with tf.name_scope(None):
                self.vars[full] = tf.Variable(lambda: initial(shape), name=full, dtype=tf.float32)
        var = self.vars[full]
        assert var.shape.as_list() == list(shape), (full, var.shape, shape)
        return var

    def variables(self):
        return list(self.vars.values())


def he_std(shape, gain=np.sqrt(2), fan_in=None):
    """The He initialiser's standard deviation, gain / sqrt(fan_in)."""
    fan_in = np.prod(shape[:-1]) if fan_in is None else fan_in
    return gain / np.sqrt(fan_in)


def weight(params, key, shape, gain=np.sqrt(2), use_wscale=True):
    """Equalized learning rate: the variable is N(0, 1) and the He constant
    scales it at run time, so Adam's per-parameter step sizes see all layers on
    the same scale. Without ``use_wscale`` it is ordinary He initialisation."""
    std = he_std(shape, gain)
    if use_wscale:
        w = params.get(key + "/weight", shape, lambda s: tf.random_normal(s, seed=op_seed()))
        return w * tf.constant(np.float32(std), name="wscale")
    return params.get(key + "/weight", shape, lambda s: tf.random_normal(s, stddev=std, seed=op_seed()))


def bias(params, key, x):
    b = params.get(key + "/bias", [int(x.shape[-1])], tf.zeros)
    return x + b


def dense(params, key, x, fmaps, gain=np.sqrt(2), use_wscale=True):
    x = tf.reshape(x, [-1, int(np.prod(x.shape.as_list()[1:]))])
    w = weight(params, key, [int(x.shape[1]), fmaps], gain, use_wscale)
    return bias(params, key, tf.matmul(x, w))


def conv2d(params, key, x, fmaps, kernel, gain=np.sqrt(2), use_wscale=True):
    w = weight(params, key, [kernel, kernel, int(x.shape[-1]), fmaps], gain, use_wscale)
    return bias(params, key, tf.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding="SAME"))


def leaky_relu(x, alpha=0.2):
    return tf.nn.leaky_relu(x, alpha)  # = max(alpha x, x); one fused op (the official tf.maximum is for fp16)


def pixel_norm(x, epsilon=1e-8):
    """Each pixel's feature vector scaled to unit mean square (Sec. 4.2)."""
    return x * tf.rsqrt(tf.reduce_mean(tf.square(x), axis=-1, keepdims=True) + epsilon)


def upscale2d(x, factor=2):
    """Nearest-neighbour upsampling (NHWC); ``factor`` may be a tensor."""
    if isinstance(factor, int) and factor == 1:
        return x
    s = tf.shape(x)
    c = x.shape[-1]
    y = tf.reshape(x, [-1, s[1], 1, s[2], 1, c])
    y = tf.tile(y, [1, 1, factor, 1, factor, 1])
    y = tf.reshape(y, [-1, s[1] * factor, s[2] * factor, c])
    if isinstance(factor, int) and x.shape[1].value is not None:
        y.set_shape([x.shape[0], x.shape[1].value * factor, x.shape[2].value * factor, c])
    return y


def downscale2d(x, factor=2):
    """Box-filter (average-pool) downsampling."""
    if factor == 1:
        return x
    return tf.nn.avg_pool(x, ksize=[1, factor, factor, 1], strides=[1, factor, factor, 1], padding="VALID")


def minibatch_stddev(x, group_size=4):
    """Appends one feature map: the standard deviation of each feature over a
    group of ``group_size`` images, averaged over features and pixels (Sec. 3).
    Group members are images i, i + M, i + 2M, ... of the minibatch of G * M."""
    group = tf.minimum(group_size, tf.shape(x)[0])
    s = tf.shape(x)
    y = tf.reshape(x, [group, -1, s[1], s[2], s[3]])
    y -= tf.reduce_mean(y, axis=0, keepdims=True)
    y = tf.reduce_mean(tf.square(y), axis=0)
    y = tf.sqrt(y + 1e-8)
    y = tf.reduce_mean(y, axis=[1, 2, 3], keepdims=True)  # [M, 1, 1, 1]
    y = tf.tile(y, [group, s[1], s[2], 1])
    return tf.concat([x, y], axis=-1)


def lerp(a, b, t):
    return a + (b - a) * t


def _cset(current, condition, new):
    """The official ``cset``: a lambda that picks ``new`` when ``condition``."""
    return lambda: tf.cond(condition, new, current)


def generator(params, latents, lod, size, use_wscale=True, use_pixelnorm=True):
    """Images [N, R, R, channels] at level of detail ``lod`` (a float scalar
    tensor), always upscaled to the full resolution R."""
    log2 = int(np.log2(size.resolution))
    pn = pixel_norm if use_pixelnorm else (lambda v: v)

    def block(x, res):
        key = "%dx%d" % (2 ** res, 2 ** res)
        if res == 2:
            x = pixel_norm(x)  # the latent onto the sphere
            # gain sqrt(2)/4, "to match the original Theano implementation"
            x = dense(params, key + "/Dense", x, nf(size, 1) * 16, gain=np.sqrt(2) / 4, use_wscale=use_wscale)
            x = pn(leaky_relu(tf.reshape(x, [-1, 4, 4, nf(size, 1)])))
            return pn(leaky_relu(conv2d(params, key + "/Conv", x, nf(size, 1), 3, use_wscale=use_wscale)))
        x = upscale2d(x)
        x = pn(leaky_relu(conv2d(params, key + "/Conv0", x, nf(size, res - 1), 3, use_wscale=use_wscale)))
        return pn(leaky_relu(conv2d(params, key + "/Conv1", x, nf(size, res - 1), 3, use_wscale=use_wscale)))

    def torgb(x, res):
        return conv2d(params, "ToRGB_lod%d" % (log2 - res), x, size.channels, 1, gain=1, use_wscale=use_wscale)

    def grow(x, res, level):
        y = block(x, res)
        img = lambda: upscale2d(torgb(y, res), 2 ** level)  # noqa: E731
        if res > 2:  # fading in: lerp(new, old upscaled, lod - level) while level < lod < level + 1
            img = _cset(img, lod > level, lambda: upscale2d(
                lerp(torgb(y, res), upscale2d(torgb(x, res - 1)), lod - level), 2 ** level))
        if level > 0:  # a finer level is active: go on growing
            img = _cset(img, lod < level, lambda: grow(y, res + 1, level - 1))
        return img()

    with tf.name_scope(params.name):
        images = grow(latents, 2, log2 - 2)
        images.set_shape([None, size.resolution, size.resolution, size.channels])
        return tf.identity(images, name="images_out")


def discriminator(params, images, lod, size, use_wscale=True):
    """Scores [N] of full-resolution images [N, R, R, C] at level of detail ``lod``."""
    log2 = int(np.log2(size.resolution))

    def fromrgb(x, res):
        return leaky_relu(conv2d(params, "FromRGB_lod%d" % (log2 - res), x, nf(size, res - 1), 1,
                                 use_wscale=use_wscale))

    def block(x, res):
        key = "%dx%d" % (2 ** res, 2 ** res)
        if res >= 3:
            x = leaky_relu(conv2d(params, key + "/Conv0", x, nf(size, res - 1), 3, use_wscale=use_wscale))
            x = leaky_relu(conv2d(params, key + "/Conv1", x, nf(size, res - 2), 3, use_wscale=use_wscale))
            return downscale2d(x)
        if size.mbstd_group_size > 1:
            x = minibatch_stddev(x, size.mbstd_group_size)
        x = leaky_relu(conv2d(params, key + "/Conv", x, nf(size, res - 1), 3, use_wscale=use_wscale))
        x = leaky_relu(dense(params, key + "/Dense0", x, nf(size, res - 2), use_wscale=use_wscale))
        return dense(params, key + "/Dense1", x, 1, gain=1, use_wscale=use_wscale)

    def grow(res, level):
        x = lambda: fromrgb(downscale2d(images, 2 ** level), res)  # noqa: E731
        if level > 0:
            x = _cset(x, lod < level, lambda: grow(res + 1, level - 1))
        x = block(x(), res)
        y = lambda: x  # noqa: E731
        if res > 2:
            y = _cset(y, lod > level, lambda: lerp(x, fromrgb(downscale2d(images, 2 ** (level + 1)), res - 1),
                                                   lod - level))
        return y()

    with tf.name_scope(params.name):
        return tf.identity(grow(2, log2 - 2)[:, 0], name="scores_out")


def process_reals(reals, lod, resolution):
    """Reals at resolution ``R / 2**floor(lod)`` (a pyramid level, as the
    official training feeds them) to the networks' input: blended with their
    2x box-downsampled copy by ``lod - floor(lod)`` (the fade-in) and upscaled
    by nearest neighbour to R."""
    with tf.name_scope("ProcessReals"):
        s = tf.shape(reals)
        c = reals.shape[-1]
        y = tf.reshape(reals, [-1, s[1] // 2, 2, s[2] // 2, 2, c])
        y = tf.reduce_mean(y, axis=[2, 4], keepdims=True)
        y = tf.reshape(tf.tile(y, [1, 1, 2, 1, 2, 1]), s)
        x = lerp(reals, y, lod - tf.floor(lod))
        factor = tf.cast(2.0 ** tf.floor(lod), tf.int32)
        x = upscale2d(x, factor)
        x.set_shape([None, resolution, resolution, c])
        return x


STEP_SEED = "step_seed"


def step_seed(graph=None):
    """The int64 ``[2]`` seed of a training step's random draws (G's latents,
    the gradient penalty's mixing factors), named ``step_seed``. The project's
    loop feeds ``[global step, phase]`` to the one per-step seed input of a
    graph, which the core keeps in the collection it made for dropout masks
    (legacy/models/layers.py ``DROPOUT_SEED``); this input is put there, so
    the loop feeds it without the core knowing about GANs. Unfed: ``[0, 0]``."""
    graph = graph or tf.get_default_graph()
    found = graph.get_collection(DROPOUT_SEED)
    if found:
        return found[0]
    with graph.as_default(), graph.name_scope(""):
        seed = tf.placeholder_with_default(tf.constant([0, 0], tf.int64), [2], name=STEP_SEED)
    graph.add_to_collection(DROPOUT_SEED, seed)
    return seed


def stateless_normal(shape, salt):
    """N(0, 1) keyed by the loop's fed seed [step, phase] (``step_seed``) and
    the graph seed: step N draws the same latents in any process, so a
    resumed run repeats the uninterrupted one exactly."""
    seed = step_seed()
    graph_seed = (tf.get_default_graph().seed or 0) % 2 ** 20
    key = tf.stack([seed[0], seed[1] * 2 ** 30 + graph_seed * 2 ** 6 + salt])
    return tf.random.stateless_normal(shape, seed=key)


def stateless_uniform(shape, salt):
    seed = step_seed()
    graph_seed = (tf.get_default_graph().seed or 0) % 2 ** 20
    key = tf.stack([seed[0], seed[1] * 2 ** 30 + graph_seed * 2 ** 6 + salt])
    return tf.random.stateless_uniform(shape, seed=key)


def gradient_penalty(d_fn, reals, fakes, mix):
    """WGAN-GP (Gulrajani et al.): (||grad_x D(x)|| - 1)^2 at ``x = reals +
    (fakes - reals) * mix``, per image, as the official ``D_wgangp_acgan``."""
    with tf.name_scope("GradientPenalty"):
        mixed = lerp(reals, fakes, mix)
        scores = d_fn(mixed)
        grads = tf.gradients(tf.reduce_sum(scores), [mixed])[0]
        norms = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=[1, 2, 3]))
        return tf.square(norms - 1.0), norms


PgganGraph = collections.namedtuple("PgganGraph", [
    "reals", "lod", "latents_in", "fakes", "samples", "d_loss", "g_loss", "gp", "real_scores", "fake_scores",
    "d_train_op", "g_train_op", "reset_optimizers", "global_step", "g_vars", "d_vars", "gs_vars", "stats",
    "samples_g", "gs_beta", "rows", "minibatch"])


def shard_rows(minibatch, group_size, rank, ranks):
    """The rows of a minibatch of ``minibatch`` that rank ``rank`` of ``ranks``
    trains, in the order it feeds them, such that its minibatch-stddev groups
    are the whole minibatch's: the whole minibatch's groups are images
    i, i + M, i + 2M, ... (M = minibatch / group, ``minibatch_stddev``);
    rank r takes the group columns [r*M/W, (r+1)*M/W) and lists them group
    member by group member, so that its own reshape to [group, -1] pairs the
    same images. Every other term of the losses is per image (the scores,
    WGAN-GP's penalty at a per-image mix, the drift), so with these rows the
    mean of the W ranks' mean gradients is the whole minibatch's. Without
    groups (``group_size`` <= 1) the rows are one contiguous slice.
    ValueError where the columns do not split into ``ranks`` equal parts."""
    group = min(group_size, minibatch) if group_size > 1 else 1
    columns = minibatch // group
    if minibatch % group or columns % ranks:
        raise ValueError("a minibatch of %d in minibatch-stddev groups of %d has %d group column(s) "
                         "(images i, i+%d, ...): they do not split into %d equal rank shards"
                         % (minibatch, group, columns, columns, ranks))
    mine = columns // ranks
    grid = np.arange(minibatch).reshape(group, columns)
    return grid[:, rank * mine:(rank + 1) * mine].reshape(-1)


def build(size, minibatch_in=None, use_wscale=True, use_pixelnorm=True, g_smoothing_kimg=PAPER_G_SMOOTHING_KIMG,
          wgan_lambda=WGAN_LAMBDA, eps_drift=WGAN_EPSILON_DRIFT, adam=None, wrap_optimizer=None):
    """The PGGAN training graph.

    Placeholders: ``reals`` (uint8-range floats in [-1, 1], [N, r, r, C] at the
    current pyramid level r), ``lod`` (float scalar, must be fed: 0 is full
    resolution, ``log2(R) - 2`` is 4x4).
    Latents and the gradient penalty's mixing factors are stateless random
    draws keyed by the loop's fed seed (one D step and one G step per training
    step draw different latents: the seed is [step, phase]).

    ``d_train_op`` / ``g_train_op``: Adam steps on D's / G's variables;
    ``g_train_op`` also moves the EMA generator Gs and the global step; Gs's
    beta ``gs_beta`` is ``smoothing_beta(minibatch, g_smoothing_kimg)`` of the
    step's minibatch (0: Gs = G after every step). ``samples`` is Gs's output
    and ``samples_g`` raw G's for the latent placeholder ``latents_in``
    (default: 16 N(0, 1) latents drawn anew at every ``sess.run``; feed fixed
    latents to compare samples).

    Data-parallel (one rank of several, legacy/engine.py): ``reals`` holds
    this rank's rows of the step's whole minibatch, ``minibatch`` (default:
    the rows fed) is the whole minibatch's size and ``rows`` (default: all)
    which of its rows these are (``shard_rows``); the latents and mixing
    factors are drawn for the whole minibatch and the same rows taken, and
    Gs's beta is the whole minibatch's. ``wrap_optimizer``: a function of
    each Adam that returns the optimizer to minimise with (Horovod's
    ``DistributedOptimizer``: the mean of the ranks' gradients).
    """
    adam = dict(ADAM, **(adam or {}))
    reals_in = tf.placeholder(tf.float32, [None, None, None, size.channels], name="reals")
    lod = tf.placeholder(tf.float32, [], name="lod")
    fed = tf.shape(reals_in)[0]
    batch = tf.placeholder_with_default(fed, [], name="minibatch")  # the whole minibatch (all ranks)
    rows = tf.placeholder_with_default(tf.range(fed), [None], name="rows")  # this rank's rows of it
    reals = process_reals(reals_in, lod, size.resolution)
    g_params, d_params, gs_params = Params("G"), Params("D"), Params("Gs")

    def gen(p, z):
        return generator(p, z, lod, size, use_wscale, use_pixelnorm)

    def disc(x):
        return discriminator(d_params, x, lod, size, use_wscale)

    zsize = latent_size(size)
    latents = tf.gather(stateless_normal(tf.stack([batch, zsize]), salt=1), rows)
    fakes = gen(g_params, latents)
    with tf.name_scope("D_loss"):
        real_scores = disc(reals)
        fake_d = tf.stop_gradient(fakes)  # D's step need not differentiate through G
        fake_scores_d = disc(fake_d)
        mix = tf.gather(stateless_uniform(tf.stack([batch, 1, 1, 1]), salt=2), rows)
        gp, gp_norms = gradient_penalty(disc, reals, fake_d, mix)
        drift = tf.square(real_scores)
        d_loss = tf.reduce_mean(fake_scores_d - real_scores + wgan_lambda * gp + eps_drift * drift, name="d_loss")
    with tf.name_scope("G_loss"):
        fake_scores = disc(fakes)
        g_loss = tf.reduce_mean(-fake_scores, name="g_loss")

    # Gs: G's weights' exponential moving average, for samples and metrics.
    g_vars = g_params.variables()
    for var in g_vars:
        gs_params.get(var.op.name[2:], var.shape.as_list(), lambda s, v=var: v.initialized_value())
    gs_vars = gs_params.variables()
    latents_in = tf.placeholder_with_default(
        tf.random_normal([16, zsize], seed=op_seed()), [None, zsize], name="latents_in")
    samples = gen(gs_params, latents_in)
    samples_g = gen(g_params, latents_in)

    with tf.name_scope("optimizer"):
        global_step = tf.Variable(0, trainable=False, name="global_step", dtype=tf.int64)
        opt_d = tf.train.AdamOptimizer(adam["learning_rate"], adam["beta1"], adam["beta2"], adam["epsilon"],
                                       name="AdamD")
        opt_g = tf.train.AdamOptimizer(adam["learning_rate"], adam["beta1"], adam["beta2"], adam["epsilon"],
                                       name="AdamG")
        if wrap_optimizer is not None:
            opt_d, opt_g = wrap_optimizer(opt_d), wrap_optimizer(opt_g)
        d_vars = d_params.variables()
        # The last D step's statistics, kept in variables that the D step
        # writes, so hooks read them without recomputing anything.
        stat_names = ("gradient_penalty", "gp_norm", "real_score", "fake_score", "drift")
        stats = collections.OrderedDict(
            (name, tf.Variable(0.0, trainable=False, name="stats_" + name)) for name in stat_names)
        d_step = opt_d.minimize(d_loss, var_list=d_vars)
        with tf.control_dependencies([d_step]):
            values = (tf.reduce_mean(gp), tf.reduce_mean(gp_norms), tf.reduce_mean(real_scores),
                      tf.reduce_mean(fake_scores_d), tf.reduce_mean(drift))
            d_train_op = tf.group(*[tf.assign(stats[n], v) for n, v in zip(stat_names, values)], name="d_train")
        g_step = opt_g.minimize(g_loss, var_list=g_vars, global_step=global_step)
        if g_smoothing_kimg:
            gs_beta = tf.pow(0.5, tf.cast(batch, tf.float32) / (g_smoothing_kimg * 1000.0), name="gs_beta")
        else:
            gs_beta = tf.constant(0.0, name="gs_beta")
        with tf.control_dependencies([g_step]):
            ema = [tf.assign(s, lerp(g, s, gs_beta)) for g, s in zip(g_vars, gs_vars)]
            g_train_op = tf.group(*ema, name="g_train")
        slots = _adam_slots(opt_d, opt_g)  # moments and beta powers
        # The official trainer resets Adam's moments when a new layer starts
        # to fade in and when it is fully in (reset_opt_for_new_lod=True).
        reset = tf.variables_initializer(slots, name="reset_optimizers")
    return PgganGraph(reals_in, lod, latents_in, fakes, samples, d_loss, g_loss, gp, real_scores, fake_scores,
                      d_train_op, g_train_op, reset, global_step, g_vars, d_vars, gs_vars, stats, samples_g, gs_beta,
                      rows, batch)


def _adam_slots(*optimizers):
    """The moment and beta-power variables of ``optimizers``; of the Adam
    inside a wrapper (Horovod's DistributedOptimizer keeps it as ``_optimizer``)."""
    found = []
    for opt in optimizers:
        found += getattr(opt, "_optimizer", opt).variables()
    return found
