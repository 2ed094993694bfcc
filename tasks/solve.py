"""Solve: B tasks per type from the buffers (this iteration's new tasks first, topped up from history)."""

from __future__ import annotations

from azr import steps
from azr.selfplay import task_from_proposal, trainable
from azr.task_types import TaskType
from tasks.common import pipeline_task, run_once, step_output, timed


@timed
def run_solve(rt, iteration: int, proposals: list[dict]) -> dict:
    cfg = rt.cfg
    sampler = rt.sampler()
    fresh = [task_from_proposal(p) for p in reversed(proposals) if trainable(p)]  # newest first
    tasks = []
    for name in cfg.selfplay.task_types:
        tt = TaskType(name)
        tasks += sampler.solver_tasks(tt, cfg.selfplay.batch_size, iteration,
                                      fresh=[t for t in fresh if t.task_type is tt])
    recs = steps.solve(rt.engine, cfg, rt.tokenizer, tasks, 1, steps.step_seed(cfg.run.seed, iteration, "solve"),
                       "train", id_prefix=f"it{iteration}-s")
    return {"records": recs, "tasks": [t.model_dump(mode="json") for t in tasks],
            "engine": dict(rt.engine.stats) if tasks else {}}


@pipeline_task("solve")
def solve(home: str, run_id: str, iteration: int) -> str:
    return run_once(home, run_id, iteration, "solve",
                    lambda rt: run_solve(rt, iteration, step_output(rt.store, iteration, "validate")["records"]),
                    lambda rt, out: f"{len(out['records'])} answers generated")
