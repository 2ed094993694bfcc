"""MLflow logging for evaluation reports, and the accuracy-over-iterations plot.

Everything logs into the MLflow run whose id is given, else the active run: the training flow passes its own
run id, a standalone `azr eval` logs inside a run of the "azr-eval" experiment. Plots use the Agg backend. Metric keys look like
``eval/deduction/cruxeval-o/pass_at_1`` (MLflow keys may not contain '@').
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Mapping, Sequence

from azr.evaluation.runner import EvalReport

METRIC_PREFIX = "eval"
ACCURACY_SUFFIX = "pass_at_1"


def _clean(name: str) -> str:
    return re.sub(r"[^\w.\- ]", "_", name) or "benchmark"


def metric_key(report_or_mode: EvalReport | str, benchmark: str | None = None, metric: str = "pass@1") -> str:
    """The MLflow key of one metric of one benchmark: eval/<mode>/<benchmark>/<metric>."""
    if isinstance(report_or_mode, EvalReport):
        mode, benchmark = report_or_mode.mode, report_or_mode.benchmark
    else:
        mode = report_or_mode
    return f"{METRIC_PREFIX}/{mode}/{_clean(benchmark or '')}/{_clean(metric.replace('@', '_at_'))}"


def report_metrics(report: EvalReport) -> dict[str, float]:
    """All metrics and timings of a report, under their MLflow keys."""
    out = {metric_key(report, metric=k): float(v) for k, v in report.metrics.items()}
    out.update({metric_key(report, metric=f"time/{k}"): float(v) for k, v in report.timing.items()})
    return out


def report_table(report: EvalReport) -> dict[str, list]:
    """The per-item rows as columns, for mlflow.log_table (prompts left out: they repeat the benchmark)."""
    cols = ("item_id", "sample", "correct", "error", "detail", "answer", "response", "response_tokens",
            "finish_reason")
    return {c: [r.get(c) for r in report.rows] for c in cols}


def _target_run(run_id: str | None, what: str) -> str:
    import mlflow

    if run_id:
        return run_id
    active = mlflow.active_run()
    if active is None:
        raise RuntimeError(f"{what} needs an MLflow run id or an active MLflow run (inside mlflow.start_run())")
    return active.info.run_id


def log_eval_to_mlflow(report: EvalReport, step: int | None = None, run_id: str | None = None) -> dict[str, float]:
    """Log a report's metrics (at `step`, e.g. the training iteration) and its per-item table to an MLflow run:
    `run_id` when given, else the active run. Returns the logged metrics. Starts no run of its own."""
    import time

    from mlflow.entities import Metric
    from mlflow.tracking import MlflowClient

    rid = _target_run(run_id, "log_eval_to_mlflow")
    client = MlflowClient()
    metrics = report_metrics(report)
    now = int(time.time() * 1000)
    client.log_batch(rid, metrics=[Metric(k, v, now, step or 0) for k, v in metrics.items()])
    suffix = f"-step{step}" if step is not None else ""
    client.log_table(rid, report_table(report),
                     artifact_file=f"{METRIC_PREFIX}/{report.mode}-{_clean(report.benchmark)}{suffix}.json")
    return metrics


# --------------------------------------------------------------------------- plot

History = Mapping[str, Sequence[tuple[int, float]]]


def plot_accuracy(history: History, path: str | os.PathLike, title: str = "Evaluation accuracy (pass@1)") -> Path:
    """Write a PNG with one line per series (label -> [(iteration, accuracy), ...]); returns the path."""
    import matplotlib.pyplot as plt

    fig = accuracy_figure(history, title)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def accuracy_figure(history: History, title: str = "Evaluation accuracy (pass@1)") -> Any:
    import matplotlib

    if matplotlib.get_backend().lower() != "agg":
        matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(7, 4))
    # Benchmarks often share values (0.0 early on): a marker shape and line style per series keeps them apart.
    for i, (label, points) in enumerate(sorted(history.items())):
        pts = sorted(points)
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="osD^v<>"[i % 7], markersize=7 - i % 3,
                    linestyle=("-", "--", ":", "-.")[i % 4], label=label)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("iteration")
    ax.set_ylabel("pass@1")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    if history:
        ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    return fig


def accuracy_history(run_id: str | None = None) -> dict[str, list[tuple[int, float]]]:
    """Every eval pass@1 series logged to an MLflow run (default: the active one), as label -> points.
    Read back from MLflow, so a resumed training run plots its whole history."""
    from mlflow.tracking import MlflowClient

    run_id = _target_run(run_id, "accuracy_history")
    client = MlflowClient()
    keys = [k for k in client.get_run(run_id).data.metrics
            if k.startswith(METRIC_PREFIX + "/") and k.endswith("/" + ACCURACY_SUFFIX)]
    history: dict[str, list[tuple[int, float]]] = {}
    for key in keys:
        label = key[len(METRIC_PREFIX) + 1: -len(ACCURACY_SUFFIX) - 1]
        latest: dict[int, float] = {}
        for m in sorted(client.get_metric_history(run_id, key), key=lambda m: m.timestamp):
            latest[int(m.step)] = float(m.value)  # a re-run of a step overwrites it
        history[label] = sorted(latest.items())
    return history


def log_accuracy_plot(history: History | None = None, run_id: str | None = None,
                      artifact_file: str = f"{METRIC_PREFIX}/accuracy.png") -> dict:
    """Log the accuracy-over-iterations plot to an MLflow run (`run_id`, else the active run). The history
    defaults to every pass@1 series that run has logged so far. Call it after each in-loop evaluation; it
    replaces the previous plot. Returns the plotted history."""
    from mlflow.tracking import MlflowClient

    rid = _target_run(run_id, "log_accuracy_plot")
    hist = dict(accuracy_history(rid) if history is None else history)
    fig = accuracy_figure(hist)
    try:
        MlflowClient().log_figure(rid, fig, artifact_file)
    finally:
        import matplotlib.pyplot as plt

        plt.close(fig)
    return hist
