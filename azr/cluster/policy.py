"""`run.cluster: ray`: the run's trainer group, rollout engines and sandbox actors, built by the flow's process
(the single controller) on first use and kept for the whole run.

Weights travel as exported folders under `<run>/rollout-weights/`: version v<iteration> is what the engines
generate with after that iteration's update. Only the current folder is kept (a restarted engine loads it).
"""

from __future__ import annotations

import logging
import math
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

from azr.config import AZRConfig, ConfigError

log = logging.getLogger(__name__)


def check_cluster_settings(cfg: AZRConfig) -> None:
    """What a ray run cannot do, refused before a run folder exists."""
    if cfg.run.cluster != "ray":
        return
    from azr.cluster.ray_env import require_ray

    require_ray()
    if cfg.rollout.engine == "vllm":
        from azr.cluster.vllm_engines import check_settings

        check_settings(cfg)
    if cfg.trainer.zero_stage > 2:
        raise ConfigError("run.cluster=ray exports the weights from trainer rank 0, which ZeRO-3 partitions: set "
                          "trainer.zero_stage to 0, 1 or 2")


def cpus_needed(cfg: AZRConfig) -> int:
    c = cfg.cluster
    return c.trainer_ranks + c.rollout_engines + math.ceil(c.sandbox_actors * c.cpus_per_sandbox)


class ClusterRollout:
    """The rollout side the runtime calls: the engine pool plus the weight hand-over after each update."""

    def __init__(self, pool: Any, root: Path, version: int, dtype: str | None = None):
        self.pool, self.root, self.version, self.dtype = pool, root, version, dtype
        self.sync_log: list[dict] = []

    def __getattr__(self, name: str) -> Any:  # generate, encode, stats, busy, pids, restarts
        return getattr(self.pool, name)

    def ensure(self, group: Any, iteration: int) -> None:
        """The engines hold the weights of `iteration`'s update (exported by rank 0 now if they do not yet)."""
        if self.version == iteration:
            return
        t0 = time.perf_counter()
        folder = weights_folder(self.root, iteration)
        checksum = group.export(folder, self.dtype)
        export_s = time.perf_counter() - t0
        report = self.pool.load(folder, checksum)
        report.update(version=iteration, export_seconds=export_s, seconds=time.perf_counter() - t0)
        self.version = iteration
        self.sync_log.append(report)
        prune_weights(self.root, keep=folder)

    def close(self) -> None:
        self.pool.close()


def weights_folder(root: Path, iteration: int) -> Path:
    return root / f"v{iteration:05d}-{uuid.uuid4().hex[:8]}"  # fresh each export: a half-written one never clashes


def prune_weights(root: Path, keep: Path) -> None:
    for d in root.iterdir() if root.is_dir() else []:
        if d != keep:
            shutil.rmtree(d, ignore_errors=True)


def build_policy(cfg: AZRConfig, run_root: Path, restore: Path | None, iteration: int) -> tuple:
    """(tokenizer, TrainerGroup, ClusterRollout), the group restored from `restore` (any world size)."""
    from azr.cluster.rollouts import EnginePool
    from azr.cluster.trainer_group import TrainerGroup
    from azr.model import load_tokenizer, resolve_model_dir

    tok = load_tokenizer(resolve_model_dir(cfg.model.path, cfg.model.cache_dir))
    group = TrainerGroup(cfg, run_root / "cluster-batches", restore=restore)
    try:
        kind: dict = {}
        dtype = None
        if cfg.rollout.engine == "vllm":
            from azr.cluster.vllm_engines import VLLMWorker, export_dtype

            dtype = export_dtype(cfg, "cuda" if cfg.cluster.gpus_per_engine else "cpu")
            kind = dict(worker=VLLMWorker, verify=group.compare_server)
        root = run_root / "rollout-weights"
        folder = weights_folder(root, iteration)
        checksum = group.export(folder, dtype)
        prune_weights(root, keep=folder)
        pool = EnginePool(cfg, tok, folder, checksum, **kind)
    except BaseException:
        group.close()
        raise
    return tok, group, ClusterRollout(pool, root, iteration, dtype)
