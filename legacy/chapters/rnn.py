"""Recurrent networks of golbin's chapter 10, with cells written out by hand.

TF 2.21 without Keras 2 has no ``tf.compat.v1.nn.rnn_cell`` (``BasicRNNCell``
raises "not available with Keras 3"), so the cells are the equations of TF1's
``BasicRNNCell`` and ``BasicLSTMCell``, unrolled over the time steps in
Python (a static unroll: every sequence here has a length known when the
graph is built). Their variables are initialised as TF1's cells did by
default: kernel Glorot-uniform over ``[input + hidden, units]``, bias zero.

- ``rnn_step``: ``h' = tanh([x, h] W + b)``; output and new state are ``h'``.
- ``lstm_step``: ``i, j, f, o = split([x, h] W + b)``,
  ``c' = c sigmoid(f + 1) + sigmoid(i) tanh(j)``, ``h' = tanh(c') sigmoid(o)``
  (forget bias 1.0, gate order i, j, f, o as in BasicLSTMCell).
- ``DropoutWrapper(output_keep_prob=k)`` drops each step's output with a new
  mask per step and passes the state on undropped; ``layers.dropout`` per step
  does the same.
"""
from legacy.models import layers
from legacy.tf import tf


def glorot(shape, name="kernel"):
    """TF1's default initializer (glorot_uniform) for a 2-D kernel, its bound
    computed as TF1 does (layers.glorot_limit): the same op seed draws the
    same bits as golbin's rnn_cell / tf.layers kernels (legacy/originals/golbin_*.py)."""
    return layers.weight(shape, init="glorot", name=name)


class Cell(object):
    """A cell's variables, made once; ``step(x, state)`` -> (output, state)."""

    def __init__(self, input_size, units, kind="rnn", name="cell"):
        self.units, self.kind = units, kind
        width = units * (4 if kind == "lstm" else 1)
        with tf.name_scope(name):
            self.kernel = glorot([input_size + units, width])
            self.bias = tf.Variable(tf.zeros([width]), name="bias")

    def zero_state(self, batch):
        zeros = tf.zeros(tf.stack([batch, self.units]))
        return (zeros, zeros) if self.kind == "lstm" else zeros

    def step(self, x, state):
        if self.kind == "rnn":
            h = tf.tanh(tf.matmul(tf.concat([x, state], 1), self.kernel) + self.bias)
            return h, h
        c, h = state
        i, j, f, o = tf.split(tf.matmul(tf.concat([x, h], 1), self.kernel) + self.bias, 4, axis=1)
        c = c * tf.sigmoid(f + 1.0) + tf.sigmoid(i) * tf.tanh(j)
        h = tf.tanh(c) * tf.sigmoid(o)
        return h, (c, h)


def unroll(cell, inputs, state=None, dropout=False):
    """Run ``cell`` over ``inputs`` ([batch, time, features], time static);
    returns (outputs per step, last state). ``dropout``: dropout (the graph's
    keep_prob) on each step's output, a new mask per step, not on the state."""
    steps = tf.unstack(inputs, axis=1)
    if state is None:
        state = cell.zero_state(tf.shape(inputs)[0])
    outputs = []
    for x in steps:
        out, state = cell.step(x, state)
        if dropout:
            out = layers.dropout(out)
        outputs.append(out)
    return outputs, state


def rnn_mnist(x, n_step=28, n_input=28, n_hidden=128, n_class=10):
    """golbin 10/01: each image as 28 steps of 28 pixels into a BasicRNNCell(128);
    the last output -> W [128, 10] + b, both N(0, 1). Logits."""
    sequence = tf.reshape(x, [-1, n_step, n_input])
    with tf.name_scope("rnn"):
        outputs, _ = unroll(Cell(n_input, n_hidden, "rnn"), sequence)
    with tf.name_scope("output"):
        w = layers.weight([n_hidden, n_class], stddev=1.0)
        b = tf.Variable(tf.random_normal([n_class], seed=layers.op_seed()), name="b")
        return tf.identity(tf.matmul(outputs[-1], w) + b, name="logits")


def autocomplete(x, n_hidden=128, n_class=26):
    """golbin 10/02: two BasicLSTMCell(128) stacked, dropout on layer 1's
    outputs, the last output -> W [128, 26] + b, both N(0, 1). Logits."""
    n_input = int(x.shape[-1])
    with tf.name_scope("lstm1"):
        outputs, _ = unroll(Cell(n_input, n_hidden, "lstm"), x, dropout=True)
    with tf.name_scope("lstm2"):
        outputs, _ = unroll(Cell(n_hidden, n_hidden, "lstm"), tf.stack(outputs, axis=1))
    with tf.name_scope("output"):
        w = layers.weight([n_hidden, n_class], stddev=1.0)
        b = tf.Variable(tf.random_normal([n_class], seed=layers.op_seed()), name="b")
        return tf.identity(tf.matmul(outputs[-1], w) + b, name="logits")


class Seq2Seq(object):
    """golbin 10/03: encoder and decoder BasicRNNCell(128), each with output
    dropout; the decoder starts from the encoder's last state; a dense layer
    (Glorot kernel, zero bias) maps each decoder output to the characters.

    The variables are made once; ``logits`` builds the unrolled graph for
    one pair of sequence lengths (the training words, or a word to
    translate), all sharing them.
    """

    def __init__(self, n_chars, n_hidden=128):
        self.n_chars = n_chars
        with tf.name_scope("encode"):
            self.encoder = Cell(n_chars, n_hidden, "rnn")
        with tf.name_scope("decode"):
            self.decoder = Cell(n_chars, n_hidden, "rnn")
        with tf.name_scope("dense"):
            self.w = glorot([n_hidden, n_chars])
            self.b = tf.Variable(tf.zeros([n_chars]), name="bias")

    def logits(self, enc_input, dec_input):
        """[batch, decoder steps, chars] logits."""
        with tf.name_scope("encode"):
            _, state = unroll(self.encoder, enc_input, dropout=True)
        with tf.name_scope("decode"):
            outputs, _ = unroll(self.decoder, dec_input, state=state, dropout=True)
        with tf.name_scope("dense"):
            return tf.stack([tf.matmul(o, self.w) + self.b for o in outputs], axis=1, name="logits")
