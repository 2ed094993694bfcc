"""Update: one TRR++ REINFORCE step on the proposer and solver sequences of this iteration.

The learnability rollouts and held-out proposals are not trained on. The step is skipped only when the weights in memory already
contain it (after a checkpoint of this iteration was restored), so a crash between update and checkpoint
re-applies the update to the restored weights instead of losing it.
"""

from __future__ import annotations

from flows.runtime import get_runtime
from tasks.common import pipeline_task, save_step, step_output, timed


def train_samples(encode, records: list[dict]) -> list:
    """Prompt ids re-encoded exactly as the engine encoded them for generation (same left cut)."""
    from azr.policy import TrainSample

    records = [r for r in records if r["response_ids"]]
    prompt_ids = encode([r["prompt"] for r in records]) if records else []
    return [TrainSample(prompt_ids=p, response_ids=r["response_ids"], advantage=float(r["advantage"]))
            for p, r in zip(prompt_ids, records)]


@timed
def run_update(rt, iteration: int) -> dict:
    scored = step_output(rt.store, iteration, "score")
    records = [p for p in scored["proposals"] if not p.get("holdout")] + scored["solves"]
    samples = train_samples(rt.encode, records)
    metrics = rt.trainer.step(samples, progress=True) if samples else {}
    rt.model_iteration = iteration
    return {"metrics": {k: float(v) for k, v in metrics.items() if isinstance(v, (int, float))},
            "sequences": len(samples)}


@pipeline_task("update", retries=0)
def update(home: str, run_id: str, iteration: int) -> str:
    rt = get_runtime(home, run_id)
    rt.policy  # load weights (from the newest checkpoint after a restart) before deciding
    out = step_output(rt.store, iteration, "update")
    if rt.model_iteration < iteration or out is None:
        out = run_update(rt, iteration)
        save_step(rt.store, iteration, "update", out)
        m = out["metrics"]
        print(f"update: {out['sequences']} sequences, loss {m.get('loss', float('nan')):.4f}, "
              f"grad norm {m.get('grad_norm', float('nan')):.3f}")
    # engine=vllm: the server gets the new weights now, verified; a failed sync fails this step (after the update
    # was saved, so its retry only syncs again) instead of letting the next one generate with stale weights.
    report = rt.sync_rollout()
    if report is not None:
        out["weight_sync"] = report
        save_step(rt.store, iteration, "update", out)
    return "update"
