"""golbin 10/03: translate English words into Korean ones, character by character.

Characters "S" (start), "E" (end), "P" (padding), a-z and the syllables of
단어 나무 놀이 소녀 키스 사랑; pairs word->단어, wood->나무, game->놀이,
girl->소녀, kiss->키스, love->사랑. Encoder and decoder BasicRNNCell(128)
(written out in legacy/chapters/rnn.py) with output dropout 0.5, the decoder
started from the encoder's last state and fed "S" + the translation
(teacher forcing), a dense layer to the characters, sparse softmax
cross-entropy, Adam 0.01, 100 full-batch epochs. Prints golbin's
``Epoch: 0001 cost = 0.xxxxxx`` lines, ``최적화 완료!`` and his
``=== 번역 테스트 ===`` block, translating word, wodr, love, loev, abcd as
he did: the word into the encoder, "S" + "P" * len(word) into the decoder,
the characters up to the first "E".

golbin's DropoutWrapper(output_keep_prob=0.5) stayed on while translating;
here translation uses --eval_keep_prob (1.0: dropout off), and
``--eval_keep_prob=0.5`` reproduces the original. Beyond the original it
reports how many training words translate right (with the same
translation procedure).

Example: python scripts/seq2seq.py --translate=word,wodr,love,loev,abcd
"""
from legacy import run_config
from legacy.chapters import words
from legacy.graph import TrainGraph, minimize
from legacy.models.layers import mode_inputs
from legacy.chapters.rnn import Seq2Seq
from legacy.chapters.tracks import ArrayInput, EpochLine, full_batch, run_loop
from legacy.tf import tf
from legacy.chapters.chapter_config import ChapterConfig

EXPERIMENT = "seq2seq"

run_config.define_full_batch_flags(
    epochs=100, optimizer="adam", learning_rate=0.01, keep_prob=0.5,
    eval_keep_help="Dropout keep probability when translating. 1.0 turns dropout off; golbin's "
                   "DropoutWrapper(output_keep_prob=0.5) stayed on in translate(), which 0.5 reproduces.")
run_config.define("list", "translate", list(words.SEQ2SEQ_TEST_WORDS),
                  "Words (a-z) to translate after training, as a comma list.")
run_config._check("translate", lambda v: len(v) > 0,
                  "is empty: give at least one word of a-z, e.g. --translate=word,love (default: %s)"
                  % ",".join(words.SEQ2SEQ_TEST_WORDS))
run_config.define_run_flags(EXPERIMENT)


class Translator(object):
    """golbin's translate(): one unrolled graph per word length, sharing the
    trained variables, built on first use."""

    def __init__(self, model):
        self.model, self.graphs = model, {}

    def __call__(self, sess, word, keep_prob=1.0):
        enc, dec, _ = words.translation_batch(word)
        if len(word) not in self.graphs:
            with tf.name_scope("translate%d" % len(word)):
                enc_t = tf.placeholder(tf.float32, [None] + list(enc.shape[1:]), name="enc_input")
                dec_t = tf.placeholder(tf.float32, [None] + list(dec.shape[1:]), name="dec_input")
                prediction = tf.argmax(self.model.logits(enc_t, dec_t), 2)
            self.graphs[len(word)] = (enc_t, dec_t, prediction)
        enc_t, dec_t, prediction = self.graphs[len(word)]
        result = sess.run(prediction, {enc_t: enc, dec_t: dec, mode_inputs(sess.graph).keep_prob: keep_prob})
        return words.decode(result[0])


def build_seq2seq(inputs, config):
    ph = inputs.tensors()
    mode_inputs()
    model = Seq2Seq(len(words.SEQ2SEQ_CHARS))
    logits = model.logits(ph["enc_input"], ph["dec_input"])
    model_variables = tf.global_variables()
    with tf.name_scope("cost"):
        cost = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(logits=logits, labels=ph["targets"]),
                              name="cost")
    train_op, global_step = minimize(cost, config.optimizer, config.learning_rate)
    net = TrainGraph(ph["enc_input"], ph["targets"], logits, cost, None, None, train_op,
                     global_step, model_variables)
    return net, model


def main(_):
    config = run_config.build(kind=ChapterConfig)
    words.check_words(config.translate, words.ALPHABET, flag="--translate")
    enc, dec, targets = words.seq2seq_batch()
    inputs = ArrayInput([("enc_input", enc), ("dec_input", dec), ("targets", targets)],
                        full_batch(len(words.SEQ2SEQ_PAIRS)))
    parts = {}

    def build():
        net, parts["model"] = build_seq2seq(inputs, config)
        return net

    def line(record, loop):
        return "Epoch: %04d cost = %.6f" % (record.epoch, record.avg_cost)

    def finish(sess, net, loop, run_dir):
        print("최적화 완료!")
        translate = Translator(parts["model"])
        print("\n=== 번역 테스트 ===")
        translations = {}
        for word in config.translate:
            translations[word] = translate(sess, word, config.eval_keep_prob)
            print(word, "->", translations[word])
        trained = {word: translate(sess, word, config.eval_keep_prob) for word, _ in words.SEQ2SEQ_PAIRS}
        right = sum(trained[w] == k for w, k in words.SEQ2SEQ_PAIRS)
        print("training words translated right: %d of %d" % (right, len(trained)))
        return {"translations": translations, "training_translations": trained,
                "training_accuracy": right / float(len(trained))}

    run_loop(EXPERIMENT, config, inputs, build, config.epochs, keep_prob=config.keep_prob, lines=[EpochLine(line)],
             finish=finish, checkpoint_every_epochs=50)
