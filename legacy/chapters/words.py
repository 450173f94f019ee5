"""The word data of golbin's NLP chapters (04/03 Word2Vec, 10/02
Autocomplete, 10/03 Seq2Seq), as numpy arrays. No TensorFlow.

The sentences, words and character tables are the originals'. One change:
golbin built the Word2Vec vocabulary as ``list(set(words))``, whose order
Python's string hashing makes different in every process; here it is the
order of first appearance, so a seed fixes the run.
"""
import collections
import itertools

import numpy as np

from legacy.errors import UsageError

# golbin 04/03: 14 short Korean sentences (I, cat, dog, animal, girlfriend,
# fish, milk, ...; like / dislike).
SENTENCES = ("나 고양이 좋다",
             "나 강아지 좋다",
             "나 동물 좋다",
             "강아지 고양이 동물",
             "여자친구 고양이 강아지 좋다",
             "고양이 생선 우유 좋다",
             "강아지 생선 싫다 우유 좋다",
             "강아지 고양이 눈 좋다",
             "나 여자친구 좋다",
             "여자친구 나 싫다",
             "여자친구 나 영화 책 음악 좋다",
             "나 게임 만화 애니 좋다",
             "고양이 강아지 싫다",
             "강아지 고양이 좋다")


def vocabulary(sentences=SENTENCES):
    """(word sequence, word list, word -> index) as golbin made them, the
    list in order of first appearance."""
    sequence = " ".join(sentences).split()
    words = list(collections.OrderedDict.fromkeys(sequence))
    return sequence, words, {w: i for i, w in enumerate(words)}


def skip_grams(sentences=SENTENCES, window=1):
    """(target, context) index pairs of a skip-gram over the joined sentences.

    golbin's loop ``for i in range(1, len(seq) - 1)`` with the words ``window``
    either side of each target, across sentence boundaries as in the original
    (the sentences are joined into one sequence first)."""
    sequence, _, index = vocabulary(sentences)
    pairs = []
    for i in range(window, len(sequence) - window):
        target = index[sequence[i]]
        for j in list(range(i - window, i)) + list(range(i + 1, i + window + 1)):
            pairs.append([target, index[sequence[j]]])
    return np.array(pairs, dtype=np.int32)


def most_frequent_pair(pairs):
    """The two different words that appear together most often in ``pairs``
    (unordered); ties broken by the smaller indices."""
    counts = collections.Counter(tuple(sorted(p)) for p in pairs.tolist() if p[0] != p[1])
    return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def pair_similarity(embeddings, pair):
    """How close ``pair``'s embeddings are, as word2vec measures it: (cosine
    similarity of the pair, the fraction of all word pairs less similar, the
    pair's Euclidean distance, the fraction of all pairs farther apart).

    In 2-D the frequent words get long vectors, so the two most frequent
    words are far apart in Euclidean distance even when they point the same
    way; the cosine is the measure that says they are used alike."""
    unit = embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True)
    all_pairs = list(itertools.combinations(range(len(embeddings)), 2))
    cosines = np.array([float(unit[a] @ unit[b]) for a, b in all_pairs])
    distances = np.array([float(np.linalg.norm(embeddings[a] - embeddings[b])) for a, b in all_pairs])
    cosine = float(unit[pair[0]] @ unit[pair[1]])
    distance = float(np.linalg.norm(embeddings[pair[0]] - embeddings[pair[1]]))
    return cosine, float(np.mean(cosines < cosine)), distance, float(np.mean(distances > distance))


def pair_line(word_a, word_b, cosine, cos_rank, distance, dist_rank):
    """The printed line of pair_similarity's numbers: the ranks said as what they are (``dist_rank``,
    the fraction of pairs farther apart, is "closer than"; 1 - it the pairs it is farther from)."""
    return ("most frequent pair %s-%s: cosine similarity %.3f (more similar than %.0f%% of all word pairs), "
            "distance %.3f (closer than %.0f%% of all word pairs, farther apart than %.0f%%)"
            % (word_a, word_b, cosine, 100 * cos_rank, distance, 100 * dist_rank, 100 * (1 - dist_rank)))


# golbin 10/02: 26 one-hot letters; first three letters in, the fourth out.
ALPHABET = "abcdefghijklmnopqrstuvwxyz"
AUTOCOMPLETE_WORDS = ("word", "wood", "deep", "dive", "cold", "cool", "load", "love", "kiss", "kind")


def check_words(words, alphabet, length=None, flag="--words"):
    for word in words:
        bad = sorted(set(c for c in word if c not in alphabet))
        if bad or not word or (length and len(word) != length):
            raise UsageError("%s: %r is not a %sword of the letters %s%s" % (
                flag, word, "%d-letter " % length if length else "", alphabet[:3] + "..." + alphabet[-1],
                " (%s not among them)" % "".join(bad) if bad else ""))


def autocomplete_batch(words=AUTOCOMPLETE_WORDS):
    """(inputs [n, 3, 26] one-hot float32, targets [n] int32): golbin's make_batch."""
    check_words(words, ALPHABET, 4)
    eye = np.eye(len(ALPHABET), dtype=np.float32)
    inputs = np.stack([eye[[ALPHABET.index(c) for c in w[:-1]]] for w in words])
    targets = np.array([ALPHABET.index(w[-1]) for w in words], dtype=np.int32)
    return inputs, targets


# golbin 10/03: S (start), E (end), P (padding), a-z and the Korean syllables.
SEQ2SEQ_CHARS = "SEP" + ALPHABET + "단어나무놀이소녀키스사랑"
SEQ2SEQ_PAIRS = (("word", "단어"), ("wood", "나무"), ("game", "놀이"), ("girl", "소녀"), ("kiss", "키스"),
                 ("love", "사랑"))
SEQ2SEQ_TEST_WORDS = ("word", "wodr", "love", "loev", "abcd")


def seq2seq_batch(pairs=SEQ2SEQ_PAIRS):
    """(encoder inputs, decoder inputs 'S' + out, targets out + 'E'):
    one-hot float32 [n, len, chars], one-hot [n, len + 1, chars], int32 [n, len + 1]."""
    eye = np.eye(len(SEQ2SEQ_CHARS), dtype=np.float32)
    index = SEQ2SEQ_CHARS.index
    lengths = set((len(a), len(b)) for a, b in pairs)
    if len(lengths) != 1:
        raise UsageError("seq2seq pairs must all have the same lengths (got %s)" % sorted(lengths))
    enc = np.stack([eye[[index(c) for c in a]] for a, _ in pairs])
    dec = np.stack([eye[[index(c) for c in "S" + b]] for _, b in pairs])
    targets = np.array([[index(c) for c in b + "E"] for _, b in pairs], dtype=np.int32)
    return enc, dec, targets


def translation_batch(word):
    """golbin's translate(): the word in, 'S' + 'P' * len(word) into the decoder."""
    check_words([word], ALPHABET, flag="--translate")
    return seq2seq_batch([(word, "P" * len(word))])


def decode(indices):
    """Characters up to the first 'E' (all of them if there is none; golbin's
    ``decoded.index('E')`` raised ValueError then)."""
    chars = [SEQ2SEQ_CHARS[i] for i in indices]
    return "".join(chars[:chars.index("E")] if "E" in chars else chars)
