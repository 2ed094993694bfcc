"""Sandbox fan-out: one step's validate, learnability and score jobs spread over sandbox actors, one per node
where the cluster has the nodes (Ray's SPREAD strategy), each holding its own `Sandbox` pool.

Jobs go out in contiguous, order-preserving chunks and come back in input order, so the results are those of one
local pool on the same jobs (every job runs in a fresh process either way). The kernel boundary is the `Sandbox`'s
own, inside each actor. A dead actor is replaced and only its chunk is run again.
"""

from __future__ import annotations

import os
from typing import Any

from azr.cluster.actors import ActorFront, ActorSet
from azr.cluster.batches import contiguous


class SandboxWorker:
    """One node's sandbox pool. Plain class; wrapped with `ray.remote` by `SandboxFanout`."""

    def __init__(self, config: dict):
        from azr.config import config_from_dict
        from sandbox import Sandbox

        self.sandbox = Sandbox(config_from_dict(config, source="the run's config (sandbox actor)").sandbox)

    def run(self, jobs: list) -> list:
        return self.sandbox.run(jobs)

    def pids(self) -> dict:
        return {"actor": os.getpid(), "workers": self.sandbox.worker_pids, "node": _node()}

    def close(self) -> None:
        self.sandbox.close()


def _node() -> str:
    import ray

    return ray.get_runtime_context().get_node_id()


class SandboxFanout(ActorFront):
    """The `Sandbox.run` interface over `cluster.sandbox_actors` actors."""

    pid_method = "pids"

    def __init__(self, cfg: Any):
        import ray

        c = cfg.cluster
        cfg_dict = cfg.model_dump(mode="json")
        actor = ray.remote(SandboxWorker).options(num_cpus=c.cpus_per_sandbox, max_restarts=0,
                                                  scheduling_strategy="SPREAD")
        self.actors = ActorSet("sandbox", c.sandbox_actors, lambda k: actor.remote(cfg_dict),
                               lambda a: a.pids.remote(), timeout_s=c.actor_timeout_s)

    def run(self, jobs: list, progress: bool = False) -> list:
        from azr.progress import Progress

        jobs = list(jobs)
        chunks = contiguous(len(jobs), len(self.actors))
        bar = Progress("sandbox", len(jobs), "jobs") if progress and jobs else None

        def call(k: int):
            sub = [jobs[i] for i in chunks[k]]
            return lambda actor: actor.run.remote(sub)

        def done(k: int, _: Any) -> None:
            if bar is not None:
                bar.update(len(chunks[k]))

        try:
            parts = self.actors.fan_out([call(k) for k in range(len(chunks))], done)
        finally:
            if bar is not None:
                bar.close()
        return [r for part in parts for r in part]

    def close(self) -> None:
        try:
            self.actors.call_all("close")
        except Exception:  # noqa: BLE001 - an actor that is gone took its pool with it
            pass
        self.actors.close()
