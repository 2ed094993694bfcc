"""The per-type plots of the MLflow run (flows/plots.py), built from metric histories read back from a real MLflow
SQLite store: one panel per task type, markers, integer iteration ticks, and a panel that explains a metric
undefined at every iteration."""

from __future__ import annotations

import math

import pytest

from azr.metric_names import matches
from flows import plots

TYPES = ["deduction", "abduction", "induction"]
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def logged_run(tmp_path_factory):
    """A run that logged three iterations: deduction and abduction defined (abduction NaN at iteration 2),
    induction NaN at every iteration (no valid proposal ever); iteration 3 of deduction redone with a new value."""
    import time

    from mlflow.entities import Metric
    from mlflow.tracking import MlflowClient

    d = tmp_path_factory.mktemp("plots")
    c = MlflowClient(tracking_uri=f"sqlite:///{d / 'mlflow.db'}")
    exp = c.create_experiment("plots", artifact_location=(d / "artifacts").as_uri())
    run = c.create_run(exp).info.run_id
    nan = float("nan")
    values = {
        "deduction": {"valid_rate": [0.5, 0.75, 1.0], "solve_rate": [0.0, 0.5, 0.5],
                      "learnability": [0.5, 0.25, 0.0]},
        "abduction": {"valid_rate": [0.25, 0.5, 0.5], "solve_rate": [0.0, nan, 0.25],
                      "learnability": [0.0, nan, 0.5]},
        "induction": {"valid_rate": [0.0, 0.0, 0.0], "solve_rate": [0.0, 0.0, 0.0],
                      "learnability": [nan, nan, nan]},
    }
    now = int(time.time() * 1000)
    for step in (1, 2, 3):
        c.log_batch(run, metrics=[Metric(f"{tt}/{what}", vs[step - 1], now + step, step)
                                  for tt, by in values.items() for what, vs in by.items()])
    c.log_batch(run, metrics=[Metric("deduction/solve_rate", 0.75, now + 10, 3)])  # iteration 3 redone
    return c, run, d


def test_histories_read_back_keep_nan_and_the_last_value_of_a_redone_step(logged_run):
    c, run, _ = logged_run
    hist = plots.type_histories(c, run, TYPES, "solve_rate")
    assert list(hist) == TYPES
    assert hist["deduction"] == [(1, 0.0), (2, 0.5), (3, 0.75)]
    assert [s for s, _ in hist["abduction"]] == [1, 2, 3] and math.isnan(hist["abduction"][1][1])


def test_figure_has_one_panel_per_type_markers_integer_ticks_and_a_fixed_rate_axis(logged_run):
    from matplotlib.ticker import MaxNLocator

    c, run, _ = logged_run
    fig = plots.per_type_figure(plots.type_histories(c, run, TYPES, "valid_rate"), "valid_rate")
    try:
        fig.canvas.draw()
        axes = fig.axes
        assert len(axes) == len(TYPES)
        assert [ax.get_title() for ax in axes] == TYPES
        for ax in axes:
            assert isinstance(ax.xaxis.get_major_locator(), MaxNLocator)
            assert ax.xaxis.get_major_locator()._integer
            ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
            assert ticks and all(float(t).is_integer() for t in ticks), ticks
            assert ax.get_ylim() == (0.0, 1.0)
            (line,) = ax.get_lines()
            assert line.get_marker() == "o" and list(line.get_xdata()) == [1, 2, 3]
        assert axes[0].get_shared_y_axes().joined(axes[0], axes[2])
        assert len({str(ax.get_lines()[0].get_color()) for ax in axes}) == len(TYPES)  # a colour per type
    finally:
        import matplotlib.pyplot as plt

        plt.close(fig)


def test_a_panel_undefined_at_every_iteration_says_why(logged_run):
    c, run, _ = logged_run
    fig = plots.per_type_figure(plots.type_histories(c, run, TYPES, "learnability"), "learnability")
    try:
        ded, abd, ind = fig.axes
        assert not ind.get_lines()
        text = " ".join(t.get_text() for t in ind.texts).replace("\n", " ")
        assert text.startswith("not defined yet:")
        assert "no valid proposal" in text and matches("induction/learnability").nan.split()[0] in text
        (x, y) = ind.texts[0].get_position()
        assert (x, y) == (0.5, 0.5) and ind.texts[0].get_transform() == ind.transAxes
        assert not ded.texts and not abd.texts
        # abduction's NaN at iteration 2 breaks its line instead of joining iterations 1 and 3
        ys = list(abd.get_lines()[0].get_ydata())
        assert len(ys) == 3 and math.isnan(ys[1])
    finally:
        import matplotlib.pyplot as plt

        plt.close(fig)


def test_a_metric_never_logged_gets_a_panel_saying_so(logged_run):
    c, run, _ = logged_run
    fig = plots.per_type_figure(plots.type_histories(c, run, ["deduction", "induction"], "proposal_solve_rate"),
                                "proposal_solve_rate")
    assert len(fig.axes) == 2 and all(ax.texts[0].get_text() == "not logged yet" for ax in fig.axes)


def test_plot_rates_writes_the_pngs_the_mlflow_run_and_readme_name(logged_run, tmp_path):
    c, run, _ = logged_run
    paths = plots.plot_rates(c, run, TYPES, tmp_path)
    assert [p.name for p in paths] == ["valid_rate.png", "solve_rate.png"]
    for p in paths:
        assert p.read_bytes()[:8] == PNG and p.stat().st_size > 5000


def test_eval_accuracy_plot_has_integer_ticks_and_tells_equal_series_apart():
    from matplotlib.ticker import MaxNLocator

    from azr.evaluation.tracking import accuracy_figure

    fig = accuracy_figure({"deduction/a": [(1, 0.0), (2, 0.0)], "abduction/b": [(1, 0.0), (2, 0.0)]})
    (ax,) = fig.axes
    assert isinstance(ax.xaxis.get_major_locator(), MaxNLocator) and ax.xaxis.get_major_locator()._integer
    a, b = ax.get_lines()
    assert (a.get_marker(), a.get_linestyle()) != (b.get_marker(), b.get_linestyle())
