"""Validate: run every well-formatted proposal in the sandbox; valid ones become tasks with gold outputs."""

from __future__ import annotations

from azr import steps
from flows.runtime import get_runtime
from tasks.common import pipeline_task, save_step, step_output, timed


@timed
def run_validate(rt, iteration: int, records: list[dict]) -> dict:
    import time

    t0 = time.perf_counter()
    out = steps.validate(rt.sandbox, records, task_id_prefix=f"it{iteration}-t")
    jobs = sum(1 for r in records if r["format_ok"])
    return {"records": out, "sandbox_jobs": jobs, "sandbox_seconds": time.perf_counter() - t0}


@pipeline_task("validate")
def validate(home: str, run_id: str, iteration: int) -> str:
    rt = get_runtime(home, run_id)
    if step_output(rt.store, iteration, "validate") is None:
        proposals = step_output(rt.store, iteration, "propose")["records"]
        out = run_validate(rt, iteration, proposals)
        save_step(rt.store, iteration, "validate", out)
        valid = sum(r["valid"] for r in out["records"])
        print(f"validate: {valid}/{len(proposals)} proposals valid")
    return "validate"
