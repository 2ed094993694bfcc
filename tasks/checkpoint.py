"""Checkpoint: weights, optimizer and RNG state of the policy after this iteration's update."""

from __future__ import annotations

from flows.runtime import checkpoint_iterations, get_runtime, prune_checkpoints
from tasks.common import pipeline_task


@pipeline_task("checkpoint")
def checkpoint(home: str, run_id: str, iteration: int, force: bool = False) -> str | None:
    """Writes one every `run.checkpoint_every` iterations, and always when `force` (the last iteration)."""
    from azr.policy import save_checkpoint

    rt = get_runtime(home, run_id)
    due = force or iteration % rt.cfg.run.checkpoint_every == 0
    if not due:
        return None
    if iteration not in checkpoint_iterations(rt.store):
        folder, extra = rt.store.checkpoint_dir(iteration, create=False), {"run_id": run_id, "iteration": iteration}
        if hasattr(rt.trainer, "save_checkpoint"):  # run.cluster=ray: the ranks save it together
            rt.trainer.save_checkpoint(folder, step=iteration, extra=extra)
        else:
            save_checkpoint(rt.trainer, folder, step=iteration, extra=extra)
        prune_checkpoints(rt.store, rt.cfg.run.keep_checkpoints)
        print(f"checkpoint: iteration {iteration} saved")
    return str(rt.store.checkpoint_dir(iteration, create=False))
