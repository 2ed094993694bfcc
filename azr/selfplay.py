"""One self-play iteration as pure functions over plain records: turning completions into proposals, proposals
and sandbox results into tasks, answers into sandbox jobs and rewards, and rewards into TRR++ advantages.

Records are dicts whose keys follow the storage schemas (storage/schemas.py), plus the token ids the trainer
needs. Nothing here touches files, processes or the model; the Prefect tasks in tasks/ do that.
"""

from __future__ import annotations

import random
import re
from typing import Any, Iterable, Sequence

from azr.config import AZRConfig
from azr.parsing import FormatError, parse_proposal, parse_solution
from azr.rewards import Outcome, proposer_reward, solve_reward
from azr.task_types import Role, Task, TaskType, group_key
from azr.trr import trr_advantages

Record = dict[str, Any]


# ----------------------------------------------------------------------------------------------- proposing
def proposal_record(proposal_id: str, task_type: TaskType, prompt: str, completion: Any,
                    parent: Task | None, n_inputs: int) -> Record:
    """A proposer completion, parsed. A format error is kept with the reason; it still gets trained on."""
    rec: Record = {
        "proposal_id": proposal_id, "task_type": TaskType(task_type).value, "prompt": prompt,
        "response": completion.text, "response_ids": list(completion.token_ids),
        "prompt_tokens": completion.prompt_tokens, "response_tokens": len(completion.token_ids),
        "finish_reason": completion.finish_reason,
        "program": parent.program if parent else "", "input": "", "inputs": [], "message": "",
        "parent_program": parent.program if parent else None,
        "format_ok": False, "valid": False, "error": None, "detail": None, "task_id": None,
        "output": None, "outputs": [],
    }
    try:
        p = parse_proposal(completion.text, task_type, n_inputs=n_inputs)
    except FormatError as exc:
        rec.update(error="format", detail=str(exc))
        return rec
    rec["format_ok"] = True
    if TaskType(task_type) is TaskType.INDUCTION:
        rec.update(inputs=p.inputs, message=p.message)
    else:
        rec.update(program=p.program, input=p.input)
    return rec


def validation_job(rec: Record) -> dict | None:
    """The sandbox job that checks a well-formatted proposal (None for a format error)."""
    if not rec["format_ok"]:
        return None
    if rec["task_type"] == TaskType.INDUCTION.value:
        return {"id": rec["proposal_id"], "kind": "induction_inputs", "program": rec["program"],
                "inputs": rec["inputs"]}
    return {"id": rec["proposal_id"], "kind": "validate", "program": rec["program"], "input": rec["input"]}


def apply_validation(rec: Record, result: Any | None, task_id: str) -> Record:
    """Mark a proposal valid (with its gold output) or invalid (with the sandbox's error code and detail)."""
    rec = dict(rec)
    if result is None:
        return rec
    if result.ok:
        rec.update(valid=True, task_id=task_id, error=None, detail=None)
        if rec["task_type"] == TaskType.INDUCTION.value:
            rec["outputs"] = list(result.outputs or [])
            if len(set(rec["inputs"])) < len(rec["inputs"]):
                rec.update(valid=False, task_id=None, error="duplicate_inputs",
                           detail="induction inputs must all differ")
        else:
            rec["output"] = result.output
    else:
        rec.update(valid=False, error=result.error, detail=result.detail)
    return rec


def mark_holdout(records: list[Record], fraction: float, seed: int) -> list[Record]:
    """Hold out a random share `fraction` of each type's valid proposals (stochastic rounding, so small batches
    still hold some out on average). Held-out tasks are for monitoring only: nothing trains on them."""
    rng = random.Random(seed)
    out = [dict(r, holdout=False) for r in records]
    if fraction <= 0:
        return out
    by_type: dict[str, list[int]] = {}
    for i, r in enumerate(out):
        if r["valid"]:
            by_type.setdefault(r["task_type"], []).append(i)
    for tt in sorted(by_type):
        idx = by_type[tt]
        want = fraction * len(idx)
        k = int(want) + (1 if rng.random() < want - int(want) else 0)
        for i in rng.sample(idx, k):
            out[i]["holdout"] = True
    return out


