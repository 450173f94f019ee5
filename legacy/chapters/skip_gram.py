"""golbin 04/03: skip-gram Word2Vec with NCE loss.

Embeddings and NCE weights Uniform(-1, 1), NCE biases 0, ``tf.nn.nce_loss``
with ``num_sampled`` negatives. The negatives come from the same sampler
``nce_loss`` uses by default (log-uniform, unique), called here with an
explicit op seed: left to nce_loss its seed would come from the op count,
which TF 1.15 and TF 2 count differently, so the lanes would draw different
negatives for the same --seed.
"""
import collections

from legacy.models import layers
from legacy.tf import tf

SkipGram = collections.namedtuple("SkipGram", ["embeddings", "cost"])


def skip_gram(inputs, labels, voc_size, embedding_size=2, num_sampled=15):
    """``inputs`` [batch] int32 word indices, ``labels`` [batch, 1] int32 context words."""
    if num_sampled >= voc_size:
        raise ValueError("num_sampled=%d must be below the vocabulary size %d" % (num_sampled, voc_size))
    embeddings = tf.Variable(tf.random_uniform([voc_size, embedding_size], -1.0, 1.0, seed=layers.op_seed()),
                             name="embeddings")
    selected = tf.nn.embedding_lookup(embeddings, inputs)
    nce_weights = tf.Variable(tf.random_uniform([voc_size, embedding_size], -1.0, 1.0, seed=layers.op_seed()),
                              name="nce_weights")
    nce_biases = tf.Variable(tf.zeros([voc_size]), name="nce_biases")
    labels64 = tf.cast(labels, tf.int64)
    sampled = tf.nn.log_uniform_candidate_sampler(labels64, num_true=1, num_sampled=num_sampled, unique=True,
                                                  range_max=voc_size, seed=layers.op_seed())
    cost = tf.reduce_mean(tf.nn.nce_loss(nce_weights, nce_biases, labels64, selected, num_sampled, voc_size,
                                         sampled_values=sampled), name="cost")
    return SkipGram(embeddings, cost)
