"""One training iteration as a Prefect flow: propose → validate → learnability → solve → score → update →
checkpoint → (evaluate, when due) → commit. Each task skips itself when its output already exists, so a re-run resumes."""

from __future__ import annotations

from datetime import datetime, timezone

from tasks.checkpoint import checkpoint
from tasks.commit import commit
from tasks.common import pipeline_flow
from tasks.evaluate import evaluate
from tasks.learnability import learnability
from tasks.propose import propose
from tasks.score import score
from tasks.solve import solve
from tasks.update import update
from tasks.validate import validate


@pipeline_flow(name="azr-iteration", flow_run_name="{run_id}-it{iteration}", log_prints=True)
def iteration(home: str, run_id: str, iteration: int, last: bool = False) -> int:
    started = datetime.now(timezone.utc).isoformat()
    propose(home, run_id, iteration)
    validate(home, run_id, iteration)
    learnability(home, run_id, iteration)
    solve(home, run_id, iteration)
    score(home, run_id, iteration)
    update(home, run_id, iteration)
    ck = checkpoint(home, run_id, iteration, force=last)
    evaluate(home, run_id, iteration)
    commit(home, run_id, iteration, started, ck)
    return iteration