def trainable(rec: Record) -> bool:
    """A valid proposal whose task may be solved, trained on and buffered (not held out)."""
    return bool(rec["valid"]) and not rec.get("holdout")


def task_from_proposal(rec: Record) -> Task:
    tt = TaskType(rec["task_type"])
    if tt is TaskType.INDUCTION:
        return Task(task_type=tt, program=rec["program"], inputs=rec["inputs"], outputs=rec["outputs"],
                    message=rec["message"], task_id=rec["task_id"])
    return Task(task_type=tt, program=rec["program"], input=rec["input"], output=rec["output"],
                task_id=rec["task_id"])


# ----------------------------------------------------------------------------------------------- solving
def solve_record(rollout_id: str, task: Task, prompt: str, completion: Any, purpose: str) -> Record:
    rec: Record = {
        "rollout_id": rollout_id, "role": Role.SOLVE.value, "task_type": TaskType(task.task_type).value,
        "task_id": task.task_id, "purpose": purpose, "prompt": prompt, "response": completion.text,
        "response_ids": list(completion.token_ids), "prompt_tokens": completion.prompt_tokens,
        "response_tokens": len(completion.token_ids), "finish_reason": completion.finish_reason,
        "parsed_answer": None, "format_ok": False, "correct": False, "error": None,
        "reward": 0.0, "advantage": 0.0, "trained": purpose == "train",
    }
    try:
        rec["parsed_answer"] = parse_solution(completion.text, task.task_type)
        rec["format_ok"] = True
    except FormatError as exc:
        rec.update(error="format", detail=str(exc))
    return rec


def check_job(rec: Record, task: Task, shown: int) -> dict | None:
    """The sandbox job that scores one answer (None when the response had no parsable answer)."""
    if not rec["format_ok"]:
        return None
    tt = TaskType(task.task_type)
    if tt is TaskType.DEDUCTION:
        return {"id": rec["rollout_id"], "kind": "deduction", "output": task.output, "answer": rec["parsed_answer"]}
    if tt is TaskType.ABDUCTION:
        return {"id": rec["rollout_id"], "kind": "abduction", "program": task.program, "output": task.output,
                "answer": rec["parsed_answer"]}
    hidden = task.hidden_pairs(shown)
    return {"id": rec["rollout_id"], "kind": "induction", "answer": rec["parsed_answer"],
            "inputs": [i for i, _ in hidden], "outputs": [o for _, o in hidden]}


def apply_check(rec: Record, result: Any | None) -> Record:
    rec = dict(rec)
    if result is not None:
        rec["correct"] = bool(result.ok)
        if not result.ok:
            rec["error"], rec["detail"] = result.error, result.detail
    return rec


def solver_outcome(rec: Record) -> Outcome:
    if not rec["format_ok"]:
        return Outcome.FORMAT_ERROR
    return Outcome.PASS if rec["correct"] else Outcome.WRONG


def solve_rates(learn_records: Iterable[Record]) -> dict[str, float]:
    """Mean solve rate r̄ per task id over its G learnability attempts."""
    hits: dict[str, list[int]] = {}
    for r in learn_records:
        hits.setdefault(r["task_id"], []).append(1 if r["correct"] else 0)
    return {tid: sum(v) / len(v) for tid, v in hits.items()}


# ----------------------------------------------------------------------------------------------- rewards
def assign_rewards(proposals: list[Record], solves: list[Record], rates: dict[str, float],
                   cfg: AZRConfig) -> tuple[list[Record], list[Record]]:
    """Rewards for both roles, then TRR++ advantages across the six task × role groups."""
    rc = cfg.selfplay.rewards
    props = []
    for p in proposals:
        p = dict(p)
        if p.get("holdout"):  # not trained on: no reward, outside the TRR++ groups
            p.update(solve_rate=None, reward=None, advantage=None)
        elif p["valid"]:
            p["solve_rate"] = rates.get(p["task_id"], 0.0)
            p["reward"] = proposer_reward(Outcome.PASS, p["solve_rate"], rc)
        else:
            p["solve_rate"] = None
            p["reward"] = proposer_reward(Outcome.FORMAT_ERROR if not p["format_ok"] else Outcome.WRONG, None, rc)
        props.append(p)
    sols = [dict(s, reward=solve_reward(solver_outcome(s), rc)) for s in solves]

    trained = [p for p in props if not p.get("holdout")] + sols
    groups = [group_key(r["task_type"], Role.PROPOSE if "proposal_id" in r else Role.SOLVE) for r in trained]
    adv = trr_advantages(groups, [r["reward"] for r in trained], [r["response_tokens"] for r in trained],
                         unit=cfg.selfplay.trr_unit)
    for r, a in zip(trained, adv):
        r["advantage"] = a
    return props, sols


