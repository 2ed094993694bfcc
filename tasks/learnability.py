"""Learnability: each new valid (not held-out) task is solved G times by the current policy; the solve rate r̄ sets the
proposer's reward. These rollouts only estimate r̄; they are stored but not trained on."""

from __future__ import annotations

import time

from azr import steps
from azr.selfplay import solve_rates, task_from_proposal, trainable
from tasks.common import pipeline_task, run_once, step_output, timed


@timed
def run_learnability(rt, iteration: int, proposals: list[dict]) -> dict:
    cfg = rt.cfg
    tasks = [task_from_proposal(p) for p in proposals if trainable(p)]
    recs = steps.solve(rt.engine, cfg, rt.tokenizer, tasks, cfg.selfplay.learnability_rollouts,
                       steps.step_seed(cfg.run.seed, iteration, "learnability"), "learnability",
                       id_prefix=f"it{iteration}-l")
    engine_stats = dict(rt.engine.stats) if tasks else {}
    t0 = time.perf_counter()
    recs = steps.check(rt.sandbox, recs, {t.task_id: t for t in tasks}, cfg.selfplay.induction_shown)
    return {"records": recs, "rates": solve_rates(recs), "engine": engine_stats,
            "sandbox_jobs": sum(r["format_ok"] for r in recs), "sandbox_seconds": time.perf_counter() - t0}


@pipeline_task("learnability")
def learnability(home: str, run_id: str, iteration: int) -> str:
    return run_once(home, run_id, iteration, "learnability",
                    lambda rt: run_learnability(rt, iteration, step_output(rt.store, iteration, "validate")["records"]),
                    lambda rt, out: f"{len(out['rates'])} tasks × {rt.cfg.selfplay.learnability_rollouts} attempts, "
                                    f"{sum(r['correct'] for r in out['records'])} solved")
