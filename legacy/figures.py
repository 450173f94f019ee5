"""Tables and plots of finished runs: Markdown, CSV and PNG, written atomically.

matplotlib runs on the Agg backend: these files are made on servers and in
CI, where there is no display.
"""
import csv
import io
import math

from legacy import fileio


def _cell(value, digits=4):
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return ("%%.%dg" % digits) % value if abs(value) < 1e-3 or abs(value) >= 1e4 else ("%%.%df" % digits) % value
    return str(value)


def markdown_table(headers, rows, digits=4):
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for row in rows:
        lines.append("| " + " | ".join(_cell(v, digits) for v in row) + " |")
    return "\n".join(lines) + "\n"


def write_table(stem, headers, rows, title=None):
    """Writes ``stem``.md and ``stem``.csv; returns their paths."""
    md = (("## %s\n\n" % title) if title else "") + markdown_table(headers, rows)
    fileio.write_text(stem + ".md", md)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    fileio.write_text(stem + ".csv", buf.getvalue())
    return stem + ".md", stem + ".csv"


def _xy(series):
    if isinstance(series, tuple):
        return series
    return list(range(1, len(series) + 1)), series


def plot_curves(path, curves, title, ylabel="Avg. cost", xlabel="epoch", references=None, logy=False,
                logx=False, styles=None):
    """One line per label in ``curves`` ({label: [y per epoch]} or {label: (xs, ys)});
    ``references`` (same form) are drawn as markers over them (the original's
    published points). ``styles`` ({label: (colour index, line style)}) groups
    lines, e.g. one colour per optimizer and one line style per lane, so
    that two lanes' nearly equal curves stay distinguishable."""
    styles = styles or {}
    import logging
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    logging.getLogger("matplotlib").setLevel(logging.WARNING)  # absl would print its font-cache notes

    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    for i, (label, series) in enumerate(curves.items()):
        colour, linestyle = styles.get(label, (i, "-"))
        ax.plot(*_xy(series), label=label, linewidth=1.6, marker="." if logx else None, color="C%d" % colour,
                linestyle=linestyle)
    # The i-th reference is drawn in the colour of the i-th curve (ours and the
    # original's points of the same run side by side) when they pair up.
    paired = len(references or {}) == len(curves)
    for i, (label, series) in enumerate((references or {}).items()):
        colour = styles.get(label, (i if paired else len(curves) + i, None))[0]
        ax.plot(*_xy(series), "o", markersize=4, markerfacecolor="none", label=label, color="C%d" % colour)
    if logy:
        ax.set_yscale("log")
    if logx:
        ax.set_xscale("log")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    else:  # e.g. a grid whose every point failed or diverged in its first epoch (and a
        # legend of nothing is a matplotlib warning on stderr, beside the one error line)
        ax.text(0.5, 0.5, "no curve to draw", ha="center", va="center", transform=ax.transAxes)
    fig.tight_layout()
    with fileio.atomic_open(path, "wb") as handle:
        fig.savefig(handle, format="png")
    plt.close(fig)
    return path
