"""golbin's unsupervised chapters: the autoencoder (08/01), the GAN (09/01)
and the conditional GAN (09/02), with plain tf.Variable / tf.matmul.

The GAN's noise is not fed from numpy: it is drawn in the graph by stateless
random ops keyed by the training step (``layers.dropout_seed()``, which the
loop feeds with ``[step, phase]``), so the D step and the G step of one
training step see the same noise, as golbin's two ``sess.run`` calls fed
the same ``noise``, and a resumed run draws exactly the noise of the run it
continues. Sampling feeds ``Z`` directly.
"""
import collections

from legacy.models import layers
from legacy.chapters.rnn import glorot
from legacy.tf import tf


def autoencoder(x, n_hidden=256):
    """784 -> 256 sigmoid -> 784 sigmoid; W and b N(0, 1) (golbin's
    ``tf.random_normal`` without stddev). Returns (decoder output, MSE cost)."""
    n_input = int(x.shape[-1])
    with tf.name_scope("encoder"):
        w = layers.weight([n_input, n_hidden], stddev=1.0)
        b = tf.Variable(tf.random_normal([n_hidden], seed=layers.op_seed()), name="b")
        encoder = tf.nn.sigmoid(tf.matmul(x, w) + b)
    with tf.name_scope("decoder"):
        w = layers.weight([n_hidden, n_input], stddev=1.0)
        b = tf.Variable(tf.random_normal([n_input], seed=layers.op_seed()), name="b")
        decoder = tf.nn.sigmoid(tf.matmul(encoder, w) + b, name="reconstruction")
    cost = tf.reduce_mean(tf.pow(x - decoder, 2), name="cost")
    return decoder, cost


# ``samples``: G's images; ``z`` the noise tensor (feed it to sample);
# ``d_objective`` / ``g_objective`` the costs each optimizer minimises;
# ``d_loss`` / ``g_loss`` what golbin printed.
Gan = collections.namedtuple("Gan", ["z", "samples", "d_loss", "g_loss", "d_objective", "g_objective",
                                     "d_vars", "g_vars"])

NOISE_SALT = 7  # the noise's key is [step, NOISE_SALT + graph seed]


def noise(batch, n_noise, kind):
    """[batch, n_noise] noise keyed by the step: N(0, 1) (09/01) or U(-1, 1) (09/02)."""
    step = layers.dropout_seed()[0]
    salt = tf.constant(NOISE_SALT + (tf.get_default_graph().seed or 0) % 2 ** 20 * 16, tf.int64)
    key = tf.stack([step, salt], name="noise_seed")
    shape = tf.stack([batch, n_noise])
    if kind == "normal":
        value = tf.random.stateless_normal(shape, seed=key)
    else:
        value = tf.random.stateless_uniform(shape, seed=key, minval=-1.0, maxval=1.0)
    return tf.identity(value, name="Z")


def gan(x, n_noise=128, n_hidden=256):
    """golbin 09/01. G: noise 128 -> 256 ReLU -> 784 sigmoid; D: 784 -> 256
    ReLU -> 1 sigmoid; weights N(0, 0.01), biases 0. Both losses are
    maximised as golbin wrote them (``loss_D = mean(log D(x) + log(1 - D(G(z))))``,
    ``loss_G = mean(log D(G(z)))``), i.e. their negatives are minimised."""
    n_input = int(x.shape[-1])
    z = noise(tf.shape(x)[0], n_noise, "normal")
    with tf.name_scope("generator") as g_scope:
        with tf.name_scope("layer1"):
            g_w1 = _dense_vars(n_noise, n_hidden)
        with tf.name_scope("layer2"):
            g_w2 = _dense_vars(n_hidden, n_input)
    with tf.name_scope("discriminator") as d_scope:
        with tf.name_scope("layer1"):
            d_w1 = _dense_vars(n_input, n_hidden)
        with tf.name_scope("layer2"):
            d_w2 = _dense_vars(n_hidden, 1)

    def generator(noise_z):
        return tf.nn.sigmoid(_apply(tf.nn.relu(_apply(noise_z, g_w1)), g_w2), name="samples")

    def discriminator(inputs):
        return tf.nn.sigmoid(_apply(tf.nn.relu(_apply(inputs, d_w1)), d_w2))

    with tf.name_scope(g_scope):
        samples = generator(z)
    with tf.name_scope(d_scope):
        d_gene, d_real = discriminator(samples), discriminator(x)
    d_loss = tf.reduce_mean(tf.log(d_real) + tf.log(1 - d_gene), name="d_loss")
    g_loss = tf.reduce_mean(tf.log(d_gene), name="g_loss")
    return Gan(z, samples, d_loss, g_loss, -d_loss, -g_loss, list(d_w1 + d_w2), list(g_w1 + g_w2))


def _dense_vars(n_in, n_out):
    w = layers.weight([n_in, n_out], stddev=0.01)
    return (w, tf.Variable(tf.zeros([n_out]), name="b"))


def _apply(x, wb):
    return tf.matmul(x, wb[0]) + wb[1]


def conditional_gan(x, y, n_noise=128, n_hidden=256):
    """golbin 09/02. G: [noise U(-1, 1), one-hot label] -> dense 256 ReLU ->
    784 sigmoid; D: [image, label] -> dense 256 ReLU -> 1 logit, the same
    variables for real and generated images (golbin's ``reuse``); dense
    layers as ``tf.layers.dense`` made them (Glorot-uniform kernel, zero
    bias). Sigmoid cross-entropy: D real -> 1, fake -> 0; G fake -> 1."""
    n_input = int(x.shape[-1])
    n_class = int(y.shape[-1])
    z = noise(tf.shape(x)[0], n_noise, "uniform")
    with tf.name_scope("generator"):
        g1 = (glorot([n_noise + n_class, n_hidden]), tf.Variable(tf.zeros([n_hidden]), name="b"))
        g2 = (glorot([n_hidden, n_input]), tf.Variable(tf.zeros([n_input]), name="b"))
        samples = tf.nn.sigmoid(_apply(tf.nn.relu(_apply(tf.concat([z, y], 1), g1)), g2), name="samples")
    with tf.name_scope("discriminator") as d_scope:
        d1 = (glorot([n_input + n_class, n_hidden]), tf.Variable(tf.zeros([n_hidden]), name="b"))
        d2 = (glorot([n_hidden, 1]), tf.Variable(tf.zeros([1]), name="b"))

    def discriminator(inputs):
        with tf.name_scope(d_scope):
            return _apply(tf.nn.relu(_apply(tf.concat([inputs, y], 1), d1)), d2)

    d_real, d_gene = discriminator(x), discriminator(samples)

    def xent(logits, target):
        return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(logits=logits, labels=target(logits)))

    d_loss = tf.add(xent(d_real, tf.ones_like), xent(d_gene, tf.zeros_like), name="d_loss")
    g_loss = tf.identity(xent(d_gene, tf.ones_like), name="g_loss")
    return Gan(z, samples, d_loss, g_loss, d_loss, g_loss, list(d1 + d2), list(g1 + g2))
