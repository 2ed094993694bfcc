"""Score: check the solver's answers by execution, assign both roles' rewards and the TRR++ advantages, and
write this iteration's proposals, tasks and rollouts tables (visible once the iteration commits)."""

from __future__ import annotations

import time
from datetime import datetime, timezone

from azr import steps
from azr.selfplay import assign_rewards, task_from_proposal, trainable, watch_flags
from azr.task_types import Role, Task
from tasks.common import pipeline_task, run_once, step_output, timed

def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


def rollout_rows(records: list[dict], phrases: list[str]) -> list[dict]:
    rows = []
    for r in records:
        is_prop = "proposal_id" in r
        flags = watch_flags(r["response"], phrases)
        rows.append({
            "rollout_id": r["proposal_id"] if is_prop else r["rollout_id"],
            "role": Role.PROPOSE.value if is_prop else Role.SOLVE.value,
            "task_type": r["task_type"], "task_id": r.get("task_id"),
            "purpose": ("holdout" if r.get("holdout") else "train") if is_prop else r["purpose"],
            "prompt": r["prompt"], "response": r["response"],
            "parsed_answer": None if is_prop else r.get("parsed_answer"),
            "format_ok": r["format_ok"],
            "correct": r["valid"] if is_prop else r["correct"],
            "error": r.get("error"), "reward": r.get("reward"), "advantage": r.get("advantage"),
            "prompt_tokens": r["prompt_tokens"], "response_tokens": r["response_tokens"],
            "finish_reason": r["finish_reason"], "trained": not r.get("holdout") if is_prop else r["purpose"] == "train",
            "flagged": bool(flags), "flag_phrases": flags, "created_at": _now(),
        })
    return rows


def proposal_rows(proposals: list[dict]) -> list[dict]:
    keep = ("proposal_id", "task_type", "prompt", "response", "program", "input", "inputs", "message",
            "parent_program", "format_ok", "valid", "error", "detail", "task_id", "solve_rate", "reward",
            "response_tokens")
    return [dict({k: p.get(k) for k in keep}, created_at=_now()) for p in proposals]


def task_rows(tasks: list[Task], parents: dict[str, str | None], source: str) -> list[dict]:
    from storage.schemas import task_to_row

    return [task_to_row(t, source=source, parent_program=parents.get(t.task_id)).model_dump() for t in tasks]


@timed
def run_score(rt, iteration: int) -> dict:
    cfg, store = rt.cfg, rt.store
    proposals = step_output(store, iteration, "validate")["records"]
    learn = step_output(store, iteration, "learnability")
    solved = step_output(store, iteration, "solve")
    tasks = [Task.model_validate(t) for t in solved["tasks"]]
    t0 = time.perf_counter()
    solves = steps.check(rt.sandbox, solved["records"], {t.task_id: t for t in tasks}, cfg.selfplay.induction_shown)
    sandbox_seconds = time.perf_counter() - t0
    proposals, solves = assign_rewards(proposals, solves, learn["rates"], cfg)

    new_tasks = [task_from_proposal(p) for p in proposals if trainable(p)]
    held_out = [task_from_proposal(p) for p in proposals if p.get("holdout")]
    parents = {p["task_id"]: p["parent_program"] for p in proposals if p["valid"]}
    phrases = cfg.watch.phrases
    store.write_rows(iteration, "proposals", [dict(r, run_id=store.run_id, iteration=iteration)
                                              for r in proposal_rows(proposals)])
    store.write_rows(iteration, "tasks", [dict(r, run_id=store.run_id, iteration=iteration)
                                          for r in task_rows(new_tasks, parents, "proposed")])
    if held_out:
        store.write_rows(iteration, "heldout", [dict(r, run_id=store.run_id, iteration=iteration)
                                                for r in task_rows(held_out, parents, "proposed")])
    store.write_rows(iteration, "rollouts", [dict(r, run_id=store.run_id, iteration=iteration)
                                             for r in rollout_rows(proposals + learn["records"] + solves, phrases)])
    return {"proposals": proposals, "solves": solves, "sandbox_jobs": sum(s["format_ok"] for s in solves),
            "sandbox_seconds": sandbox_seconds}


@pipeline_task("score")
def score(home: str, run_id: str, iteration: int) -> str:
    return run_once(home, run_id, iteration, "score", lambda rt: run_score(rt, iteration),
                    lambda rt, out: f"{sum(s['correct'] for s in out['solves'])}/{len(out['solves'])} answers correct")
