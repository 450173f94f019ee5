"""golbin 04/03: skip-gram Word2Vec with NCE loss on 14 short Korean sentences.

Window 1 (one word each side, across the joined sentences as golbin did),
embedding size 2, NCE with 15 negative samples, Adam 0.1, 300 steps of 20
random (target, context) pairs drawn without replacement. Prints golbin's
``loss at step  10 :  3.21`` every 10 steps, then draws his scatter of the
2-D embeddings labelled with the words (Korean: needs a Hangul font, see
legacy/chapters/pictures.py). Each step is one epoch of the loop with one batch,
drawn by a tensorpack dataflow (``RandomBatch``) from a seeded RNG.

Beyond the original it reports how close the most frequent co-occurring
pair of words ends up, against the median distance of all pairs.

Example: python scripts/word2vec.py --steps=300
"""
import os


from legacy import run_config

from legacy.chapters import pictures
from legacy.chapters import words
from legacy.errors import UsageError
from legacy.graph import TrainGraph, minimize
from legacy.models.layers import mode_inputs
from legacy.chapters.skip_gram import skip_gram
from legacy.chapters.tracks import ArrayInput, EpochLine, RandomBatch, run_loop
from legacy.tf import tf
from legacy.chapters.chapter_config import ChapterConfig

EXPERIMENT = "word2vec"
GREW = 10.0  # a last loss above 10x the first: said in one warning line (golbin's runs end near 1/2 of it)

run_config.define_steps_flag(300, "Training steps (golbin's training_epoch), one random batch each.")
run_config.define("integer", "batch_size", 20, "Random (target, context) pairs per step, without replacement.")
run_config._check("batch_size", lambda v: v > 0, "must be > 0")
run_config.define_optimizer_flags("adam", 0.1)
run_config.define("integer", "embedding_size", 2, "Embedding dimensions (2 so that they can be plotted).")
run_config._check("embedding_size", lambda v: v > 0, "must be > 0")
run_config.define("integer", "num_sampled", 15, "Negative samples of the NCE loss; below the vocabulary size.")
run_config._check("num_sampled", lambda v: v > 0, "must be > 0")
run_config.define_run_flags(EXPERIMENT, length_flag="steps")


def main(_):
    config = run_config.build(kind=ChapterConfig)
    _, vocab, _ = words.vocabulary()
    pairs = words.skip_grams()
    if config.num_sampled >= len(vocab):
        raise UsageError("--num_sampled=%d must be below the vocabulary size %d"
                               % (config.num_sampled, len(vocab)))
    inputs = ArrayInput([("inputs", pairs[:, 0]), ("labels", pairs[:, 1:2])],
                        RandomBatch(len(pairs), config.batch_size, seed=config.seed))
    parts = {}

    def build():
        ph = inputs.tensors()
        mode_inputs()
        parts["model"] = model = skip_gram(ph["inputs"], ph["labels"], len(vocab), config.embedding_size,
                                           config.num_sampled)
        model_variables = tf.global_variables()
        train_op, global_step = minimize(model.cost, config.optimizer, config.learning_rate)
        return TrainGraph(ph["inputs"], ph["labels"], model.embeddings, model.cost, None, None,
                          train_op, global_step, model_variables)

    def line(record, loop):
        # golbin: print("loss at step ", step, ": ", loss_val)
        return "loss at step  %d :  %s" % (record.epoch, loop.step_costs["cost"])

    def finish(sess, net, loop, run_dir):
        embeddings = sess.run(parts["model"].embeddings)
        png, font, missing = pictures.word_scatter(os.path.join(run_dir, "word2vec.png"), embeddings, vocab,
                                          "word2vec: %d steps, seed %d" % (loop.step, config.seed))
        pair = words.most_frequent_pair(pairs)
        cosine, cos_rank, distance, dist_rank = words.pair_similarity(embeddings, pair)
        print(words.pair_line(vocab[pair[0]], vocab[pair[1]], cosine, cos_rank, distance, dist_rank))
        first, last = loop.history[0].avg_cost if loop.history else None, loop.step_costs.get("cost")
        grew = first is not None and last is not None and last > GREW * first
        if grew:
            print("warning: the loss grew from %.4g (step 1) to %.4g (step %d): the embeddings did not learn; "
                  "--learning_rate=%g is too large (golbin's: 0.1)" % (first, last, loop.step, config.learning_rate))
        if missing:
            print("note: font %s lacks %d label characters (%s), shown as boxes in %s; %s"
                  % (font, len([m for m in missing if len(m) == 1]), "".join(m for m in missing if len(m) == 1),
                     png, pictures.FONT_HINT))
        print("embeddings scatter in %s" % png)
        return {"words": vocab, "embeddings": embeddings.tolist(), "scatter_png": png, "font": font,
                "missing_glyphs": missing,
                "pair": [vocab[pair[0]], vocab[pair[1]]], "pair_cosine": cosine, "pair_cosine_rank": cos_rank,
                "pair_distance": distance, "pair_distance_rank": dist_rank, "loss_grew": bool(grew)}

    run_loop(EXPERIMENT, config, inputs, build, config.steps, lines=[EpochLine(line, every=10)], finish=finish,
             checkpoint_every_epochs=100)


