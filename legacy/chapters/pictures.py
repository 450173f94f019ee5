"""The pictures of golbin's other chapters: digit grids (autoencoder, GAN),
loss curves, and the Word2Vec scatter with Korean labels.

matplotlib on Agg, files written atomically. Korean labels need a font with
Hangul: golbin hard-coded ``/Library/Fonts/NanumGothic.otf`` (macOS); here
matplotlib's font manager looks for any installed Hangul font (Debian's
``fonts-nanum``, Noto CJK, ...) and, if there is none, uses the subset of
NanumGothic shipped in data/fonts/ (the Hangul of legacy/chapters/words.py and
ASCII; OFL, tools/make_hangul_font.py). The scatter reports every label
character its font lacks (drawn as a box), from the font's character map
and from matplotlib's "Glyph ... missing from" warnings.
"""
import logging
import os
import warnings

import numpy as np

from legacy import REPO, fileio

HANGUL_FONTS = ("NanumGothic", "NanumBarunGothic", "NanumMyeongjo", "Noto Sans CJK KR", "Noto Sans KR",
                "UnDotum", "Baekmuk Gulim", "Malgun Gothic", "AppleGothic")
FONT_HINT = "install a Hangul font, e.g. `apt-get install fonts-nanum` (Debian/Ubuntu)"
SHIPPED_FONT = os.path.join(REPO, "data", "fonts", "HangulSubset.ttf")


def _pyplot():
    # Before the import: building matplotlib's font cache (a first run, a new
    # MPLCONFIGDIR) logs "generated new fontManager" at INFO, which absl's
    # handler would print into the run's output.
    logging.getLogger("matplotlib").setLevel(logging.ERROR)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def hangul_font():
    """The name of an installed font that has Hangul, else of the shipped
    subset (SHIPPED_FONT), or None if that file is gone too.

    matplotlib caches its font list; a font installed after the cache was
    made (``apt-get install fonts-nanum`` after a first plot) is found by
    scanning the system's font files and adding it to the font manager."""
    _pyplot()
    from matplotlib import font_manager
    manager = font_manager.fontManager
    for name in HANGUL_FONTS:
        if name in set(f.name for f in manager.ttflist):
            return name
    candidates = [path for path in font_manager.findSystemFonts()
                  if any(key in path.lower() for key in ("nanum", "cjk", "unfonts", "baekmuk", "kr"))]
    for path in sorted(candidates, key=lambda p: ("nanumgothic" not in p.lower(), p)):
        try:
            manager.addfont(path)
            return font_manager.FontProperties(fname=path).get_name()
        except (OSError, RuntimeError, ValueError):
            continue
    if os.path.exists(SHIPPED_FONT):
        manager.addfont(SHIPPED_FONT)
        return font_manager.FontProperties(fname=SHIPPED_FONT).get_name()
    return None


def missing_glyphs(font, text):
    """The characters of ``text`` (spaces aside) that the font matplotlib
    picks for family ``font`` has no glyph for, sorted."""
    _pyplot()
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font
    path = font_manager.findfont(font_manager.FontProperties(family=[font]))  # a list: a str is a fontconfig pattern
    charmap = FT2Font(path).get_charmap()
    return sorted(set(c for c in text if not c.isspace() and ord(c) not in charmap))


def _save(fig, path, missing=None):
    """Write ``fig``; matplotlib's "Glyph ... missing from ..." warnings are
    not printed (word_scatter's caller says it once) but, with a list as
    ``missing``, appended to it."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        with fileio.atomic_open(path, "wb") as handle:
            fig.savefig(handle, format="png", bbox_inches="tight")
    if missing is not None:
        missing.extend(str(w.message) for w in caught if "missing from" in str(w.message))
    _pyplot().close(fig)
    return path


def image_grid(path, rows, titles=None, size=1.0):
    """``rows``: a list of arrays [n, 784]; one line of 28x28 images each,
    in golbin's look (imshow with matplotlib's default colour map, no axes).
    One mosaic drawn once: 100 subplots would take seconds per grid."""
    plt = _pyplot()
    n = max(len(r) for r in rows)
    gap, cell = 4, 28
    mosaic = np.full((len(rows) * (cell + gap) - gap, n * (cell + gap) - gap), np.nan)
    for i, row in enumerate(rows):
        for j, image in enumerate(row):
            top, left = i * (cell + gap), j * (cell + gap)
            mosaic[top:top + cell, left:left + cell] = np.reshape(image, (cell, cell))
    fig = plt.figure(figsize=(n * size, len(rows) * size))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_axis_off()
    colours = plt.get_cmap().copy()
    colours.set_bad("white")
    ax.imshow(np.ma.masked_invalid(mosaic), cmap=colours, vmin=0.0, vmax=1.0, interpolation="nearest")
    if titles:
        for i, title in enumerate(titles):
            ax.text(0, i * (cell + gap) - 1, title, fontsize=7, va="bottom")
    return _save(fig, path)


def curves(path, series, title, xlabel="epoch"):
    """{label: [y per epoch]} as lines."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.6), dpi=110)
    for label, ys in series.items():
        ax.plot(range(1, len(ys) + 1), ys, label=label, linewidth=1.4)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return _save(fig, path)


def word_scatter(path, points, labels, title=None, font=None):
    """golbin's scatter of 2-D embeddings, each point labelled with its word,
    in ``font`` (default: hangul_font()). Returns (path, font name or None,
    missing): ``missing`` lists the label characters drawn as boxes (not in
    the font's character map) and matplotlib's warnings about them; empty
    when every label renders."""
    plt = _pyplot()
    font = font or hangul_font()
    fig, ax = plt.subplots(figsize=(6, 5), dpi=110)
    for (x, y), label in zip(points, labels):
        ax.scatter(x, y)
        ax.annotate(label, xy=(x, y), xytext=(5, 2), textcoords="offset points", ha="right", va="bottom",
                    fontfamily=font or "sans-serif", fontsize=11)
    if title:
        ax.set_title(title)
    ax.grid(alpha=0.3)
    missing = missing_glyphs(font or "sans-serif", "".join(labels))
    warned = []
    _save(fig, path, warned)
    return path, font, missing + sorted(set(warned))
