"""Commit: gather the iteration's metrics, log them to MLflow and Prefect, and make its rows visible.

The commit marker is the last thing written; until it exists the iteration does not count anywhere."""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone

from azr.selfplay import iteration_metrics, watch_flags
from flows import tracking
from flows.hints import resume_command, sql_command
from flows.runtime import get_runtime
from tasks.common import HAVE_PREFECT, pipeline_task, step_output

STEPS = ("propose", "validate", "learnability", "solve", "score", "update", "evaluate")


def collect_metrics(rt, iteration: int) -> tuple[dict[str, float], dict[str, float]]:
    store, cfg = rt.store, rt.cfg
    out = {s: step_output(store, iteration, s) or {} for s in STEPS}
    learn = out["learnability"].get("records", [])
    m = iteration_metrics(out["score"]["proposals"], out["score"]["solves"], learn, cfg.selfplay.task_types)
    for k, v in out["update"].get("metrics", {}).items():
        m[f"train/{k}"] = v
    tokens = sum(out[s].get("engine", {}).get("tokens", 0) for s in ("propose", "learnability", "solve"))
    gen_s = sum(out[s].get("engine", {}).get("seconds", 0.0) for s in ("propose", "learnability", "solve"))
    m["rollout/tokens"] = float(tokens)
    m["rollout/tokens_per_s"] = tokens / gen_s if gen_s > 0 else float("nan")
    jobs = sum(out[s].get("sandbox_jobs", 0) for s in ("validate", "learnability", "score"))
    sb_s = sum(out[s].get("sandbox_seconds", 0.0) for s in ("validate", "learnability", "score"))
    m["sandbox/jobs"] = float(jobs)
    m["sandbox/jobs_per_s"] = jobs / sb_s if sb_s > 0 else float("nan")
    everything = out["score"]["proposals"] + learn + out["score"]["solves"]
    m["watch/flagged"] = float(sum(1 for r in everything if watch_flags(r["response"], cfg.watch.phrases)))
    step_seconds = {s: float(out[s].get("seconds", 0.0)) for s in STEPS}
    for s, v in step_seconds.items():
        m[f"time/{s}_s"] = v
    return m, step_seconds


def per_type_table(metrics: dict[str, float], task_types: list[str]) -> list[dict]:
    cols = ("proposals", "valid", "valid_rate", "learnability", "solve_rate", "propose_format_error_rate",
            "solve_format_error_rate")
    rows = []
    for tt in task_types:
        row = {"task_type": tt}
        for c in cols:
            v = metrics.get(f"{tt}/{c}", float("nan"))
            row[c] = None if isinstance(v, float) and math.isnan(v) else round(v, 3)
        rows.append(row)
    return rows


def summary_line(iteration: int, metrics: dict[str, float], task_types: list[str]) -> str:
    parts = []
    for tt in task_types:
        v, p = metrics.get(f"{tt}/valid", 0), metrics.get(f"{tt}/proposals", 0)
        sr = metrics.get(f"{tt}/solve_rate", float("nan"))
        parts.append(f"{tt[:3]} valid {int(v)}/{int(p)} solved {sr:.2f}" if not math.isnan(sr)
                     else f"{tt[:3]} valid {int(v)}/{int(p)}")
    loss = metrics.get("train/loss", float("nan"))
    return f"iteration {iteration}: " + " | ".join(parts) + f" | loss {loss:.4f}"


@pipeline_task("commit")
def commit(home: str, run_id: str, iteration: int, started_at: str, checkpoint: str | None) -> str:
    rt = get_runtime(home, run_id)
    store, cfg = rt.store, rt.cfg
    if store.is_committed(iteration):
        return "commit"
    metrics, step_seconds = collect_metrics(rt, iteration)
    mlflow_run = store.meta.get("mlflow_run_id")
    if mlflow_run:
        tracking.log_metrics(cfg, store.home, mlflow_run, metrics, step=iteration)
        tracking.log_iteration_artifacts(cfg, store.home, mlflow_run, iteration,
                                         step_output(store, iteration, "score")["proposals"])
    store.commit(iteration, {
        "run_id": store.run_id, "iteration": iteration, "status": "committed", "started_at": started_at,
        "finished_at": datetime.now(timezone.utc).isoformat(), "step_seconds": json.dumps(step_seconds),
        "metrics": json.dumps({k: (None if isinstance(v, float) and math.isnan(v) else v)
                               for k, v in metrics.items()}),
        "checkpoint": iteration if checkpoint else None,
    })
    line = summary_line(iteration, metrics, cfg.selfplay.task_types)
    print(line)
    if HAVE_PREFECT:
        publish_artifacts(cfg, store, iteration, metrics, line)
    return "commit"


def publish_artifacts(cfg, store, iteration: int, metrics: dict[str, float], line: str) -> None:
    """The run's table and summary in the Prefect UI (updated in place every iteration)."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    run_id, mlflow_run = store.run_id, store.meta.get("mlflow_run_id")
    key = f"{run_id}-stats".lower().replace("_", "-")
    create_table_artifact(per_type_table(metrics, cfg.selfplay.task_types), key=key,
                          description=f"Per-type statistics of iteration {iteration}")
    link = tracking.run_link(cfg, store.home, mlflow_run) if mlflow_run else "(no MLflow run)"
    sql = f"select * from tasks where run_id = '{run_id}' and iteration = {iteration}"
    about = f"{cfg.run.description.strip()}\n\n" if cfg.run.description.strip() else ""
    create_markdown_artifact(
        f"### Run `{run_id}`, iteration {iteration}\n\n{about}{line}\n\n"
        f"- loss {metrics.get('train/loss', float('nan')):.4f}, grad norm "
        f"{metrics.get('train/grad_norm', float('nan')):.3f}, entropy {metrics.get('train/entropy', float('nan')):.3f}\n"
        f"- rollout {metrics['rollout/tokens_per_s']:.1f} tok/s, sandbox {metrics['sandbox/jobs_per_s']:.1f} jobs/s\n"
        f"- flagged rollouts (watch list): {int(metrics['watch/flagged'])}\n"
        f"- MLflow: {link}\n"
        f"- SQL: `{sql_command(store.home, sql)}`\n"
        f"- resume: `{resume_command(store.home, run_id)}`\n",
        key=f"{run_id}-summary".lower().replace("_", "-"), description=f"Iteration {iteration} summary")
