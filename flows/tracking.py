"""MLflow for training runs: one MLflow run per training run (a resume reattaches), params = the flattened
config, metrics per iteration, artifacts (config, proposal samples, plots). Embedded default: SQLite in the
home folder; $MLFLOW_TRACKING_URI or tracking.mlflow_uri points it elsewhere."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from azr.config import AZRConfig, flatten

EXPERIMENT_KIND_TAG, EXPERIMENT_KIND = "mlflow.experimentKind", "custom_model_development"
REPO = Path(__file__).resolve().parent.parent


def tracking_uri(cfg: AZRConfig, home: Path) -> str:
    return cfg.tracking.mlflow_uri or os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{home / 'mlflow.db'}"


def activate(cfg: AZRConfig, home: Path) -> str:
    """Point this process's MLflow at the run's store. MLflow also copies the URI into $MLFLOW_TRACKING_URI, where
    the next run in the same process (a worker serving runs of several homes) would take it for the user's own
    setting and log into this run's store; the variable is put back as it was."""
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    import mlflow

    uri = tracking_uri(cfg, home)
    before = os.environ.get("MLFLOW_TRACKING_URI")
    mlflow.set_tracking_uri(uri)
    if before is None:
        os.environ.pop("MLFLOW_TRACKING_URI", None)
    else:
        os.environ["MLFLOW_TRACKING_URI"] = before
    return uri


def client(cfg: AZRConfig, home: Path):
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=activate(cfg, home))


def experiment_id(c: Any, name: str, home: Path) -> str:
    exp = c.get_experiment_by_name(name)
    if exp is not None:
        if exp.tags.get(EXPERIMENT_KIND_TAG) is None:  # made by an older version
            c.set_experiment_tag(exp.experiment_id, EXPERIMENT_KIND_TAG, EXPERIMENT_KIND)
        return exp.experiment_id
    # Artifacts next to the SQLite file, not in ./mlruns of whatever directory the user started from. The kind tag
    # marks the experiment as model training; the links add ?workflowType= too (see run_url).
    return c.create_experiment(name, artifact_location=(home / "mlartifacts").resolve().as_uri(),
                               tags={EXPERIMENT_KIND_TAG: EXPERIMENT_KIND})


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
        from flows.plots import plot_rates

        for png in plot_rates(c, mlflow_run_id, cfg.selfplay.task_types, Path(d)):
            c.log_artifact(mlflow_run_id, str(png), artifact_path="plots")


def ui_base(cfg: AZRConfig, home: Path) -> str:
    """The MLflow UI's address: the tracking server itself, or where `mlflow ui` serves a local store."""
    uri = tracking_uri(cfg, home)
    return (uri if uri.startswith("http") else cfg.tracking.ui_url).rstrip("/")


def ui_command(cfg: AZRConfig, home: Path) -> str | None:
    """The command that serves the UI for a local store (None when the tracking URI is a server already)."""
    uri = tracking_uri(cfg, home)
    if uri.startswith("http"):
        return None
    port = urlsplit(cfg.tracking.ui_url).port or 5000
    from flows.hints import executable

    return f"{executable('mlflow')} ui --backend-store-uri {shlex.quote(uri)} --port {port}"


def run_url(cfg: AZRConfig, home: Path, mlflow_run_id: str) -> str:
    # MLflow 3.17's UI picks its view from this parameter (or a saved browser setting) and defaults to GenAI; the
    # experiment-kind tag alone does not switch it.
    exp = client(cfg, home).get_run(mlflow_run_id).info.experiment_id
    return f"{ui_base(cfg, home)}/#/experiments/{exp}/runs/{mlflow_run_id}?workflowType=machine_learning"


def run_link(cfg: AZRConfig, home: Path, mlflow_run_id: str) -> str:
    """Markdown for the Prefect artifact: a real link, plus the command that serves it for a local store."""
    link = f"[open run {mlflow_run_id[:8]} in MLflow]({run_url(cfg, home, mlflow_run_id)})"
    serve = ui_command(cfg, home)
    return link + (f" (serve the UI first: `{serve}`)" if serve else "")


def git_commit() -> tuple[str, bool] | None:
    """(commit, dirty) of the checkout this code runs from, or None outside a git checkout."""
    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=10)
        if head.returncode != 0:
            return None
        status = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                                capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return head.stdout.strip(), bool(status.stdout.strip())


def describe(cfg: AZRConfig) -> str:
    """The MLflow run description: the user's words when given, else what the run is, from its config."""
    sp = cfg.selfplay
    auto = (f"AZR self-play of `{cfg.model.path}` on {', '.join(sp.task_types)}: B = {sp.batch_size}, "
            f"G = {sp.learnability_rollouts}, K = {sp.references}, {cfg.run.iterations} iterations, "
            f"lr {cfg.trainer.lr:g}, rollout engine {cfg.rollout.engine}.")
    return f"{cfg.run.description.strip()}\n\n{auto}" if cfg.run.description.strip() else auto


def tag_run(cfg: AZRConfig, home: Path, mlflow_run_id: str) -> dict[str, str]:
    """Tags that tie the MLflow run to its code, its Prefect flow run and its purpose; refreshed on every attach
    (a resume points the flow-run tags at the new flow run)."""
    tags = {"mlflow.note.content": describe(cfg),
            "mlflow.source.name": "flows/train.py", "mlflow.source.type": "JOB"}
    git = git_commit()
    if git:
        tags["mlflow.source.git.commit"], tags["azr.git.dirty"] = git[0], str(git[1]).lower()
    try:
        from prefect.runtime import flow_run

        if flow_run.id:
            tags["azr.prefect.flow_run_id"] = str(flow_run.id)
            tags["azr.prefect.flow_run_name"] = str(flow_run.name)
            if prefect_ui_url():
                tags["azr.prefect.flow_run_url"] = f"{prefect_ui_url()}/runs/flow-run/{flow_run.id}"
    except ImportError:  # a bare GPU image runs the flows as plain calls
        pass
    c = client(cfg, home)
    for k, v in tags.items():
        c.set_tag(mlflow_run_id, k, v)
    return tags


def prefect_ui_url() -> str | None:
    """The Prefect UI of the API this process talks to; None for the ephemeral API (it has no UI)."""
    from prefect.settings import PREFECT_API_URL, PREFECT_UI_URL

    if not PREFECT_API_URL.value():
        return None
    ui = PREFECT_UI_URL.value()
    return ui.rstrip("/") if ui else None


def set_status(cfg: AZRConfig, home: Path, mlflow_run_id: str, status: str) -> None:
    client(cfg, home).set_terminated(mlflow_run_id, status=status)
