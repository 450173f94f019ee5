"""Small numeric CSV tables (the study's height/weight and animal tables):
the one reader and writer every script uses.

    from legacy.data.csv_table import read_csv, write_csv

    table = read_csv("data/animals.csv", ["fur", "wing", "other", "mammal", "bird"])
    x, y = table[:, :2], table[:, 2:]        # float32, shape (rows, 5)

    write_csv("results/fit.csv", ["height", "weight"], rows)   # atomic

What ``read_csv`` accepts:
  * comma-separated numbers, one row per line, spaces around cells allowed
    (golbin's ``data.csv`` writes ``0, 0, 1, 0, 0``);
  * blank lines and lines starting with ``#`` anywhere (golbin's header is
    such a comment: ``# 털, 날개, 기타, 포유류, 조류``);
  * an optional header line naming ``columns`` (case and spaces ignored) in
    any order, plus any of ``optional`` (read, then dropped: the
    height/weight CSV's ``overweight`` label means nothing to the linear
    fit). The columns come back in the order of ``columns``, so a table
    written by another tool with its columns swapped still reads right.
    With ``header=True`` it is required, with ``header=False`` forbidden;
    the default ``"auto"`` takes a first line without any number as the
    header. Without a header the cells are taken in the order of
    ``columns``, then ``optional``.
Anything else raises ``UsageError`` with ``path:line`` and what to fix (a
missing or extra column, a non-numeric cell, a header naming other columns,
an empty file), which the scripts print as one line. No TensorFlow here.
"""
import csv
import io
import math

import numpy as np

from legacy import fileio
from legacy.errors import UsageError


def _is_number(text):
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def read_csv(path, columns, optional=(), header="auto", dtype=np.float32):
    """The numeric rows of ``path`` as an array of shape (rows, len(columns))."""
    columns, optional = list(columns), list(optional)
    want = ", ".join(columns)
    try:
        # utf-8-sig: spreadsheets' "CSV UTF-8" starts with a byte-order mark.
        with open(path, newline="", encoding="utf-8-sig") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise UsageError("%s: no such file (expected a CSV of %s)" % (path, want))
    except UnicodeDecodeError as err:
        raise UsageError("%s: not UTF-8 text (byte %d); save it as CSV UTF-8" % (path, err.start))
    except OSError as err:
        raise UsageError("%s: cannot read it (%s)" % (path, err.strerror or err))
    # Old Mac files end lines with a lone CR; Windows ones with CRLF.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in text:
        raise UsageError("%s:%d: a NUL byte: not a text CSV (UTF-16, or a binary file?); save it as CSV UTF-8"
                         % (path, text.count("\n", 0, text.index("\0")) + 1))
    rows, names = [], None  # names: the header's column names, once seen
    for lineno, cells in enumerate(_rows(path, text), start=1):
        cells = [c.strip() for c in cells]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if not rows and names is None and (
                header is True or (header == "auto" and not any(_is_number(c) for c in cells))):
            names = _check_header(path, lineno, cells, columns, optional)
            continue
        if names is not None:
            layout = names
        else:  # positional: the columns, then as many optional ones as the row has
            layout = (columns + optional)[:max(len(columns), min(len(cells), len(columns) + len(optional)))]
        if len(cells) != len(layout):
            kind = "missing column" if len(cells) < len(layout) else "extra column"
            raise UsageError("%s:%d: %s: %d cells, expected %d (%s)"
                             % (path, lineno, kind, len(cells), len(layout), ", ".join(layout)))
        values = dict(zip(layout, cells))
        for name in columns:
            if not _is_number(values[name]):
                raise UsageError("%s:%d: column %s is %r, not a finite number" % (path, lineno, name, values[name]))
        rows.append([float(values[name]) for name in columns])
    if header is True and names is None:
        raise UsageError("%s: no header line %s" % (path, want))
    if not rows:
        raise UsageError("%s: empty file, expected rows of %s" % (path, want))
    return np.array(rows, dtype=dtype)


def _rows(path, text):
    """csv.reader over ``text``, its errors as UsageError with the line."""
    reader = csv.reader(io.StringIO(text), skipinitialspace=True)
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            raise UsageError("%s:%d: not a CSV line (%s)" % (path, reader.line_num, err))


def _check_header(path, lineno, cells, columns, optional):
    """The header's names in the spelling of ``columns``/``optional``, or a UsageError."""
    spelled = {c.lower(): c for c in columns + optional}
    names = [spelled.get(c.lower(), c) for c in cells]
    missing = [c for c in columns if c not in names]
    unexpected = [c for c in names if c not in spelled.values()]
    repeated = sorted({c for c in names if names.count(c) > 1})
    if missing or unexpected or repeated:
        why = "; ".join(filter(None, ["missing " + ", ".join(missing) if missing else "",
                                      "unexpected " + ", ".join(unexpected) if unexpected else "",
                                      "repeated " + ", ".join(repeated) if repeated else ""]))
        raise UsageError("%s:%d: header is %s, expected %s%s (%s)"
                         % (path, lineno, ", ".join(cells), ", ".join(columns),
                            " [+ %s]" % ", ".join(optional) if optional else "", why))
    return names


def write_csv(path, columns, rows, formats=None):
    """A header line and the rows, written atomically (legacy/fileio.py).

    ``formats`` (one %-format per column, e.g. "%.2f") keeps generated tables
    as short as a hand-written one; without it floats keep every digit.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        if len(row) != len(columns):
            raise ValueError("row %r has %d cells, expected %d" % (row, len(row), len(columns)))
        if formats:
            writer.writerow([fmt % value for fmt, value in zip(formats, row)])
        else:
            writer.writerow([repr(float(v)) if isinstance(v, (float, np.floating)) else v for v in row])
    fileio.write_text(path, out.getvalue())
