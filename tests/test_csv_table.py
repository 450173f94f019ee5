"""The shared CSV reader: numbers out, or one line naming file:line."""
import numpy as np
import pytest

from legacy.data.csv_table import read_csv, write_csv
from legacy.errors import UsageError

ANIMALS = ["fur", "wing", "other", "mammal", "bird"]


def _file(tmp_path, text, name="t.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_golbin_data_csv_with_comment_header(tmp_path):
    path = _file(tmp_path, "# 털, 날개, 기타, 포유류, 조류\n0, 0, 1, 0, 0\n1, 0, 0, 1, 0\n\n1, 1, 0, 0, 1\n")
    table = read_csv(path, ANIMALS)
    assert table.dtype == np.float32 and table.shape == (3, 5)
    np.testing.assert_array_equal(table[:, :2], [[0, 0], [1, 0], [1, 1]])


def test_header_line_is_checked_and_round_trips(tmp_path):
    path = str(tmp_path / "hw.csv")
    write_csv(path, ["height", "weight"], [(1.5, 40.0), (1.85, 80.0)])
    np.testing.assert_allclose(read_csv(path, ["height", "weight"]), [[1.5, 40], [1.85, 80]], rtol=1e-6)
    # Columns are matched by name: asked in the other order, they come back in that order.
    np.testing.assert_allclose(read_csv(path, ["weight", "height"]), [[40, 1.5], [80, 1.85]], rtol=1e-6)
    with pytest.raises(UsageError, match=r"hw\.csv:1: header is height, weight, expected weight, age "
                                         r"\(missing age; unexpected height\)"):
        read_csv(path, ["weight", "age"])
    with pytest.raises(UsageError, match=r"hw\.csv:1: column height is 'height', not a finite number"):
        read_csv(path, ["height", "weight"], header=False)
    with pytest.raises(UsageError, match=r"t\.csv:1: header is 1, 2, expected height, weight"):
        read_csv(_file(tmp_path, "1,2\n"), ["height", "weight"], header=True)


@pytest.mark.parametrize("text, message", [
    ("1,2,3\n4,5\n", r"t\.csv:2: missing column: 2 cells, expected 3 \(a, b, c\)"),
    ("1,2,3\n4,5,6,7\n", r"t\.csv:2: extra column: 4 cells, expected 3"),
    ("# c\n1,2,3\n4,x,6\n", r"t\.csv:3: column b is 'x', not a finite number"),
    ("1,2,nan\n", r"t\.csv:1: column c is 'nan'"),
    ("", r"t\.csv: empty file, expected rows of a, b, c"),
    ("# only a comment\n\n", r"t\.csv: empty file"),
    ("a,b,c\n", r"t\.csv: empty file"),
])
def test_bad_tables_name_file_and_line(tmp_path, text, message):
    with pytest.raises(UsageError, match=message) as err:
        read_csv(_file(tmp_path, text), ["a", "b", "c"])
    assert "\n" not in str(err.value)


def test_optional_columns_are_read_then_dropped(tmp_path):
    cols, optional = ["height_m", "weight_kg"], ["overweight"]
    with_header = _file(tmp_path, "overweight,Weight_kg,height_m\n1,80,1.7\n0,50,1.6\n")
    np.testing.assert_allclose(read_csv(with_header, cols, optional), [[1.7, 80], [1.6, 50]], rtol=1e-6)
    # Without a header, cells are positional: the columns, then the optional ones.
    positional = _file(tmp_path, "1.7,80,1\n1.6,50\n", name="p.csv")
    np.testing.assert_allclose(read_csv(positional, cols, optional), [[1.7, 80], [1.6, 50]], rtol=1e-6)
    with pytest.raises(UsageError, match=r"q\.csv:1: extra column: 4 cells, expected 3 "
                                         r"\(height_m, weight_kg, overweight\)"):
        read_csv(_file(tmp_path, "1.7,80,1,9\n", name="q.csv"), cols, optional)
    with pytest.raises(UsageError, match=r"r\.csv:1: header is .* \(repeated height_m\)"):
        read_csv(_file(tmp_path, "height_m,weight_kg,height_m\n1,2,3\n", name="r.csv"), cols, optional)


def test_formats_keep_generated_tables_short(tmp_path):
    path = str(tmp_path / "f.csv")
    write_csv(path, ["h", "w", "o"], [(1.504, 40.04, 1.0)], formats=["%.2f", "%.1f", "%d"])
    assert open(path).read() == "h,w,o\n1.50,40.0,1\n"


def test_missing_file(tmp_path):
    with pytest.raises(UsageError, match=r"absent\.csv: no such file"):
        read_csv(str(tmp_path / "absent.csv"), ["a"])


def test_a_script_prints_one_line_for_a_bad_table(tmp_path):
    """Through legacy.cli.run, as a script using read_csv would run."""
    import subprocess
    import sys
    from conftest import REPO
    bad = _file(tmp_path, "1,2\n3\n")
    code = ("import sys; sys.path.insert(0, %r)\n"
            "from legacy import cli\nfrom legacy.data.csv_table import read_csv\n"
            "cli.run(lambda argv: read_csv(%r, ['x', 'y']))\n" % (REPO, bad))
    proc = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == "error: %s:2: missing column: 1 cells, expected 2 (x, y)" % bad
