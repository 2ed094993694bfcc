"""The trainer as a long-lived group of DeepSpeed data-parallel ranks, one Ray actor each, in one placement group.

Created once per run (and again after a restart), fed one batch file per update, saving and restoring checkpoints
together, exporting the new weights for the rollout engines. The loss of each rank is normalised by the whole
batch's response tokens and scaled by the world size (DeepSpeed averages gradients over ranks), so W ranks make the
same update as one rank holding the whole batch.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

PORTABLE_OPTIMIZER = "optimizer-full.pt"
CHECKPOINT_FORMAT = "portable-v1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("", 0))
        return int(s.getsockname()[1])


def _dummy_sample() -> Any:
    """What a rank with no samples backpropagates (scaled by 0), so it still joins the gradient all-reduce."""
    from azr.policy.trainer import TrainSample

    return TrainSample(prompt_ids=[0], response_ids=[0], advantage=0.0)


class TrainerRank:
    """One DeepSpeed rank. Plain class; wrapped with `ray.remote` by `TrainerGroup`."""

    def __init__(self, rank: int, world: int, config: dict):
        from azr.config import config_from_dict

        self.rank, self.world = rank, world
        self.cfg = config_from_dict(config, source="the run's config (trainer rank)")
        self.trainer: Any = None

    def address(self) -> tuple[str, int]:
        import ray

        return ray.util.get_node_ip_address(), _free_port()

    def pid(self) -> int:
        return os.getpid()

    def setup(self, master: tuple[str, int], restore: str | None) -> dict:
        import torch

        from azr.model import load_model
        from azr.policy.checkpoint import _load_weights, set_rng_state
        from azr.policy.trainer import Trainer

        gpu = torch.cuda.is_available()
        os.environ.update(RANK=str(self.rank), WORLD_SIZE=str(self.world), LOCAL_RANK="0",
                          MASTER_ADDR=master[0], MASTER_PORT=str(master[1]))
        import deepspeed
        import deepspeed.comm.torch as ds_torch

        if not gpu and hasattr(ds_torch, "build_shm_op"):
            # The shared-memory all-reduce is a C++ build of about a minute on first use; gloo does the job.
            ds_torch.build_shm_op = lambda: None
        deepspeed.init_distributed(dist_backend="nccl" if gpu else "gloo", verbose=False)
        m = self.cfg.model
        model, tok = load_model(m.path, dtype=m.dtype, device="cuda" if gpu else "cpu", cache_dir=m.cache_dir)
        state: dict = {}
        if restore:
            folder = Path(restore)
            state = json.loads((folder / "state.json").read_text())
            with torch.no_grad():
                _load_weights(model, folder / "model")  # before DeepSpeed copies them into its master weights
        self.trainer = Trainer(model, tok, self.cfg.trainer.model_copy(update={"backend": "deepspeed"}))
        if restore:
            from azr.cluster.portable_state import restore as restore_optimizer

            saved = torch.load(Path(restore) / PORTABLE_OPTIMIZER, map_location="cpu", weights_only=True)
            restore_optimizer(self.trainer.engine, saved)
            self.trainer.step_count = int(state.get("trainer_steps", state.get("step", 0)))
            plain = json.loads((Path(restore) / "rng.json").read_text())
            set_rng_state(plain, torch.load(Path(restore) / "rng.pt", map_location="cpu", weights_only=True))
        return {"rank": self.rank, "pid": os.getpid(), "steps": self.trainer.step_count}

    def step(self, batch_file: str, norm_tokens: int) -> dict:
        from azr.cluster.batches import read_batch, token_shards

        samples = read_batch(Path(batch_file))
        mine = [samples[i] for i in token_shards([len(s.prompt_ids) + len(s.response_ids) for s in samples],
                                                 self.world)[self.rank]]
        if mine:
            m = self.trainer.step(mine, norm_tokens=norm_tokens, scale=float(self.world))
        else:
            m = self.trainer.step([_dummy_sample()], norm_tokens=1, scale=0.0)
            m.update(loss=0.0, pg_loss=0.0, entropy=0.0, tokens=0, total_tokens=0, micro_batches=0)
        return m

    def export(self, folder: str, dtype: str | None = None) -> list | None:
        """Rank 0 writes the weights as a loadable model folder (in `dtype`, default the trainer's) and returns
        their checksum."""
        if self.rank != 0:
            return None
        from azr.policy.logprobs import unwrap
        from azr.policy.weight_sync import export_weights, state_checksum

        base = unwrap(self.trainer.model)
        export_weights(base, self.trainer.tokenizer, Path(folder),
                       dtype or str(next(base.parameters()).dtype).removeprefix("torch."))
        return state_checksum(base)

    def compare_server(self, report: dict) -> dict:
        """Rank 0: a vLLM server's report against the weights this rank holds (raises WeightSyncError)."""
        from azr.cluster.vllm_engines import compare_with_trainer
        from azr.policy.logprobs import unwrap

        return compare_with_trainer(unwrap(self.trainer.model), self.trainer.tokenizer, report)

    def save(self, folder: str) -> None:
        """All ranks gather the optimizer state; rank 0 writes weights, that state and its RNG into `folder`."""
        import torch

        from azr.cluster.portable_state import gather
        from azr.policy.checkpoint import rng_state
        from azr.policy.logprobs import unwrap

        saved = gather(self.trainer.engine)
        if self.rank != 0:
            return
        out = Path(folder)
        base = unwrap(self.trainer.model)
        base.save_pretrained(out / "model", safe_serialization=True)
        self.trainer.tokenizer.save_pretrained(out / "model")
        torch.save(saved, out / PORTABLE_OPTIMIZER)
        plain, tensors = rng_state()
        torch.save(tensors, out / "rng.pt")
        (out / "rng.json").write_text(json.dumps(plain))

    def weights_checksum(self) -> list:
        from azr.policy.logprobs import unwrap
        from azr.policy.weight_sync import state_checksum

        return state_checksum(unwrap(self.trainer.model))


class TrainerGroup:
    """Driver side: the ranks, their placement group, and the trainer interface the update task calls."""

    backend = "deepspeed"

    def __init__(self, cfg: Any, work_dir: Path, restore: Path | None = None):
        import ray
        from ray.util.placement_group import placement_group
        from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

        c = cfg.cluster
        self.cfg, self.world, self.work_dir = cfg, c.trainer_ranks, Path(work_dir)
        self.step_count = 0
        bundle = {"CPU": 1, **({"GPU": c.gpus_per_rank} if c.gpus_per_rank else {})}
        self.pg = placement_group([dict(bundle) for _ in range(self.world)], strategy="PACK")
        if not self.pg.wait(timeout_seconds=c.actor_timeout_s):
            ray.util.remove_placement_group(self.pg)
            raise RuntimeError(f"the Ray cluster cannot place {self.world} trainer ranks of {bundle} within "
                               f"{c.actor_timeout_s:.0f} s (cluster.actor_timeout_s); it has "
                               f"{ray.available_resources()}. Lower cluster.trainer_ranks or add nodes")
        actor = ray.remote(TrainerRank)
        cfg_dict = cfg.model_dump(mode="json")
        self.ranks = [actor.options(num_cpus=1, num_gpus=c.gpus_per_rank or 0, max_restarts=0,
                                    scheduling_strategy=PlacementGroupSchedulingStrategy(
                                        self.pg, placement_group_bundle_index=r)).remote(r, self.world, cfg_dict)
                      for r in range(self.world)]
        master = ray.get(self.ranks[0].address.remote(), timeout=c.actor_timeout_s)
        info = ray.get([r.setup.remote(master, str(restore) if restore else None) for r in self.ranks],
                       timeout=c.actor_timeout_s)
        self.step_count = info[0]["steps"]
        self.pids = [i["pid"] for i in info]
        log.info("trainer group: %d DeepSpeed rank(s) up (pids %s)", self.world, self.pids)

    def step(self, samples: list, progress: bool = False) -> dict:
        import ray

        from azr.cluster.batches import write_batch
        from azr.progress import Progress

        norm = sum(len(s.response_ids) for s in samples)
        if not norm:
            return dict(loss=0.0, pg_loss=0.0, entropy=0.0, tokens=0, grad_norm=0.0, tokens_per_s=0.0,
                        seconds=0.0, skipped=True, micro_batches=0,
                        total_tokens=sum(len(s.prompt_ids) for s in samples))
        t0 = time.perf_counter()
        path = write_batch(self.work_dir / f"batch-{self.step_count + 1:06d}.parquet", samples)
        bar = Progress("update", self.world, "ranks", rate_unit="tok") if progress else None
        pending = {r.step.remote(str(path), norm): k for k, r in enumerate(self.ranks)}
        parts: list[dict] = [{}] * self.world
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            k = pending.pop(done[0])
            parts[k] = ray.get(done[0])
            if bar is not None:
                bar.update(1, amount=parts[k]["total_tokens"])
        if bar is not None:
            bar.close()
        path.unlink(missing_ok=True)
        self.step_count += 1
        seconds = time.perf_counter() - t0
        total = sum(p["total_tokens"] for p in parts)
        pg, ent = sum(p["pg_loss"] for p in parts), sum(p["entropy"] for p in parts)
        coef = float(self.cfg.trainer.entropy_coef)
        return dict(loss=pg - coef * ent, pg_loss=pg, entropy=ent, tokens=sum(p["tokens"] for p in parts),
                    total_tokens=total, micro_batches=sum(p["micro_batches"] for p in parts),
                    grad_norm=parts[0]["grad_norm"], seconds=seconds, tokens_per_s=total / seconds,
                    skipped=False)

    def export(self, folder: Path, dtype: str | None = None) -> list:
        import ray

        return ray.get([r.export.remote(str(folder), dtype) for r in self.ranks])[0]

    def compare_server(self, report: dict, expected: object = None) -> dict:
        """`EnginePool` verify for vLLM engines: rank 0 compares the server's report with its own weights."""
        import ray

        return ray.get(self.ranks[0].compare_server.remote(report))

    def save_checkpoint(self, folder: Path, step: int, extra: dict | None = None) -> Path:
        import ray

        from azr.policy.checkpoint import write_atomically

        def fill(tmp: Path) -> dict:
            ray.get([r.save.remote(str(tmp)) for r in self.ranks])
            return {"step": int(step), "extra": extra or {}, "backend": "deepspeed", "format": CHECKPOINT_FORMAT,
                    "world_size": self.world, "trainer_steps": self.step_count}

        return write_atomically(Path(folder), fill)

    def weights_checksums(self) -> list:
        import ray

        return ray.get([r.weights_checksum.remote() for r in self.ranks])

    def close(self) -> None:
        import ray

        for r in self.ranks:
            ray.kill(r, no_restart=True)
        try:
            ray.util.remove_placement_group(self.pg)
        except Exception:  # noqa: BLE001 - the cluster may be gone already
            pass
