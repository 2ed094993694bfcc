"""The policy update: REINFORCE with per-sequence TRR++ advantages, one optimizer step per call.

Objective of one call to `Trainer.step(samples)`, with A_i the advantage of sample i, R the set of response tokens
of all samples (prompt and padding are masked out) and N = |R|:

    loss = − (1/N) Σ_{(i,t) ∈ R} A_i · log π(y_{i,t} | y_{i,<t})  −  entropy_coef · (1/N) Σ_{(i,t) ∈ R} H_{i,t}

`LOSS_NORMALISATION = "batch_tokens"`: every response token of the batch weighs the same (the mean over all
response tokens of the batch, not a mean of per-sequence means), so a long response counts more than a short one,
as in the reference implementation. N is the count over the whole batch, not over a micro-batch, so gradient
accumulation over micro-batches gives exactly the full-batch gradient.

Then: clip the gradient's global norm to `grad_clip`, one AdamW step at constant learning rate. With
`backend="deepspeed"` the same loss runs through a DeepSpeed ZeRO engine (stage `zero_stage`).

Only torch (and deepspeed for that backend) is needed: `cfg` is any object with TrainerConfig's attribute names.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch

from azr.policy.logprobs import chunked_token_logprobs, naive_token_logprobs, unwrap
from azr.progress import Progress

if TYPE_CHECKING:  # pragma: no cover
    from azr.config import TrainerConfig

log = logging.getLogger(__name__)

LOSS_NORMALISATION = "batch_tokens"
"""Token-level mean over all response tokens of the batch (see the module docstring)."""

_DEFAULTS = dict(
    backend="torch", zero_stage=2, lr=1e-6, weight_decay=0.0, grad_clip=1.0, entropy_coef=0.001, dtype="auto",
    micro_batch_tokens=4096, logprob_chunk_tokens=1024, gradient_checkpointing=False,
)


@dataclass
class TrainSample:
    """One trained sequence: prompt tokens (masked), response tokens (trained on), its TRR++ advantage."""

    prompt_ids: list[int]
    response_ids: list[int]
    advantage: float


def _cfg(cfg: Any, name: str) -> Any:
    if cfg is None:
        return _DEFAULTS[name]
    if isinstance(cfg, dict):
        return cfg.get(name, _DEFAULTS[name])
    return getattr(cfg, name, _DEFAULTS[name])


def resolve_train_dtype(dtype: str, device: torch.device) -> torch.dtype:
    """'auto': bf16 autocast on GPUs that support it, fp32 elsewhere (bf16 matmuls are slow on many CPUs)."""
    if dtype == "auto":
        if device.type == "cuda" and torch.cuda.is_bf16_supported():
            return torch.bfloat16
        return torch.float32
    return {"float32": torch.float32, "bfloat16": torch.bfloat16}[dtype]


def micro_batches(lengths: list[int], budget: int) -> list[list[int]]:
    """Group sample indices into micro-batches whose padded size (rows × longest row) fits `budget` tokens.

    Samples are taken longest first, so rows of a micro-batch have similar lengths and little padding; a sample
    longer than the budget goes alone. Deterministic: ties keep input order.
    """
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    out: list[list[int]] = []
    cur: list[int] = []
    for i in order:
        longest = lengths[cur[0]] if cur else lengths[i]
        if cur and (len(cur) + 1) * longest > budget:
            out.append(cur)
            cur = []
        cur.append(i)
    if cur:
        out.append(cur)
    return out


def collate(samples: list[TrainSample], pad_id: int, device: torch.device
            ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Right-padded (input_ids, attention_mask, loss_mask, per-row advantage) for one micro-batch."""
    width = max(len(s.prompt_ids) + len(s.response_ids) for s in samples)
    ids = torch.full((len(samples), width), pad_id, dtype=torch.long)
    attn = torch.zeros((len(samples), width), dtype=torch.long)
    lmask = torch.zeros((len(samples), width), dtype=torch.bool)
    for r, s in enumerate(samples):
        p, n = len(s.prompt_ids), len(s.response_ids)
        ids[r, :p + n] = torch.tensor(list(s.prompt_ids) + list(s.response_ids), dtype=torch.long)
        attn[r, :p + n] = 1
        lmask[r, p:p + n] = True
    adv = torch.tensor([float(s.advantage) for s in samples], dtype=torch.float32)
    return ids.to(device), attn.to(device), lmask.to(device), adv.to(device)


