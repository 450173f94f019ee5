"""The study's small experiments: linear regression, logistic regression,
fur/wings classification, and the CSV tables they read."""
import csv
import re

import numpy as np
import pytest

from legacy.data import csv_table, tables
from legacy.errors import UsageError
from legacy.experiments.linear_regression import closed_form, conditioning
from scripts_util import read_json, run_script, first_in_make_test


def _numpy_gd(x, y, w, b, lr, steps):
    """The same updates as GradientDescentOptimizer on the mean squared error."""
    x, y = x.astype(np.float64), y.astype(np.float64)
    for _ in range(steps):
        err = w * x + b - y
        w, b = w - lr * 2 * np.mean(err * x), b - lr * 2 * np.mean(err)
    return w, b


@pytest.mark.long
def test_linear_regression_matches_numpy_updates(tmp_path):
    out = tmp_path / "lin.json"
    proc = run_script("linear_regression.py", "--output=" + str(out))
    step_lines = [l for l in proc.stdout.splitlines() if l and l.split()[0].isdigit()]
    assert len(step_lines) == 100 and step_lines[0].startswith("0 ") and step_lines[-1].startswith("99 ")
    assert "X: 1.55, Y:" in proc.stdout and "X: 1.70, Y:" in proc.stdout
    record = read_json(out)
    x, y = tables.study_height_weight()
    w, b = _numpy_gd(x, y, record["initial"]["W"], record["initial"]["b"], 0.13, 100)
    np.testing.assert_allclose([record["final"]["W"], record["final"]["b"]], [w, b], rtol=1e-4)
    # The study's 100 steps are far from the optimum: cost about 6x the least-squares cost.
    assert record["cost_over_optimum"] > 3 and not record["converged"]
    np.testing.assert_allclose(record["step_cost"][0], np.mean((record["initial"]["W"] * x
                                                                + record["initial"]["b"] - y) ** 2), rtol=1e-4)


def test_closed_form_matches_lstsq():
    x, y = tables.study_height_weight()
    w, b, mse = closed_form(x, y)
    (w_ref, b_ref), _, _, _ = np.linalg.lstsq(np.stack([x, np.ones_like(x)], 1).astype(np.float64),
                                              y.astype(np.float64), rcond=None)
    np.testing.assert_allclose([w, b], [w_ref, b_ref], rtol=1e-9)
    assert mse == pytest.approx(18.18, abs=0.01)
    cond, steps = conditioning(x, 0.13)
    assert cond > 1000 and steps > 5000


@pytest.mark.long
def test_standardized_heights_converge_in_100_steps(tmp_path):
    out = tmp_path / "lin.json"
    run_script("linear_regression.py", "--standardize", "--output=" + str(out))
    record = read_json(out)
    assert record["converged"]
    np.testing.assert_allclose([record["final"]["W"], record["final"]["b"]],
                               [record["least_squares"]["W"], record["least_squares"]["b"]], rtol=1e-3)


@pytest.mark.long
def test_make_data_csv_trains_linear_regression(tmp_path):
    data = tmp_path / "hw.csv"
    run_script("make_data.py", "height_weight", "--n=50", "--seed=3", "--noise=2", "--output=" + str(data))
    rows = list(csv.reader(open(str(data))))
    assert rows[0] == tables.HEIGHT_WEIGHT_COLUMNS and len(rows) == 51
    out = tmp_path / "lin.json"
    run_script("linear_regression.py", "--csv=" + str(data), "--standardize", "--output=" + str(out))
    record = read_json(out)
    assert record["n_rows"] == 50
    # Noise sd 2 kg around the study's fitted line: the fit finds that line again.
    assert record["least_squares"]["W"] == pytest.approx(tables.FIT_SLOPE, rel=0.1)
    assert record["least_squares"]["cost"] == pytest.approx(4.0, rel=0.5)


@pytest.mark.parametrize("content, message", first_in_make_test([
    ("", "empty file"),
    ("height_m\n1.7\n", "(missing weight_kg)"),
    ("height_m,weight_kg,shoe\n1.7,60,42\n", "(unexpected shoe)"),
    ("height_m,weight_kg\n1.7,60\n1.8,heavy\n", ":3: column weight_kg is 'heavy', not a finite number"),
    ("height_m,weight_kg\n1.7,60,1\n", ":2: extra column: 3 cells, expected 2 (height_m, weight_kg)"),
], fast=1))
def test_bad_csv_is_one_line_naming_file_and_line(tmp_path, content, message):
    data = tmp_path / "bad.csv"
    data.write_text(content)
    with pytest.raises(UsageError, match=re.escape(message)):
        csv_table.read_csv(str(data), ["height_m", "weight_kg"], optional=["overweight"])
    proc = run_script("linear_regression.py", "--csv=" + str(data), "--output=" + str(tmp_path / "r.json"),
                      check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and str(data) in proc.stderr and message in proc.stderr
    assert not (tmp_path / "r.json").exists()


def test_animals_table_is_the_studys():
    feats, classes = tables.animals_table()
    assert len(feats) == 20
    assert feats[:6].tolist() == [[0, 0], [1, 0], [1, 1], [0, 0], [0, 0], [0, 1]]
    assert classes.sum(axis=0).tolist() == [10, 4, 6]  # other, mammal, bird
    feats, classes = tables.random_animals(200, seed=1)
    for (fur, wing), cls in zip(feats, classes.argmax(1)):
        assert cls == (2 if wing else 1 if fur else 0)


def test_animals_dnn_prints_like_golbin_and_learns(tmp_path):
    out = tmp_path / "a.json"
    proc = run_script("animals_dnn.py", "--output=" + str(out))
    lines = proc.stdout.splitlines()
    cost_lines = [l for l in lines if l.split()[0] in {str(s) for s in range(10, 101, 10)}]
    assert len(cost_lines) == 10
    assert any(l.startswith("예측값:") for l in lines) and any(l.startswith("실제값:") for l in lines)
    assert any(l.startswith("정확도: ") for l in lines)
    record = read_json(out)
    assert record["step_cost"][-1] < record["step_cost"][0]
    assert len(record["prediction"]) == 20 and record["truth"][:6] == [0, 1, 2, 0, 0, 2]


@pytest.mark.long
def test_animals_dnn_readme_variant_and_csv(tmp_path):
    data = tmp_path / "animals.csv"
    run_script("make_data.py", "animals", "--n=60", "--seed=2", "--output=" + str(data))
    out = tmp_path / "a.json"
    run_script("animals_dnn.py", "--hidden=10,20,30", "--csv=" + str(data), "--steps=200", "--output=" + str(out))
    record = read_json(out)
    assert record["n_rows"] == 60 and record["flags"]["hidden"] == [10, 20, 30]
    assert record["step_cost"][-1] < record["step_cost"][0]


@pytest.mark.long
def test_logistic_regression_binary_beats_the_majority(tmp_path):
    out = tmp_path / "l.json"
    proc = run_script("logistic_regression.py", "--steps=500", "--output=" + str(out))
    assert "cost" in proc.stdout and "accuracy" in proc.stdout
    record = read_json(out)
    assert record["final"]["cost"] < record["initial"]["cost"]
    assert record["final"]["accuracy"] > record["majority_baseline"]


def test_make_data_needs_a_kind():
    proc = run_script("make_data.py", "--n=3", check=False)
    assert proc.returncode == 2 and "height_weight or animals" in proc.stderr and "Traceback" not in proc.stderr
