"""The model- and sandbox-facing halves of each step, with their collaborators passed in explicitly.

Prefect tasks (tasks/) load inputs, call these, and write outputs; tests call these with a scripted engine.
"""

from __future__ import annotations

import random
from typing import Any, Callable, Sequence

from azr.config import AZRConfig
from azr.prompts import propose_prompt, solve_prompt
from azr.selfplay import Record, apply_check, apply_validation, check_job, proposal_record, solve_record, \
    validation_job
from azr.task_types import Task, TaskType


def step_seed(run_seed: int, iteration: int, step: str) -> int:
    """A distinct, reproducible generation seed per (run, iteration, step)."""
    return (run_seed * 1_000_003 + iteration * 7_919 + sum(map(ord, step)) * 31) % (2**31 - 1)


def render(prompt: Any, cfg: AZRConfig, tokenizer: Any) -> str:
    return prompt.render(cfg.rollout.prompt_style, tokenizer)


def proposal_prompts(cfg: AZRConfig, tokenizer: Any, task_type: TaskType, count: int,
                     references: Callable[[], list[Task]], programs: Sequence[Task]) -> list[tuple[str, Task | None]]:
    """`count` proposer prompts of one type: K fresh references each (deduction/abduction), or one buffer
    program each (induction)."""
    sp = cfg.selfplay
    out: list[tuple[str, Task | None]] = []
    for i in range(count):
        if task_type is TaskType.INDUCTION:
            if not programs:
                break
            parent = programs[i % len(programs)]
            p = propose_prompt(task_type, [], cfg.sandbox.banned_modules, program=parent, n_inputs=sp.induction_inputs)
            out.append((render(p, cfg, tokenizer), parent))
        else:
            p = propose_prompt(task_type, references(), cfg.sandbox.banned_modules)
            out.append((render(p, cfg, tokenizer), None))
    return out


def generate(engine: Any, cfg: AZRConfig, prompts: list[str], n: int, seed: int,
             temperature: float | None = None, max_new_tokens: int | None = None) -> list[list[Any]]:
    if not prompts:
        return []
    return engine.generate(
        prompts, n=n,
        temperature=cfg.rollout.temperature if temperature is None else temperature,
        top_p=cfg.rollout.top_p,
        max_new_tokens=cfg.rollout.max_new_tokens if max_new_tokens is None else max_new_tokens,
        seed=seed, progress=True,
    )


def propose(engine: Any, cfg: AZRConfig, items: list[tuple[TaskType, str, Task | None]], seed: int,
            id_prefix: str) -> list[Record]:
    """Generate one proposal per (type, prompt, parent) and parse it."""
    outs = generate(engine, cfg, [prompt for _, prompt, _ in items], 1, seed)
    return [
        proposal_record(f"{id_prefix}-{k}", tt, prompt, comps[0], parent, cfg.selfplay.induction_inputs)
        for k, ((tt, prompt, parent), comps) in enumerate(zip(items, outs))
    ]


def make_jobs(sandbox_mod: Any, specs: list[dict | None]) -> tuple[list[int], list[Any]]:
    idx = [i for i, s in enumerate(specs) if s is not None]
    return idx, [sandbox_mod.Job(**specs[i]) for i in idx]


def validate(sandbox: Any, records: list[Record], task_id_prefix: str) -> list[Record]:
    """Run each well-formatted proposal in the sandbox; valid ones get a task id and their gold output."""
    import sandbox as sandbox_mod

    idx, jobs = make_jobs(sandbox_mod, [validation_job(r) for r in records])
    results = sandbox.run(jobs, progress=True) if jobs else []
    by_pos = dict(zip(idx, results))
    return [apply_validation(r, by_pos.get(i), f"{task_id_prefix}-{r['proposal_id'].rsplit('-', 1)[-1]}")
            for i, r in enumerate(records)]


def solve(engine: Any, cfg: AZRConfig, tokenizer: Any, tasks: list[Task], n: int, seed: int, purpose: str,
          id_prefix: str, temperature: float | None = None) -> list[Record]:
    """n solver attempts per task (at the rollout temperature unless given)."""
    prompts = [render(solve_prompt(t, cfg.selfplay.induction_shown), cfg, tokenizer) for t in tasks]
    outs = generate(engine, cfg, prompts, n, seed, temperature=temperature)
    recs = []
    for k, (task, prompt, comps) in enumerate(zip(tasks, prompts, outs)):
        for j, c in enumerate(comps):
            recs.append(solve_record(f"{id_prefix}-{k}-{j}", task, prompt, c, purpose))
    return recs


def check(sandbox: Any, records: list[Record], tasks_by_id: dict[str, Task], shown: int) -> list[Record]:
    """Score answers by execution in the sandbox (deduction answers are compared as literals there)."""
    import sandbox as sandbox_mod

    idx, jobs = make_jobs(sandbox_mod, [check_job(r, tasks_by_id[r["task_id"]], shown) for r in records])
    results = sandbox.run(jobs, progress=True) if jobs else []
    by_pos = dict(zip(idx, results))
    return [apply_check(r, by_pos.get(i)) for i, r in enumerate(records)]


def pick(rng: random.Random, pool: Sequence[Task], k: int) -> list[Task]:
    return rng.sample(list(pool), min(k, len(pool))) if pool else []