class Trainer:
    """One REINFORCE/TRR++ optimizer step per `step()` call; see the module docstring for the loss.

    `model` is a transformers causal LM already on its device. With the torch backend the weights are kept in
    fp32 (AdamW updates of size lr = 1e-6 vanish in bf16 weights) and `dtype=bfloat16` runs forward and backward
    under autocast. With the deepspeed backend, DeepSpeed owns the precision (bf16 weights, fp32 master copy in
    the optimizer). `trainer.model` is what to generate with afterwards (unwrap it with `.module` for DeepSpeed;
    TransformersEngine does so itself).

    cfg: TrainerConfig or any object/dict with its fields. `logprob_chunk_tokens` of 0/None switches to the naive
    log-prob computation that holds all logits of a micro-batch (for comparisons only).
    """

    def __init__(self, model: Any, tokenizer: Any, cfg: "TrainerConfig | Any" = None):
        self.cfg = cfg
        self.tokenizer = tokenizer
        self.backend = _cfg(cfg, "backend")
        self.lr = float(_cfg(cfg, "lr"))
        self.weight_decay = float(_cfg(cfg, "weight_decay"))
        self.grad_clip = float(_cfg(cfg, "grad_clip"))
        self.entropy_coef = float(_cfg(cfg, "entropy_coef"))
        self.micro_batch_tokens = int(_cfg(cfg, "micro_batch_tokens"))
        self.chunk_tokens = int(_cfg(cfg, "logprob_chunk_tokens") or 0)
        self.step_count = 0
        base = unwrap(model)
        self.device = next(base.parameters()).device
        self.compute_dtype = resolve_train_dtype(_cfg(cfg, "dtype"), self.device)
        pad = tokenizer.pad_token_id if tokenizer is not None else None
        self.pad_id = pad if pad is not None else (getattr(tokenizer, "eos_token_id", None) or 0)

        if _cfg(cfg, "gradient_checkpointing"):
            base.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        if hasattr(base, "config"):
            base.config.use_cache = False
        base.train()

        if self.backend == "torch":
            if next(base.parameters()).dtype != torch.float32:
                log.info("trainer: keeping fp32 master weights (model was %s)", next(base.parameters()).dtype)
                base.float()
            self.model = base
            params = [p for p in base.parameters() if p.requires_grad]
            self.optimizer = torch.optim.AdamW(params, lr=self.lr, weight_decay=self.weight_decay,
                                               foreach=self.device.type == "cuda")
            self.engine = None
        elif self.backend == "deepspeed":
            self.engine = self._init_deepspeed(base, int(_cfg(cfg, "zero_stage")))
            self.model = self.engine
            self.optimizer = self.engine.optimizer
        else:
            raise ValueError(f"trainer backend {self.backend!r}: use 'torch' or 'deepspeed'")

    # ------------------------------------------------------------------ deepspeed

    def deepspeed_config(self, zero_stage: int) -> dict:
        bf16 = self.compute_dtype == torch.bfloat16
        return {
            "train_micro_batch_size_per_gpu": 1,
            "gradient_accumulation_steps": 1,  # micro-batches are counted here; boundaries are set by hand
            "gradient_clipping": self.grad_clip,
            "zero_optimization": {"stage": zero_stage},
            "optimizer": {"type": "AdamW", "params": {"lr": self.lr, "weight_decay": self.weight_decay,
                                                      "torch_adam": True, "adam_w_mode": True}},
            "bf16": {"enabled": bf16},
            "steps_per_print": 10**9,
            "wall_clock_breakdown": False,
        }

    def _init_deepspeed(self, base: Any, zero_stage: int) -> Any:
        import deepspeed  # optional dependency

        if not torch.distributed.is_initialized():
            # A single process started without a launcher: make it a world of one.
            for k, v in {"RANK": "0", "LOCAL_RANK": "0", "WORLD_SIZE": "1", "MASTER_ADDR": "127.0.0.1"}.items():
                os.environ.setdefault(k, v)
            if "MASTER_PORT" not in os.environ:
                import socket

                with socket.socket() as s:
                    s.bind(("127.0.0.1", 0))
                    os.environ["MASTER_PORT"] = str(s.getsockname()[1])
            if os.environ.get("WORLD_SIZE") == "1":
                # A world of one never uses DeepSpeed's shared-memory all-reduce op; skip its C++ build
                # (about a minute on first use on CPU).
                import deepspeed.comm.torch as ds_torch

                if hasattr(ds_torch, "build_shm_op"):
                    ds_torch.build_shm_op = lambda: None
            deepspeed.init_distributed(verbose=False)
        engine, _, _, _ = deepspeed.initialize(
            model=base, model_parameters=[p for p in base.parameters() if p.requires_grad],
            config=self.deepspeed_config(zero_stage),
        )
        return engine

    # ------------------------------------------------------------------ the step

    def _autocast(self):
        enabled = self.backend == "torch" and self.compute_dtype != torch.float32
        return torch.autocast(device_type=self.device.type, dtype=self.compute_dtype, enabled=enabled)

    def token_logprobs(self, ids: torch.Tensor, attn: torch.Tensor, lmask: torch.Tensor
                       ) -> tuple[torch.Tensor, torch.Tensor]:
        with self._autocast():
            if self.chunk_tokens > 0:
                return chunked_token_logprobs(self.model, ids, attn, lmask, chunk_tokens=self.chunk_tokens)
            return naive_token_logprobs(self.model, ids, attn, lmask)

    def backward(self, samples: list[TrainSample], progress: bool = False, *, norm_tokens: int | None = None,
                 scale: float = 1.0) -> dict:
        """Accumulate the gradient of the loss over `samples` (all micro-batches) without stepping.

        Data-parallel ranks pass `norm_tokens` (the response tokens of the whole batch, over all ranks) and
        `scale` (the world size, undoing DeepSpeed's average over ranks), so the ranks' gradients add up to the
        gradient of one rank holding the whole batch; the returned losses are then this rank's share.

        Returns loss, pg_loss, entropy (mean token entropy), tokens, total_tokens, micro_batches."""
        n_tokens = sum(len(s.response_ids) for s in samples)
        total = sum(len(s.prompt_ids) + len(s.response_ids) for s in samples)
        if any(len(s.prompt_ids) == 0 for s in samples):
            raise ValueError("every TrainSample needs at least one prompt token")
        if n_tokens == 0:
            return dict(loss=0.0, pg_loss=0.0, entropy=0.0, tokens=0, total_tokens=total, micro_batches=0)
        lengths = [len(s.prompt_ids) + len(s.response_ids) for s in samples]
        groups = micro_batches(lengths, self.micro_batch_tokens)
        norm = norm_tokens or n_tokens
        pg_sum = ent_sum = 0.0
        bar = Progress("update", len(groups), "micro-batches", rate_unit="tok") if progress else None
        for k, idx in enumerate(groups):
            ids, attn, lmask, adv = collate([samples[i] for i in idx], self.pad_id, self.device)
            logp, ent = self.token_logprobs(ids, attn, lmask)
            adv_tok = adv.unsqueeze(1).expand_as(lmask)[lmask]  # the row's advantage on each trained token
            pg = -(adv_tok * logp).sum() / norm                 # LOSS_NORMALISATION: whole-batch token count
            ent_part = ent.sum() / norm
            loss = (pg - self.entropy_coef * ent_part) * scale
            if self.engine is None:
                loss.backward()
            else:
                self.engine.set_gradient_accumulation_boundary(k == len(groups) - 1)
                self.engine.backward(loss)
            pg_sum += float(pg.detach())
            ent_sum += float(ent_part.detach())
            if bar is not None:
                bar.update(1, amount=sum(lengths[i] for i in idx))
        if bar is not None:
            bar.close()
        return dict(loss=pg_sum - self.entropy_coef * ent_sum, pg_loss=pg_sum, entropy=ent_sum, tokens=n_tokens,
                    total_tokens=total, micro_batches=len(groups))

    def step(self, samples: list[TrainSample], progress: bool = False, *, norm_tokens: int | None = None,
             scale: float = 1.0) -> dict:
        """One optimizer step on `samples`. Returns loss, pg_loss, grad_norm (before clipping), entropy (mean
        token entropy), tokens (response tokens trained on), total_tokens (prompt + response, unpadded),
        tokens_per_s (total_tokens / seconds), micro_batches, seconds, skipped. A batch without response tokens
        changes nothing (skipped=True)."""
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        t0 = time.perf_counter()
        if self.engine is None:
            self.optimizer.zero_grad(set_to_none=True)
        m = self.backward(samples, progress=progress, norm_tokens=norm_tokens, scale=scale)
        if m["tokens"] == 0:
            return dict(m, grad_norm=0.0, tokens_per_s=0.0, seconds=0.0, skipped=True)
        if self.engine is None:
            params = [p for g in self.optimizer.param_groups for p in g["params"]]
            grad_norm = float(torch.nn.utils.clip_grad_norm_(params, self.grad_clip))
            self.optimizer.step()
            self.optimizer.zero_grad(set_to_none=True)
        else:
            self.engine.step()
            gn = self.engine.get_global_grad_norm()
            grad_norm = float(gn) if gn is not None else float("nan")
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        self.step_count += 1
        seconds = time.perf_counter() - t0
        return dict(m, grad_norm=grad_norm, tokens_per_s=m["total_tokens"] / seconds, seconds=seconds,
                    skipped=False)
