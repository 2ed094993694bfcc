"""Rollouts spread over several engines, each a Ray actor holding a full model copy.

On CPU (and wherever `rollout.engine: transformers`) an engine is a `TransformersEngine` in its actor. The
weights reach the engines as exported model folders on the run's storage (`rollout-weights/v<iteration>`),
written by trainer rank 0 after each update; every engine loads the new folder and reports a checksum of what it
holds, which must equal the trainer's, or the step fails (`WeightSyncError`) instead of generating with stale
weights. A dead engine is replaced from the current folder and only its share of the prompts is generated again.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Callable

from azr.cluster.actors import ActorFront, ActorSet
from azr.cluster.batches import contiguous

log = logging.getLogger(__name__)


class RolloutWorker:
    """One engine. Plain class; wrapped with `ray.remote` by `EnginePool`."""

    def __init__(self, config: dict, folder: str, index: int = 0):
        import torch

        from azr.config import config_from_dict
        from azr.model import load_model
        from azr.policy import TransformersEngine

        cfg = config_from_dict(config, source="the run's config (rollout engine)")
        m, r = cfg.model, cfg.rollout
        device = "cuda" if torch.cuda.is_available() else "cpu"  # Ray hides the GPUs an actor did not reserve
        model, tok = load_model(folder, dtype=m.dtype, device=device, cache_dir=m.cache_dir)
        self.engine = TransformersEngine(model, tok, batch_size=r.batch_size, max_prompt_tokens=r.max_prompt_tokens,
                                         dtype=None if r.dtype == "model" else r.dtype, static_cache=r.static_cache)
        self.folder = folder

    def report(self) -> list:
        """What the engine holds: the checksum of its weights, compared with the trainer's export."""
        from azr.policy.weight_sync import state_checksum

        return state_checksum(self.engine.model)

    def load(self, folder: str) -> list:
        """Replace the weights in place by those of an exported folder; returns the checksum of what it now holds."""
        import torch

        from azr.policy.checkpoint import _load_weights

        with torch.no_grad():
            _load_weights(self.engine.model, Path(folder))
        self.engine.set_model(self.engine.model)  # drops a stale low-precision rollout copy
        self.folder = folder
        return self.report()

    def generate(self, prompts: list[str], kwargs: dict) -> tuple[list, dict]:
        return self.engine.generate(prompts, **kwargs), dict(self.engine.stats)

    def encoding(self) -> dict:
        e = self.engine
        return {"pad_id": e.pad_id, "max_prompt_tokens": e.max_prompt_tokens, "add_special": e.add_special_tokens}

    def pid(self) -> int:
        return os.getpid()

    def close(self) -> None:
        pass


def same_checksum(got: Any, expected: Any) -> None:
    from azr.policy.weight_sync import WeightSyncError

    if list(got) != list(expected):
        raise WeightSyncError(f"a rollout engine holds weights {got}, not the trainer's {expected}")


class EnginePool(ActorFront):
    """The rollout engine interface (`generate`, `encode`, `stats`) over `cluster.rollout_engines` actors.

    `worker` is the actor class (`RolloutWorker`, or `VLLMWorker` holding a vLLM server); `verify(report,
    expected)` raises `WeightSyncError` unless an engine's report (after its start and after every load) shows the
    trainer's weights, `expected` being what the trainer's export returned."""

    def __init__(self, cfg: Any, tokenizer: Any, folder: Path, expected: Any, *, worker: type = RolloutWorker,
                 verify: Callable[[Any, Any], None] = same_checksum):
        import ray

        c = cfg.cluster
        self.tokenizer, self.folder, self.expected, self.verify = tokenizer, Path(folder), expected, verify
        self.stats: dict = {}
        cfg_dict = cfg.model_dump(mode="json")
        actor = ray.remote(worker).options(num_cpus=1, num_gpus=c.gpus_per_engine or 0, max_restarts=0,
                                           scheduling_strategy="SPREAD")
        self.actors = ActorSet("rollout engine", c.rollout_engines,
                               lambda k: actor.remote(cfg_dict, str(self.folder), k),
                               lambda a: a.report.remote(), lambda got: self.verify(got, self.expected),
                               timeout_s=c.actor_timeout_s)
        self._encoding = ray.get(self.actors.actors[0].encoding.remote())
        log.info("rollout engines: %d %s up", len(self.actors), worker.__name__)

    def encode(self, prompts: list[str]) -> list[list[int]]:
        from azr.policy.engine import encode_prompts

        e = self._encoding
        return encode_prompts(self.tokenizer, prompts, e["max_prompt_tokens"], e["pad_id"], e["add_special"])

    def generate(self, prompts: list[str], n: int = 1, temperature: float = 1.0, top_p: float = 1.0,
                 max_new_tokens: int = 256, seed: int | None = None, progress: bool = False) -> list[list[Any]]:
        """Contiguous shares of the prompts to the engines (engine k samples with seed + k), results in order."""
        import time

        from azr.progress import Progress

        prompts = list(prompts)
        chunks = contiguous(len(prompts), len(self.actors))
        bar = Progress("generate", len(prompts) * n, "sequences", rate_unit="tok") if progress and prompts else None
        t0 = time.perf_counter()

        def call(k: int):
            kw = dict(n=n, temperature=temperature, top_p=top_p, max_new_tokens=max_new_tokens,
                      seed=None if seed is None else seed + k)
            sub = [prompts[i] for i in chunks[k]]
            return lambda actor: actor.generate.remote(sub, kw)

        def done(k: int, result: tuple) -> None:
            if bar is not None:
                bar.update(len(chunks[k]) * n, amount=result[1].get("tokens", 0))

        try:
            parts = self.actors.fan_out([call(k) for k in range(len(chunks))], done)
        finally:
            if bar is not None:
                bar.close()
        out: list[list[Any]] = []
        for completions, _ in parts:
            out.extend(completions)
        seconds = time.perf_counter() - t0
        tokens = sum(s.get("tokens", 0) for _, s in parts)
        self.stats = dict(tokens=tokens, seconds=seconds, tokens_per_s=tokens / seconds if seconds else 0.0,
                          sequences=sum(s.get("sequences", 0) for _, s in parts),
                          batches=sum(s.get("batches", 0) for _, s in parts),
                          decoded_slots=sum(s.get("decoded_slots", 0) for _, s in parts),
                          engines=len(chunks), engine_restarts=self.actors.restarts,
                          engine=parts[0][1].get("engine", "transformers") if parts else "transformers")
        return out

    def load(self, folder: Path, expected: Any) -> dict:
        """Every engine loads `folder`; each must then hold the trainer's weights (`verify`)."""
        import time

        t0 = time.perf_counter()
        got = self.actors.call_all("load", str(folder))
        checks = [self.verify(g, expected) for g in got]
        self.folder, self.expected = Path(folder), expected
        report = {"method": "disk", "engines": len(got), "seconds": time.perf_counter() - t0, "verified": True}
        if any(checks):  # vLLM engines: the trainer's comparison with each server
            report["servers"] = checks
        return report

    def close(self) -> None:
        try:
            self.actors.call_all("close")  # vLLM engines stop their servers
        except Exception:  # noqa: BLE001 - an engine that is gone took its server with it
            pass
        self.actors.close()
