"""golbin 10/02: complete a four-letter word from its first three letters.

26 one-hot letters; the words word, wood, deep, dive, cold, cool, load,
love, kiss, kind; two BasicLSTMCell(128) stacked (written out in
legacy/chapters/rnn.py), dropout keep 0.5 on the first layer's outputs in
training and none when predicting; the last output -> W [128, 26] + b (N(0, 1));
sparse softmax cross-entropy; Adam 0.01; 30 full-batch epochs. Prints
golbin's ``Epoch: 0001 cost = 0.xxxxxx`` lines, ``최적화 완료!`` and his
``=== 예측 결과 ===`` block (inputs, predicted words, accuracy).

Example: python scripts/autocomplete.py --epochs=30
"""
import numpy as np

from legacy import run_config
from legacy.chapters import words
from legacy.graph import TrainGraph, minimize
from legacy.models.layers import mode_inputs
from legacy.chapters.rnn import autocomplete
from legacy.chapters.tracks import ArrayInput, EpochLine, full_batch, run_loop
from legacy.tf import tf
from legacy.chapters.chapter_config import ChapterConfig

EXPERIMENT = "autocomplete"

run_config.define_full_batch_flags(
    epochs=30, optimizer="adam", learning_rate=0.01, keep_prob=0.5,
    eval_keep_help="Dropout keep probability when predicting the words; 1.0, as golbin fed (keep_prob: 1).")
run_config.define("list", "words", list(words.AUTOCOMPLETE_WORDS),
                  "The four-letter words (a-z) to learn, as a comma list.")
run_config.define_run_flags(EXPERIMENT)


def build_autocomplete(inputs, config):
    ph = inputs.tensors()
    mode_inputs()
    logits = autocomplete(ph["X"], n_class=len(words.ALPHABET))
    model_variables = tf.global_variables()
    with tf.name_scope("cost"):
        cost = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(logits=logits, labels=ph["Y"]),
                              name="cost")
    with tf.name_scope("accuracy"):
        prediction = tf.cast(tf.argmax(logits, 1), tf.int32, name="prediction")
        correct = tf.equal(prediction, ph["Y"], name="correct")
        accuracy = tf.reduce_mean(tf.cast(correct, tf.float32), name="accuracy")
    train_op, global_step = minimize(cost, config.optimizer, config.learning_rate)
    return TrainGraph(ph["X"], ph["Y"], logits, cost, accuracy, correct, train_op, global_step,
                      model_variables)


def main(_):
    config = run_config.build(kind=ChapterConfig)
    seq_data = list(config.words)
    x, y = words.autocomplete_batch(seq_data)
    inputs = ArrayInput([("X", x), ("Y", y)], full_batch(len(seq_data)))

    def line(record, loop):
        return "Epoch: %04d cost = %.6f" % (record.epoch, record.avg_cost)

    def finish(sess, net, loop, run_dir):
        print("최적화 완료!")
        prediction = net.logits.graph.get_tensor_by_name("accuracy/prediction:0")
        feed = inputs.feed()
        feed[mode_inputs(net.cost.graph).keep_prob] = config.eval_keep_prob
        predict, accuracy = sess.run([prediction, net.accuracy], feed)
        predicted = [w[:3] + words.ALPHABET[p] for w, p in zip(seq_data, predict)]
        print("\n=== 예측 결과 ===")
        print("입력값:", [w[:3] + " " for w in seq_data])
        print("예측값:", predicted)
        print("정확도:", accuracy)
        return {"predicted": predicted, "accuracy": float(accuracy),
                "correct_words": int(np.sum(np.array(predicted) == np.array(seq_data)))}

    run_loop(EXPERIMENT, config, inputs, lambda: build_autocomplete(inputs, config), config.epochs,
             keep_prob=config.keep_prob, lines=[EpochLine(line)], finish=finish, checkpoint_every_epochs=10)
