"""Plots of per-type metrics for the MLflow run: one panel per task type, sharing the y axis, a marker on every
iteration, integer iteration ticks. A panel whose metric was undefined (NaN) at every iteration says why, from
the metric registry's note, instead of staying blank. matplotlib's Agg backend: no display needed."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from azr.metric_names import matches

PLOTTED = ("valid_rate", "solve_rate")
"""Per-type metrics plotted every iteration, as plots/<name>.png in the MLflow run."""

History = Mapping[str, Sequence[tuple[int, float]]]


def _pyplot():
    import matplotlib

    if matplotlib.get_backend().lower() != "agg":
        matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def metric_history(c: Any, mlflow_run_id: str, key: str) -> list[tuple[int, float]]:
    """(iteration, value) of one metric, NaN kept; a step logged twice (a redone iteration) keeps its last value."""
    latest: dict[int, float] = {}
    for m in sorted(c.get_metric_history(mlflow_run_id, key), key=lambda m: (m.timestamp, m.step)):
        latest[int(m.step)] = float(m.value)
    return sorted(latest.items())


def type_histories(c: Any, mlflow_run_id: str, task_types: Sequence[str], what: str) -> dict[str, list]:
    """task type -> history of `<type>/<what>`."""
    return {tt: metric_history(c, mlflow_run_id, f"{tt}/{what}") for tt in task_types}


def undefined_note(key: str) -> str:
    """What a panel whose metric is NaN at every iteration says, from the registry's NaN note of `key`."""
    entry = matches(key)
    why = entry.nan if entry is not None and entry.nan else "no value yet"
    return "not defined yet:\n" + why.replace("`", "")  # the note is Markdown; the panel is not


def per_type_figure(histories: History, what: str, title: str | None = None) -> Any:
    """The figure of `<type>/<what>` for each type in `histories` (insertion order), one panel each."""
    from matplotlib.ticker import MaxNLocator

    plt = _pyplot()
    types = list(histories)
    entry = matches(f"{types[0]}/{what}") if types else None
    rate = bool(entry and entry.rate)
    fig, axes = plt.subplots(1, max(len(types), 1), figsize=(3.2 * max(len(types), 1) + 0.6, 3.4),
                             sharey=True, sharex=True, squeeze=False)
    label = what.replace("_", " ")
    steps = sorted({s for pts in histories.values() for s, _ in pts})
    for i, (ax, tt) in enumerate(zip(axes[0], types)):
        pts = sorted(histories[tt])
        defined = [(s, v) for s, v in pts if not math.isnan(v)]
        if defined:
            # NaN stays in the series so the line breaks where the metric was undefined; markers show every point.
            ax.plot([s for s, _ in pts], [v for _, v in pts], marker="o", markersize=5, linewidth=1.5,
                    color=f"C{i}", clip_on=False, zorder=3)
        else:
            note = undefined_note(f"{tt}/{what}") if pts else "not logged yet"
            ax.text(0.5, 0.5, _wrap(note, 34), transform=ax.transAxes, ha="center", va="center", fontsize=8,
                    color="0.35", wrap=True)
        ax.set_title(tt)
        ax.set_xlabel("iteration")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        if steps:
            lo, hi = steps[0], steps[-1]
            pad = 0.5 if lo == hi else max(0.25, 0.03 * (hi - lo))
            ax.set_xlim(lo - pad, hi + pad)
    axes[0][0].set_ylabel(label)
    if rate:
        axes[0][0].set_ylim(0.0, 1.0)
    fig.suptitle(title or f"{label} per task type")
    fig.tight_layout()
    return fig


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.fill(line, width) for line in text.splitlines())


def plot_rates(c: Any, mlflow_run_id: str, task_types: Sequence[str], out: Path) -> list[Path]:
    """Write <out>/<what>.png for each PLOTTED metric from the run's MLflow history; returns the paths."""
    plt = _pyplot()
    paths = []
    for what in PLOTTED:
        fig = per_type_figure(type_histories(c, mlflow_run_id, task_types, what), what)
        path = Path(out) / f"{what}.png"
        try:
            fig.savefig(path, dpi=100)
        finally:
            plt.close(fig)
        paths.append(path)
    return paths
