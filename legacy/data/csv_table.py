"""Small numeric CSV tables (the study's height/weight and animal tables).

    from legacy.data.csv_table import read_csv, write_csv

    table = read_csv("data/animals.csv", ["fur", "wing", "other", "mammal", "bird"])
    x, y = table[:, :2], table[:, 2:]        # float32, shape (rows, 5)

    write_csv("results/fit.csv", ["height", "weight"], rows)   # atomic

What ``read_csv`` accepts:
  * comma-separated numbers, one row per line, spaces around cells allowed
    (golbin's ``data.csv`` writes ``0, 0, 1, 0, 0``);
  * blank lines and lines starting with ``#`` anywhere (golbin's header is
    such a comment: ``# 털, 날개, 기타, 포유류, 조류``);
  * an optional header line equal to ``columns`` (case and spaces ignored).
    With ``header=True`` it is required, with ``header=False`` forbidden;
    the default ``"auto"`` takes a first line without any number as the
    header.
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


def read_csv(path, columns, header="auto", dtype=np.float32):
    """The numeric rows of ``path`` as an array of shape (rows, len(columns))."""
    columns = list(columns)
    want = ", ".join(columns)
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise UsageError("%s: no such file (expected a CSV of %s)" % (path, want))
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError("%s: cannot read it (%s)" % (path, err))
    rows, header_seen = [], False
    for lineno, cells in enumerate(csv.reader(io.StringIO(text), skipinitialspace=True), start=1):
        cells = [c.strip() for c in cells]
        if not any(cells) or cells[0].startswith("#"):
            continue
        first = not rows and not header_seen
        if first and (header is True or (header == "auto" and not any(_is_number(c) for c in cells))):
            if [c.lower() for c in cells] != [c.lower() for c in columns]:
                raise UsageError("%s:%d: header is %s, expected %s" % (path, lineno, ", ".join(cells), want))
            header_seen = True
            continue
        if len(cells) != len(columns):
            kind = "missing column" if len(cells) < len(columns) else "extra column"
            raise UsageError("%s:%d: %s: %d cells, expected %d (%s)"
                             % (path, lineno, kind, len(cells), len(columns), want))
        for name, cell in zip(columns, cells):
            if not _is_number(cell):
                raise UsageError("%s:%d: column %s is %r, not a finite number" % (path, lineno, name, cell))
        rows.append([float(c) for c in cells])
    if header is True and not header_seen:
        raise UsageError("%s: no header line %s" % (path, want))
    if not rows:
        raise UsageError("%s: empty file, expected rows of %s" % (path, want))
    return np.array(rows, dtype=dtype)


def write_csv(path, columns, rows):
    """A header line and the rows, written atomically (legacy/fileio.py)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        if len(row) != len(columns):
            raise ValueError("row %r has %d cells, expected %d" % (row, len(row), len(columns)))
        writer.writerow([repr(float(v)) if isinstance(v, (float, np.floating)) else v for v in row])
    fileio.write_text(path, out.getvalue())
