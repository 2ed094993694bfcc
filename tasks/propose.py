"""Propose: the model writes B new tasks per type, conditioned on K references from the committed buffers."""

from __future__ import annotations

from azr import steps
from azr.task_types import TaskType
from tasks.common import pipeline_task, run_once, timed


@timed
def run_propose(rt, iteration: int) -> dict:
    cfg = rt.cfg
    sp = cfg.selfplay
    sampler = rt.sampler()
    items = []
    for name in sp.task_types:
        tt = TaskType(name)
        programs = sampler.induction_programs(sp.batch_size, iteration) if tt is TaskType.INDUCTION else []
        refs = lambda tt=tt: sampler.references(tt, sp.references, iteration, mode=sp.reference_sampling)  # noqa: E731
        for prompt, parent in steps.proposal_prompts(cfg, rt.tokenizer, tt, sp.batch_size, refs, programs):
            items.append((tt, prompt, parent))
    records = steps.propose(rt.engine, cfg, items, steps.step_seed(cfg.run.seed, iteration, "propose"),
                            id_prefix=f"it{iteration}-p")
    return {"records": records, "engine": dict(rt.engine.stats)}


@pipeline_task("propose")
def propose(home: str, run_id: str, iteration: int) -> str:
    return run_once(home, run_id, iteration, "propose", lambda rt: run_propose(rt, iteration),
                    lambda rt, out: f"{len(out['records'])} proposals, "
                                    f"{sum(r['format_ok'] for r in out['records'])} well formatted")
