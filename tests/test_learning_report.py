"""The learning bench's report: rows with intervals, a readable table, curves from committed metrics, strict JSON."""

import json
import math

from azr.evaluation.learning_report import curves, format_markdown, format_table, plot_curves, set_result, \
    write_results

TYPES = ["deduction", "abduction"]


def test_a_clear_gain_is_starred_and_counted():
    before = [False] * 160 + [True] * 40
    after = [True] * 30 + [False] * 130 + [True] * 40
    r = set_result("azr_deduction", "fixed", "deduction", before, after)
    row = r.row()
    assert row["items"] == 200 and row["gained"] == 30 and row["lost"] == 0 and row["significant"]
    table = format_table([r])
    line = next(ln for ln in table.splitlines() if ln.startswith("azr_deduction"))
    assert "20.0" in line and "35.0" in line and "+15.0*" in line and "+30/-0" in line
    assert "| azr_deduction | 200 | 20.0 [" in format_markdown([r])


def test_an_empty_set_prints_not_available_instead_of_failing():
    r = set_result("heldout-induction", "heldout", "induction", [], [])
    assert "n/a" in format_table([r]) and not r.change.significant


def test_curves_take_the_committed_metrics_and_turn_nan_into_gaps():
    metrics = {1: {"deduction/valid_rate": 0.5, "abduction/valid_rate": float("nan"), "train/loss": 0.1,
                   "time/propose_s": 3.0},
               2: {"deduction/valid_rate": 0.75, "abduction/valid_rate": None, "train/loss": 0.05}}
    rows = curves(metrics, TYPES)
    assert [r["iteration"] for r in rows] == [1, 2]
    assert rows[0]["deduction/valid_rate"] == 0.5 and rows[0]["abduction/valid_rate"] is None
    assert rows[1]["abduction/valid_rate"] is None and rows[0]["time/propose_s"] == 3.0
    assert rows[1]["deduction/learnability"] is None  # never logged: a gap, not an error


def test_results_are_strict_json_and_the_png_is_written(tmp_path):
    r = set_result("s", "fixed", "deduction", [True, False], [True, True])
    rows = curves({1: {"deduction/valid_rate": 0.5, "train/loss": float("nan")}}, TYPES)
    write_results(tmp_path, [r], rows, {"seconds": {"x": float("nan")}})
    text = (tmp_path / "results.json").read_text()
    assert "NaN" not in text and json.loads(text)["seconds"]["x"] is None
    assert (tmp_path / "curves.csv").read_text().startswith("iteration,")
    assert (tmp_path / "table.md").is_file()
    png = plot_curves(rows, TYPES, tmp_path / "c.png", title="t")
    assert png is not None and png.read_bytes()[:4] == b"\x89PNG"
    assert not math.isnan(r.change.delta)
