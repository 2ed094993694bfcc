"""Evaluate (every `run.eval_every` iterations): the configured benchmarks with the just-updated policy.

Runs before the commit so its rows land in this iteration's `evals` table and become visible with it."""

from __future__ import annotations

from flows.runtime import get_runtime
from tasks.common import pipeline_task, save_step, step_output, timed


def due(cfg, iteration: int) -> bool:
    return bool(cfg.eval.benchmarks) and cfg.run.eval_every > 0 and iteration % cfg.run.eval_every == 0


@timed
def run_evaluate(rt, iteration: int) -> dict:
    from azr.evaluation import evaluate_configured, log_accuracy_plot, log_eval_to_mlflow, metric_key
    from flows import tracking

    reports = evaluate_configured(rt.engine, rt.tokenizer, rt.sandbox, rt.cfg.eval, rt.cfg.rollout.prompt_style,
                                  model_name=f"{rt.store.run_id}@{iteration}", seed=rt.cfg.run.seed, progress=True,
                                  top_p=rt.cfg.rollout.top_p)  # the same nucleus as `azr eval`
    rows = [row for r in reports for row in r.table_rows(rt.store.run_id, iteration)]
    rt.store.write_rows(iteration, "evals", rows)
    mlflow_run = rt.store.meta.get("mlflow_run_id")
    if mlflow_run:
        tracking.client(rt.cfg, rt.store.home)  # points MLflow at this run's store
        for r in reports:
            log_eval_to_mlflow(r, step=iteration, run_id=mlflow_run)
        log_accuracy_plot(run_id=mlflow_run)
    return {"metrics": {metric_key(r, metric=k): float(v) for r in reports for k, v in r.metrics.items()
                        if k.startswith("pass@")}, "benchmarks": len(reports)}


@pipeline_task("evaluate")
def evaluate(home: str, run_id: str, iteration: int) -> str | None:
    rt = get_runtime(home, run_id)
    if not due(rt.cfg, iteration):
        return None
    if step_output(rt.store, iteration, "evaluate") is None:
        out = run_evaluate(rt, iteration)
        save_step(rt.store, iteration, "evaluate", out)
        print("evaluate: " + ", ".join(f"{k}={v:.3f}" for k, v in out["metrics"].items()))
    return "evaluate"
