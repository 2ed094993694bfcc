"""The long-lived objects of a training process: run store, model, trainer, rollout engine, sandbox.

They are built once per process and run, kept here, and handed to Prefect tasks by run id, so only small
references travel through Prefect. On first use after a (re)start the model comes from the run's newest
checkpoint, or from the base model when there is none.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from azr.config import AZRConfig, config_from_dict

log = logging.getLogger(__name__)

_LOCK = threading.RLock()
_RUNTIMES: dict[str, "Runtime"] = {}
SYNC_ATTEMPTS = 3


def checkpoint_iterations(store: Any) -> list[int]:
    """Iterations with a complete checkpoint (written atomically by the policy; its state file marks it)."""
    from azr.policy.checkpoint import STATE_FILE

    root = store.root / "checkpoints"
    if not root.is_dir():
        return []
    found = []
    for d in root.iterdir():
        if d.is_dir() and d.name.isdigit() and (d / STATE_FILE).is_file():
            found.append(int(d.name))
    return sorted(found)


@dataclass
class Runtime:
    cfg: AZRConfig
    store: Any
    model_iteration: int = 0  # the last iteration whose update the in-memory weights contain
    _policy: tuple | None = field(default=None, repr=False)
    _sandbox: Any = field(default=None, repr=False)
    _started_ray: bool = field(default=False, repr=False)

    @property
    def on_ray(self) -> bool:
        return self.cfg.run.cluster == "ray"

    def _connect(self) -> None:
        from azr.cluster.policy import cpus_needed
        from azr.cluster.ray_env import connect

        self._started_ray = connect(self.cfg.cluster, cpus_needed(self.cfg)) or self._started_ray

    # -- model side ------------------------------------------------------------------------------------
    def _load_policy(self) -> tuple:
        from azr.model import load_model
        from azr.policy import Trainer, TransformersEngine, load_checkpoint

        if self.on_ray:
            return self._ray_policy()
        m = self.cfg.model
        model, tok = load_model(m.path, dtype=m.dtype, device=m.device, cache_dir=m.cache_dir)
        trainer = Trainer(model, tok, self.cfg.trainer)
        ckpts = checkpoint_iterations(self.store)
        if ckpts:
            load_checkpoint(self.store.checkpoint_dir(ckpts[-1]), trainer)
            self.model_iteration = ckpts[-1]
            log.info("restored checkpoint of iteration %d", ckpts[-1])
        else:
            self.model_iteration = 0
        if self.cfg.rollout.engine == "vllm":
            engine = self._vllm_rollout(tok, model)
        else:
            r = self.cfg.rollout
            engine = TransformersEngine(trainer.model, tok, batch_size=r.batch_size,
                                        max_prompt_tokens=r.max_prompt_tokens,
                                        dtype=None if r.dtype == "model" else r.dtype,
                                        static_cache=r.static_cache)
        return tok, trainer, engine

    def _ray_policy(self) -> tuple:
        """(tokenizer, trainer group, engine pool): the group restored from the newest checkpoint, whatever number
        of ranks wrote it."""
        from azr.cluster.policy import build_policy

        self._connect()
        ckpts = checkpoint_iterations(self.store)
        self.model_iteration = ckpts[-1] if ckpts else 0
        restore = self.store.checkpoint_dir(ckpts[-1]) if ckpts else None
        policy = build_policy(self.cfg, self.store.root, restore, self.model_iteration)
        if ckpts:
            log.info("restored checkpoint of iteration %d on %d trainer rank(s)", ckpts[-1], policy[1].world)
        return policy

    def _vllm_rollout(self, tok: Any, model: Any) -> Any:
        from azr.model import resolve_model_dir
        from azr.policy.vllm_rollout import build_vllm_rollout

        m = self.cfg.model
        return build_vllm_rollout(self.cfg, tok, model, resolve_model_dir(m.path, m.cache_dir), self.store.root)

    @property
    def policy(self) -> tuple:
        with _LOCK:
            if self._policy is None:
                self._policy = self._load_policy()
            return self._policy

    @property
    def tokenizer(self) -> Any:
        return self.policy[0]

    @property
    def trainer(self) -> Any:
        return self.policy[1]

    @property
    def engine(self) -> Any:
        """The rollout engine, ready to generate with the weights in memory (engine=vllm: the server is
        (re)started and synced first, verified)."""
        engine = self.policy[2]
        if hasattr(engine, "ensure"):
            self._ensure(engine)
        return engine

    def _ensure(self, engine: Any) -> None:
        engine.ensure(self.trainer if self.on_ray else self.trainer.model, self.model_iteration)

    def encode(self, prompts: list[str]) -> list[list[int]]:
        """Prompt ids exactly as the engine fed them to the model (no server round trip)."""
        return self.policy[2].encode(prompts)

    def sync_rollout(self) -> dict | None:
        """engine=vllm, or run.cluster=ray: hand the trained weights to the server (engines) now, verified (a no-op
        when they hold them already)."""
        engine = self.policy[2]
        if not hasattr(engine, "ensure"):
            return None
        from azr.policy.vllm_server import VLLMUnavailable
        from azr.policy.weight_sync import WeightSyncError

        before = len(engine.sync_log)
        for attempt in range(1, SYNC_ATTEMPTS + 1):  # the update task itself is never retried (see tasks/update)
            try:
                self._ensure(engine)
                break
            except (VLLMUnavailable, WeightSyncError) as exc:
                if attempt == SYNC_ATTEMPTS:
                    raise
                log.warning("weight sync attempt %d failed (%s); trying again", attempt, exc)
                time.sleep(2.0)
        return engine.sync_log[-1] if len(engine.sync_log) > before else None

    # -- sandbox ---------------------------------------------------------------------------------------
    @property
    def sandbox(self) -> Any:
        with _LOCK:
            if self._sandbox is None:
                if self.on_ray:
                    from azr.cluster.sandboxes import SandboxFanout

                    self._connect()
                    self._sandbox = SandboxFanout(self.cfg)
                else:
                    from sandbox import Sandbox

                    self._sandbox = Sandbox(self.cfg.sandbox)
            return self._sandbox

    def sampler(self) -> Any:
        return self.store.sampler(self.cfg.run.seed, config=self.cfg.selfplay)

    def close(self) -> None:
        if self._sandbox is not None:
            self._sandbox.close()
            self._sandbox = None
        if self._policy is not None:
            for part in (self._policy[2], self._policy[1]):  # the vLLM server or engine actors, the trainer group
                if hasattr(part, "close"):
                    part.close()
        self._policy = None
        if self._started_ray:
            from azr.cluster.ray_env import shutdown

            shutdown()
            self._started_ray = False


def preflight(config: AZRConfig) -> None:
    """Settings that cannot work fail here, before a run folder exists."""
    from azr.cluster.policy import check_cluster_settings
    from azr.model import pick_device
    from azr.policy.vllm_rollout import check_vllm_settings

    check_cluster_settings(config)
    check_vllm_settings(config, pick_device(config.model.device))


def get_runtime(home: str | Path, run_id: str) -> Runtime:
    from storage import RunStore

    with _LOCK:
        rt = _RUNTIMES.get(run_id)
        if rt is None:
            store = RunStore.open(Path(home), run_id)
            cfg = config_from_dict(store.meta["config"], source=f"config of run {run_id}")
            rt = _RUNTIMES[run_id] = Runtime(cfg=cfg, store=store)
        return rt


def release(run_id: str) -> None:
    with _LOCK:
        rt = _RUNTIMES.pop(run_id, None)
    if rt is not None:
        rt.close()


def prune_checkpoints(store: Any, keep: int) -> None:
    for n in checkpoint_iterations(store)[:-keep]:
        shutil.rmtree(store.checkpoint_dir(n, create=False), ignore_errors=True)
