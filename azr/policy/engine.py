"""Rollout engines: prompts in, sampled completions out.

`RolloutEngine` is the interface the pipeline codes against; `TransformersEngine` runs a transformers model in this
process (CPU or one GPU). A vLLM engine (a server process, weights synced after each update) plugs in behind the
same interface later.

Only torch and transformers are needed (tqdm optionally, for progress bars).
"""

from __future__ import annotations

import copy
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

import torch

from azr.policy.logprobs import unwrap
from azr.progress import Progress

log = logging.getLogger(__name__)


@dataclass
class Completion:
    """One sampled response.

    token_ids: the generated tokens, ending with the stop token when finish_reason is "stop" (train on these);
    text: the decoded tokens without that stop token; prompt_tokens: the prompt's length after any left cut.
    """

    text: str
    token_ids: list[int]
    finish_reason: Literal["stop", "length"]
    prompt_tokens: int


@runtime_checkable
class RolloutEngine(Protocol):
    """What the pipeline needs from any rollout backend."""

    stats: dict

    def generate(self, prompts: list[str], n: int = 1, temperature: float = 1.0, top_p: float = 1.0,
                 max_new_tokens: int = 256, seed: int | None = None, progress: bool = False
                 ) -> list[list[Completion]]:
        """n completions per prompt, in prompt order. temperature 0 means greedy decoding."""
        ...

    def encode(self, prompts: list[str]) -> list[list[int]]:
        """Token ids of each prompt exactly as `generate` feeds them (same special tokens, same left cut), so
        the trainer scores the very sequence that was sampled."""
        ...


@dataclass
class _Job:
    prompt: int
    ids: list[int]
    out: Completion | None = field(default=None)


def default_stop_ids(model: Any, tokenizer: Any) -> list[int]:
    """Where generation stops, for every engine alike: the model's generation-config EOS ids and the tokenizer's."""
    stop: list[int] = []
    eos = getattr(getattr(unwrap(model), "generation_config", None), "eos_token_id", None)
    for e in ([eos] if isinstance(eos, int) else list(eos or [])) + [tokenizer.eos_token_id]:
        if e is not None and e not in stop:
            stop.append(int(e))
    return stop


class _Heartbeat:
    """A stopping criterion that never stops: it only lets a long `generate` call report how far it got, so the
    run's log is not silent for the minutes one batch of long responses can take."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.batch = self.batches = self.width = self.rows = 0

    def start(self, batch: int, batches: int, width: int, rows: int) -> None:
        self.batch, self.batches, self.width, self.rows = batch, batches, width, rows

    def __call__(self, input_ids: torch.Tensor, scores: Any, **kwargs: Any) -> torch.Tensor:
        steps = input_ids.shape[1] - self.width
        self.progress.heartbeat(partial_amount=steps * self.rows,
                                note=f"batch {self.batch + 1}/{self.batches} at {steps} new tokens")
        return torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)

    def __deepcopy__(self, memo: dict) -> "_Heartbeat":
        return self  # holds a logger and a bar: never copied


def _bucket(n: int, cap: int) -> int:
    """The next power of two ≥ n (at least 8, at most cap): few distinct batch shapes for the static cache."""
    b = 8
    while b < n:
        b *= 2
    return min(b, max(cap, n))


def encode_prompts(tokenizer: Any, prompts: list[str], max_prompt_tokens: int | None, pad_id: int,
                   add_special_tokens: bool = False) -> list[list[int]]:
    """The tokenizer's ids of each prompt, left-cut to max_prompt_tokens (an empty prompt becomes one pad)."""
    enc = tokenizer(prompts, add_special_tokens=add_special_tokens)["input_ids"]
    out = []
    for ids in enc:
        ids = list(ids)
        if max_prompt_tokens and len(ids) > max_prompt_tokens:
            ids = ids[-max_prompt_tokens:]
        out.append(ids or [pad_id])
    return out


