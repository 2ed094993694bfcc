"""MLflow for training runs: one MLflow run per training run (a resume reattaches), params = the flattened
config, metrics per iteration, artifacts (config, proposal samples, plots). Embedded default: SQLite in the
home folder; $MLFLOW_TRACKING_URI or tracking.mlflow_uri points it elsewhere."""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

from azr.config import AZRConfig, flatten

PLOTTED = ("valid_rate", "solve_rate")


def tracking_uri(cfg: AZRConfig, home: Path) -> str:
    return cfg.tracking.mlflow_uri or os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{home / 'mlflow.db'}"


def client(cfg: AZRConfig, home: Path):
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    import mlflow
    from mlflow.tracking import MlflowClient

    uri = tracking_uri(cfg, home)
    mlflow.set_tracking_uri(uri)
    return MlflowClient(tracking_uri=uri)


def experiment_id(c: Any, name: str, home: Path) -> str:
    exp = c.get_experiment_by_name(name)
    if exp is not None:
        return exp.experiment_id
    # Artifacts next to the SQLite file, not in ./mlruns of whatever directory the user started from.
    return c.create_experiment(name, artifact_location=(home / "mlartifacts").resolve().as_uri())


def ensure_run(cfg: AZRConfig, home: Path, run_id: str, existing: str | None) -> str:
    """The MLflow run id of this training run, created (with params and the config artifact) on first use."""
    c = client(cfg, home)
    if existing:
        try:
            c.get_run(existing)
            return existing
        except Exception as exc:  # the MLflow store was moved or wiped: say so and start a fresh MLflow run
            print(f"MLflow run {existing} not found at {tracking_uri(cfg, home)} ({exc}); creating a new one")
    exp = experiment_id(c, cfg.tracking.experiment, home)
    run = c.create_run(exp, run_name=run_id, tags={"azr.run_id": run_id})
    rid = run.info.run_id
    from mlflow.entities import Param

    params = [Param(k, str(v)[:6000]) for k, v in flatten(cfg).items()]
    for i in range(0, len(params), 100):
        c.log_batch(rid, params=params[i:i + 100])
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "config.json"
        path.write_text(cfg.model_dump_json(indent=2))
        c.log_artifact(rid, str(path))
    return rid


def log_metrics(cfg: AZRConfig, home: Path, mlflow_run_id: str, metrics: dict[str, float], step: int) -> None:
    import time

    from mlflow.entities import Metric

    c = client(cfg, home)
    now = int(time.time() * 1000)
    items = [Metric(_clean(k), float(v), now, step) for k, v in metrics.items()
             if isinstance(v, (int, float)) and not isinstance(v, bool)]
    for i in range(0, len(items), 500):
        c.log_batch(mlflow_run_id, metrics=items[i:i + 500])


def _clean(key: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "_-./ " else "_" for ch in key)


def log_iteration_artifacts(cfg: AZRConfig, home: Path, mlflow_run_id: str, iteration: int,
                            proposals: list[dict]) -> None:
    """A sample of this iteration's proposals (JSON) and refreshed plots of valid and solve rate per type."""
    c = client(cfg, home)
    with tempfile.TemporaryDirectory() as d:
        sample = Path(d) / f"proposals-{iteration:05d}.json"
        keep = ("proposal_id", "task_type", "valid", "error", "detail", "program", "input", "inputs", "message",
                "solve_rate", "reward", "response")
        sample.write_text(json.dumps([{k: p.get(k) for k in keep} for p in proposals[:32]], indent=2, default=str))
        c.log_artifact(mlflow_run_id, str(sample), artifact_path="proposals")
        for png in plot_rates(c, mlflow_run_id, cfg.selfplay.task_types, Path(d)):
            c.log_artifact(mlflow_run_id, str(png), artifact_path="plots")


def plot_rates(c: Any, mlflow_run_id: str, task_types: list[str], out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    for what in PLOTTED:
        fig, ax = plt.subplots(figsize=(6, 3.5))
        for tt in task_types:
            hist = sorted(c.get_metric_history(mlflow_run_id, f"{tt}/{what}"), key=lambda m: m.step)
            pts = [(m.step, m.value) for m in hist if not math.isnan(m.value)]
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=tt)
        ax.set_xlabel("iteration")
        ax.set_ylabel(what.replace("_", " "))
        ax.set_ylim(-0.05, 1.05)
        ax.grid(alpha=0.3)
        ax.legend(loc="best")
        ax.set_title(f"{what.replace('_', ' ')} per task type")
        fig.tight_layout()
        path = out / f"{what}.png"
        fig.savefig(path, dpi=100)
        plt.close(fig)
        paths.append(path)
    return paths


def run_link(cfg: AZRConfig, home: Path, mlflow_run_id: str) -> str:
    uri = tracking_uri(cfg, home)
    if uri.startswith("http"):
        c = client(cfg, home)
        exp = c.get_run(mlflow_run_id).info.experiment_id
        return f"{uri.rstrip('/')}/#/experiments/{exp}/runs/{mlflow_run_id}"
    return f"mlflow ui --backend-store-uri {uri}  (then open run {mlflow_run_id})"


def set_status(cfg: AZRConfig, home: Path, mlflow_run_id: str, status: str) -> None:
    client(cfg, home).set_terminated(mlflow_run_id, status=status)
