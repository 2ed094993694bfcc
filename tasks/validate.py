"""Validate: run every well-formatted proposal in the sandbox; valid ones become tasks with gold outputs, and a
share of them (selfplay.holdout_fraction) is held out of training for monitoring."""

from __future__ import annotations

from azr import steps
from azr.selfplay import mark_holdout
from tasks.common import pipeline_task, run_once, step_output, timed


@timed
def run_validate(rt, iteration: int, records: list[dict]) -> dict:
    import time

    t0 = time.perf_counter()
    out = steps.validate(rt.sandbox, records, task_id_prefix=f"it{iteration}-t")
    out = mark_holdout(out, rt.cfg.selfplay.holdout_fraction, steps.step_seed(rt.cfg.run.seed, iteration, "holdout"))
    jobs = sum(1 for r in records if r["format_ok"])
    return {"records": out, "sandbox_jobs": jobs, "sandbox_seconds": time.perf_counter() - t0}


@pipeline_task("validate")
def validate(home: str, run_id: str, iteration: int) -> str:
    return run_once(home, run_id, iteration, "validate",
                    lambda rt: run_validate(rt, iteration, step_output(rt.store, iteration, "propose")["records"]),
                    lambda rt, out: f"{sum(r['valid'] for r in out['records'])}/{len(out['records'])} proposals valid"
                                    + held_out_note(out['records']))


def held_out_note(records: list[dict]) -> str:
    n = sum(1 for r in records if r.get("holdout"))
    return f" ({n} held out)" if n else ""