class TransformersEngine:
    """In-process generation with `model.generate`.

    - Prompts are tokenised as given (`add_special_tokens=False`: chat templates already hold their special
      tokens), cut from the left to `max_prompt_tokens`, repeated `n` times, sorted by length and generated in
      batches of `batch_size`, padded on the left.
    - Decoding stops at the tokenizer's EOS and the model's generation-config EOS ids (or `stop_token_ids`).
      Sampling is plain temperature + nucleus (top-k, repetition penalties etc. from the model's generation config
      are switched off). temperature 0 is greedy.
    - `seed`: the whole call is reproducible on the same device and batch size; the global RNG is left as it was.
    - `static_cache`: "auto" uses transformers' static KV cache on CUDA, which also makes transformers compile the
      decode step (torch.compile, CUDA graphs). Prompt widths are padded to a multiple of `pad_to_multiple_of`
      and batch sizes to powers of two so few shapes get compiled.
    - `dtype`: generate with a copy of the weights in this dtype (e.g. bf16 rollouts from the fp32 weights the
      trainer keeps); the copy is refreshed from the trained weights at the start of every `generate` call.
    - `model` may be a DeepSpeed engine (`trainer.model`); its `.module` is used. ZeRO-3 partitioned weights are
      not gathered here: use stage ≤ 2 with this engine.
    """

    def __init__(self, model: Any, tokenizer: Any, batch_size: int = 32, max_prompt_tokens: int | None = None,
                 *, dtype: torch.dtype | str | None = None, static_cache: bool | Literal["auto"] = "auto",
                 stop_token_ids: list[int] | None = None, pad_to_multiple_of: int = 64,
                 add_special_tokens: bool = False):
        self.model = model
        self.tokenizer = tokenizer
        self.batch_size = int(batch_size)
        self.max_prompt_tokens = max_prompt_tokens
        self.dtype = getattr(torch, dtype) if isinstance(dtype, str) else dtype
        self.static_cache = static_cache
        self.pad_to_multiple_of = max(1, int(pad_to_multiple_of))
        self.add_special_tokens = add_special_tokens
        self._shadow: Any = None
        self.stats: dict = {}
        if stop_token_ids is None:
            stop_token_ids = default_stop_ids(model, tokenizer)
        if not stop_token_ids:
            raise ValueError("no stop token: the tokenizer has no eos_token_id; pass stop_token_ids")
        self.stop_token_ids = list(stop_token_ids)
        pad = tokenizer.pad_token_id
        self.pad_id = int(pad if pad is not None else self.stop_token_ids[0])

    # ------------------------------------------------------------------ weights

    def set_model(self, model: Any) -> None:
        """Generate with another (or re-wrapped) model from now on."""
        self.model = model
        self._shadow = None

    def _gen_model(self) -> Any:
        base = unwrap(self.model)
        if self.dtype is None or next(base.parameters()).dtype == self.dtype:
            return base
        if self._shadow is None:
            self._shadow = copy.deepcopy(base).to(self.dtype)
        else:
            with torch.no_grad():
                for dst, src in zip(self._shadow.parameters(), base.parameters()):
                    dst.copy_(src)
        return self._shadow

    # ------------------------------------------------------------------ generation

    def _use_static(self, device: torch.device) -> bool:
        if self.static_cache == "auto":
            return device.type == "cuda"
        return bool(self.static_cache)

    def encode(self, prompts: list[str]) -> list[list[int]]:
        """Token ids as generation sees them: the tokenizer's ids, left-cut to max_prompt_tokens."""
        return encode_prompts(self.tokenizer, prompts, self.max_prompt_tokens, self.pad_id, self.add_special_tokens)

    def _generation_config(self, temperature: float, top_p: float, max_new_tokens: int, min_new_tokens: int,
                           static: bool) -> Any:
        from transformers import GenerationConfig

        greedy = temperature <= 0.0
        kw: dict[str, Any] = dict(
            max_new_tokens=max_new_tokens, min_new_tokens=min_new_tokens, do_sample=not greedy,
            num_beams=1, top_k=0, repetition_penalty=1.0, no_repeat_ngram_size=0, typical_p=1.0,
            eos_token_id=self.stop_token_ids, pad_token_id=self.pad_id, use_cache=True,
        )
        if not greedy:
            kw.update(temperature=float(temperature), top_p=float(top_p))
        else:
            kw.update(temperature=1.0, top_p=1.0)
        if static:
            kw["cache_implementation"] = "static"
        return GenerationConfig(**kw)

    def generate(self, prompts: list[str], n: int = 1, temperature: float = 1.0, top_p: float = 1.0,
                 max_new_tokens: int = 256, seed: int | None = None, progress: bool = False,
                 *, ignore_eos: bool = False) -> list[list[Completion]]:
        """n completions per prompt (a list of n for each prompt, in order). `ignore_eos` forces exactly
        max_new_tokens per completion (benchmarks)."""
        t0 = time.perf_counter()
        model = self._gen_model()
        device = next(model.parameters()).device
        static = self._use_static(device)
        was_training = model.training
        model.eval()
        encoded = self.encode(list(prompts))
        jobs = [_Job(p, encoded[p]) for p in range(len(prompts)) for _ in range(n)]
        order = sorted(range(len(jobs)), key=lambda j: -len(jobs[j].ids))  # stable: copies stay together
        batches = [order[i:i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        gc = self._generation_config(temperature, top_p, max_new_tokens,
                                     max_new_tokens if ignore_eos else 0, static)
        if ignore_eos:
            gc.eos_token_id = None
        bar = Progress("generate", len(jobs), "sequences", rate_unit="tok") if progress else None
        criteria = None
        if bar is not None:
            from transformers import StoppingCriteriaList

            criteria = StoppingCriteriaList([_Heartbeat(bar)])
        devices = [device] if device.type == "cuda" else []
        generated = padded = 0
        try:
            with torch.random.fork_rng(devices=devices, enabled=seed is not None), torch.inference_mode():
                if seed is not None:
                    torch.manual_seed(seed)
                for bi, batch in enumerate(batches):
                    rows = [jobs[j].ids for j in batch]
                    width = max(len(r) for r in rows)
                    if static:
                        width = -(-width // self.pad_to_multiple_of) * self.pad_to_multiple_of
                    n_rows = _bucket(len(rows), self.batch_size) if static else len(rows)
                    ids = torch.full((n_rows, width), self.pad_id, dtype=torch.long)
                    attn = torch.zeros((n_rows, width), dtype=torch.long)
                    for r in range(n_rows):
                        src = rows[r] if r < len(rows) else rows[0]  # filler rows for a fixed static shape
                        ids[r, width - len(src):] = torch.tensor(src, dtype=torch.long)
                        attn[r, width - len(src):] = 1
                    if criteria is not None:
                        criteria[0].start(bi, len(batches), width, len(rows))
                    out = model.generate(input_ids=ids.to(device), attention_mask=attn.to(device),
                                         generation_config=gc, stopping_criteria=criteria)
                    new = out[:, width:].tolist()
                    before = generated
                    padded += n_rows * len(new[0]) if new else 0
                    for r, j in enumerate(batch):
                        toks = new[r]
                        reason: Literal["stop", "length"] = "length"
                        if not ignore_eos:
                            for k, t in enumerate(toks):
                                if t in self.stop_token_ids:
                                    toks, reason = toks[:k + 1], "stop"
                                    break
                        body = toks[:-1] if reason == "stop" else toks
                        text = self.tokenizer.decode(body, skip_special_tokens=False)
                        jobs[j].out = Completion(text=text, token_ids=toks, finish_reason=reason,
                                                 prompt_tokens=len(jobs[j].ids))
                        generated += len(toks)
                    if bar is not None:
                        bar.update(len(batch), amount=generated - before)
        finally:
            if bar is not None:
                bar.close()
            if was_training:
                model.train()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        seconds = time.perf_counter() - t0
        self.stats = dict(tokens=generated, seconds=seconds, tokens_per_s=generated / seconds if seconds else 0.0,
                          sequences=len(jobs), batches=len(batches), decoded_slots=padded, static_cache=static)
        result: list[list[Completion]] = [[] for _ in prompts]
        for job in jobs:
            result[job.prompt].append(job.out)  # type: ignore[arg-type]
        return result
