"""Seeding (iteration 0): the identity program, then the untrained model proposes until every buffer holds
`seed_tasks_per_type` valid tasks or `seed_max_attempts` rounds have passed (a weak model may never get there;
training then goes on with what the buffers hold, and says so)."""

from __future__ import annotations

import json
import random
from datetime import datetime, timezone

from azr import steps
from azr.selfplay import task_from_proposal
from azr.task_types import Task, TaskType, seed_task
from flows.runtime import get_runtime
from tasks.common import pipeline_flow, pipeline_task
from tasks.score import proposal_rows, task_rows


@pipeline_task("seed-buffers")
def seed_buffers(home: str, run_id: str) -> dict[str, int]:
    rt = get_runtime(home, run_id)
    cfg, store = rt.cfg, rt.store
    sp = cfg.selfplay
    started = datetime.now(timezone.utc).isoformat()
    types = [TaskType(t) for t in sp.task_types]
    buffers: dict[TaskType, list[Task]] = {tt: [seed_task(tt)] for tt in types}
    rng = random.Random(cfg.run.seed)
    proposals: list[dict] = []
    attempts = 0
    for attempt in range(sp.seed_max_attempts):
        short = [tt for tt in types if len(buffers[tt]) < sp.seed_tasks_per_type]
        if not short:
            break
        attempts += 1
        items = []
        programs = [t for tt in (TaskType.DEDUCTION, TaskType.ABDUCTION) for t in buffers.get(tt, [])]
        programs = programs or [seed_task(TaskType.DEDUCTION)]
        for tt in short:
            need = min(sp.batch_size, sp.seed_tasks_per_type - len(buffers[tt]))
            refs = lambda tt=tt: steps.pick(rng, buffers[tt], sp.references)  # noqa: E731
            for prompt, parent in steps.proposal_prompts(cfg, rt.tokenizer, tt, need, refs,
                                                          steps.pick(rng, programs, need)):
                items.append((tt, prompt, parent))
        recs = steps.propose(rt.engine, cfg, items, steps.step_seed(cfg.run.seed, attempt, "seed"),
                             id_prefix=f"it0-a{attempt}-p")
        recs = steps.validate(rt.sandbox, recs, task_id_prefix=f"it0-a{attempt}-t")
        for r in recs:
            if r["valid"] and len(buffers[TaskType(r["task_type"])]) < sp.seed_tasks_per_type:
                buffers[TaskType(r["task_type"])].append(task_from_proposal(r))
        proposals += recs

    counts = {tt.value: len(buffers[tt]) for tt in types}
    short = {k: v for k, v in counts.items() if v < sp.seed_tasks_per_type}
    if short:
        print(f"seeding stopped after {attempts} round(s) with {counts} valid tasks (target "
              f"{sp.seed_tasks_per_type} per type): the model is still weak, so training goes on with what the "
              "buffers hold; raise selfplay.seed_max_attempts to try longer")
    else:
        print(f"seeding done after {attempts} round(s): {counts}")

    seeds = [t for tt in types for t in buffers[tt] if t.task_id.startswith("seed-")]
    grown = [t for tt in types for t in buffers[tt] if not t.task_id.startswith("seed-")]
    parents = {p["task_id"]: p["parent_program"] for p in proposals if p["valid"]}
    stamp = dict(run_id=store.run_id, iteration=0)
    store.write_rows(0, "tasks", [dict(r, **stamp) for r in task_rows(seeds, {}, "seed") +
                                  task_rows(grown, parents, "proposed")])
    store.write_rows(0, "proposals", [dict(r, **stamp) for r in proposal_rows(proposals)])
    store.commit(0, {
        "run_id": store.run_id, "iteration": 0, "status": "seeded", "started_at": started,
        "finished_at": datetime.now(timezone.utc).isoformat(), "step_seconds": json.dumps({}),
        "metrics": json.dumps({f"seed/{k}": v for k, v in counts.items()} | {"seed/rounds": attempts}),
        "checkpoint": None,
    })
    return counts


@pipeline_flow(name="azr-seed", flow_run_name="{run_id}-seed", log_prints=True)
def seed(home: str, run_id: str) -> dict[str, int] | None:
    """Fill the task buffers before training; a no-op once iteration 0 is committed."""
    rt = get_runtime(home, run_id)
    if rt.store.is_committed(0):
        return None
    return seed_buffers(home, run_id)
