"""A set of identical Ray actors that one step's work is fanned out over, in order, surviving a dead actor.

Each call of `fan_out` sends chunk k to actor k. When an actor dies mid-call (killed, OOM, node lost), it is
replaced by a fresh one (`factory(k)`, then `ready(k)` checks it, e.g. that it holds the current weights) and
only its chunk is sent again, so the step completes with every result exactly once and in input order.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable

log = logging.getLogger(__name__)


class ActorSet:
    def __init__(self, kind: str, n: int, factory: Callable[[int], Any], ready: Callable[[Any], Any] | None = None,
                 check: Callable[[Any], None] | None = None, *, timeout_s: float = 600.0, attempts: int = 3):
        """`ready(actor)` -> an ObjectRef that resolves once the actor is up; `check(its value)` raises when the
        actor is not fit to work (e.g. it holds other weights)."""
        self.kind, self.factory, self.ready, self.check = kind, factory, ready, check
        self.timeout_s, self.attempts = timeout_s, attempts
        self.busy = False  # True while a fan_out is in flight (what the kill tests wait for)
        self.restarts = 0
        self.actors = [factory(k) for k in range(n)]
        self._wait_ready(list(range(n)))

    def __len__(self) -> int:
        return len(self.actors)

    def _wait_ready(self, indices: list[int]) -> None:
        import ray
        from ray.exceptions import GetTimeoutError

        if self.ready is None:
            return
        try:
            values = ray.get([self.ready(self.actors[k]) for k in indices], timeout=self.timeout_s)
        except GetTimeoutError:
            raise RuntimeError(f"{self.kind} actors did not start within {self.timeout_s:.0f} s "
                               f"(cluster.actor_timeout_s); the cluster has {ray.available_resources()} free. "
                               "Lower the actor counts in `cluster` or add nodes") from None
        if self.check is not None:
            for v in values:
                self.check(v)

    def restart(self, k: int) -> None:
        import ray

        try:
            ray.kill(self.actors[k], no_restart=True)
        except Exception:  # noqa: BLE001 - it is dead already
            pass
        self.actors[k] = self.factory(k)
        self._wait_ready([k])
        self.restarts += 1

    def fan_out(self, calls: list[Callable[[Any], Any]], on_done: Callable[[int, Any], None] | None = None) -> list:
        """calls[k](actor k) -> ObjectRef. Returns the results in call order."""
        import ray
        from ray.exceptions import RayActorError

        if len(calls) > len(self.actors):
            raise ValueError(f"{len(calls)} chunks for {len(self.actors)} {self.kind} actors")
        results: list[Any] = [None] * len(calls)
        tries = [0] * len(calls)
        self.busy = True
        try:
            pending = {calls[k](self.actors[k]): k for k in range(len(calls))}
            while pending:
                done, _ = ray.wait(list(pending), num_returns=1)
                k = pending.pop(done[0])
                try:
                    results[k] = ray.get(done[0])
                except RayActorError as exc:
                    tries[k] += 1
                    if tries[k] >= self.attempts:
                        raise RuntimeError(f"{self.kind} actor {k} died {tries[k]} times on the same chunk; "
                                           f"last: {exc}") from exc
                    log.warning("%s actor %d died mid-step (%s); starting a new one and redoing its chunk",
                                self.kind, k, type(exc).__name__)
                    time.sleep(0.5)
                    self.restart(k)
                    pending[calls[k](self.actors[k])] = k
                    continue
                if on_done is not None:
                    on_done(k, results[k])
        finally:
            self.busy = False
        return results

    def call_all(self, method: str, *args: Any) -> list:
        import ray

        return ray.get([getattr(a, method).remote(*args) for a in self.actors], timeout=self.timeout_s)

    def close(self) -> None:
        import ray

        for a in self.actors:
            try:
                ray.kill(a, no_restart=True)
            except Exception:  # noqa: BLE001 - the cluster may be gone already
                pass
        self.actors = []


class ActorFront:
    """What the runtime and the tests read of a set's front object (`EnginePool`, `SandboxFanout`)."""

    actors: ActorSet
    pid_method = "pid"

    @property
    def busy(self) -> bool:
        return self.actors.busy

    @property
    def restarts(self) -> int:
        return self.actors.restarts

    def pids(self) -> list:
        return self.actors.call_all(self.pid_method)