# ----------------------------------------------------------------------------------------------- watch list
def watch_flags(text: str, phrases: Sequence[str]) -> list[str]:
    """The watch-list phrases found in a response (case-insensitive, whole-word at the edges)."""
    low = text.lower()
    found = []
    for ph in phrases:
        if re.search(r"(?<!\w)" + re.escape(ph.lower()) + r"(?!\w)", low):
            found.append(ph)
    return found


# ----------------------------------------------------------------------------------------------- metrics
def _mean(xs: Sequence[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def iteration_metrics(proposals: list[Record], solves: list[Record], learn: list[Record],
                      task_types: Sequence[str]) -> dict[str, float]:
    """Per-type and per-group numbers for MLflow, the Prefect table artifact and the iterations table."""
    m: dict[str, float] = {}
    for tt in task_types:
        ps = [p for p in proposals if p["task_type"] == tt]
        ss = [s for s in solves if s["task_type"] == tt]
        ls = [s for s in learn if s["task_type"] == tt]
        valid = [p for p in ps if trainable(p)]
        vals = {
            f"{tt}/valid_rate": _mean([1.0 if p["valid"] else 0.0 for p in ps]),
            f"{tt}/proposals": float(len(ps)),
            f"{tt}/valid": float(sum(1 for p in ps if p["valid"])),
            f"{tt}/heldout": float(sum(1 for p in ps if p.get("holdout"))),
            f"{tt}/answers": float(len(ss)),
            f"{tt}/correct": float(sum(1 for s in ss if s["correct"])),
            f"{tt}/learnability": _mean([p["reward"] for p in valid if p.get("reward") is not None]),
            f"{tt}/proposal_solve_rate": _mean([p["solve_rate"] for p in valid if p.get("solve_rate") is not None]),
            f"{tt}/solve_rate": _mean([1.0 if s["correct"] else 0.0 for s in ss]),
            f"{tt}/learn_solve_rate": _mean([1.0 if s["correct"] else 0.0 for s in ls]),
            f"{tt}/propose_format_error_rate": _mean([0.0 if p["format_ok"] else 1.0 for p in ps]),
            f"{tt}/solve_format_error_rate": _mean([0.0 if s["format_ok"] else 1.0 for s in ss]),
        }
        for role, rs in (("propose", [p for p in ps if not p.get("holdout")]), ("solve", ss)):
            rewards = [r["reward"] for r in rs]
            advs = [r["advantage"] for r in rs]
            lens = [float(r["response_tokens"]) for r in rs]
            vals[f"{tt}/{role}/reward_mean"] = _mean(rewards)
            vals[f"{tt}/{role}/reward_std"] = _std(rewards)
            vals[f"{tt}/{role}/advantage_mean"] = _mean(advs)
            vals[f"{tt}/{role}/advantage_std"] = _std(advs)
            vals[f"{tt}/{role}/response_len"] = _mean(lens)
        # Undefined values (no valid proposal this time) are NaN so every metric exists every iteration.
        m.update({k: (float("nan") if v is None else float(v)) for k, v in vals.items()})
    trained = [p for p in proposals if not p.get("holdout")] + list(solves)
    m["train/sequences"] = float(len(trained))
    m["train/nonzero_advantage"] = float(sum(1 for r in trained if r.get("advantage")))
    return m


def _std(xs: Sequence[float]) -> float | None:
    if not xs:
        return None
    mu = sum(xs) / len(xs)
    return (sum((x - mu) ** 2 for x in xs) / len(xs)) ** 0.5
