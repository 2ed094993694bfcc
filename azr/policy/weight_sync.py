"""Trainer → vLLM server weight hand-over: export the trainer's weights, and verify what the server then holds.

Verification has two parts, both required after every sync:
- an exact checksum (hash of the multiset of weight bit patterns, `azr_vllm_ext.multiset_checksum`) of every
  parameter the server exposes, against the trainer's parameters cast to the server's dtype. On a GPU that is
  every weight; vLLM's CPU backend packs linear weights into oneDNN handles it cannot read back, so there it
  covers the embeddings and norms;
- a functional probe: the server's log-probabilities of fixed token sequences against the trainer's, which every
  weight (packed or not) takes part in; it catches a reload that left layers wrong, within numeric tolerance.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from azr.policy.vllm_ext.azr_vllm_ext import combine, per_tensor_checksums

# vLLM fuses these Hugging Face projections into one parameter.
FUSED = {"qkv_proj": ("q_proj", "k_proj", "v_proj"), "gate_up_proj": ("gate_proj", "up_proj")}
# Probe sequences: fixed code-like text (tokenised with the run's tokenizer) whose log-probs both sides compute.
PROBE_TEXTS = (
    "def f(xs):\n    return sorted(set(xs))[::-1]\n\nassert f([3, 1, 3, 2]) == [3, 2, 1]\n",
    "Input: {'a': 1, 'b': [2, 3]}\nOutput: 6\nThe function sums every number it finds.",
)
PROBE_TOLERANCE = {"float32": 5e-3, "bfloat16": 0.25, "float16": 0.1}


class WeightSyncError(RuntimeError):
    """The server's weights are not the trainer's after a sync. Transient: the step fails (it never trains on
    stale rollouts) and its retry syncs again into a fresh folder."""


def torch_dtype(name: str) -> Any:
    import torch

    return {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[name]


def export_weights(model: Any, tokenizer: Any, folder: Path, dtype: str) -> Path:
    """Save the weights as safetensors (cast to the server's dtype) plus config and tokenizer, atomically: the
    folder appears complete or not at all."""
    from azr.policy.logprobs import unwrap

    base = unwrap(model)
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        target = torch_dtype(dtype)
        state = {k: v.detach().to(target) for k, v in base.state_dict().items()}
        base.save_pretrained(tmp, state_dict=state, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        os.rename(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def state_checksum(model: Any) -> list:
    """[count, h1, h2] over every parameter (tied ones once): equal exactly when the weights are bit-identical
    as a multiset, whatever process or machine holds them."""
    from azr.policy.logprobs import unwrap

    return combine(per_tensor_checksums((n, p.detach()) for n, p in unwrap(model).named_parameters()).values())


def hf_names(vllm_name: str, hf: set[str]) -> list[str] | None:
    """The trainer's parameter names behind one vLLM parameter, or None when it cannot be mapped."""
    if vllm_name in hf:
        return [vllm_name]
    for fused, parts in FUSED.items():
        if f".{fused}." in vllm_name:
            names = [vllm_name.replace(f".{fused}.", f".{p}.") for p in parts]
            if all(n in hf for n in names):
                return names
    return None


def compare_checksums(model: Any, server: dict) -> dict:
    """Compare the server's per-parameter checksums with the trainer's; raise WeightSyncError on a mismatch."""
    from azr.policy.logprobs import unwrap

    params = dict(unwrap(model).named_parameters())
    dtype = torch_dtype(server["dtype"])
    covered, unmapped, srv_parts, mine = [], [], [], []
    for vname, part in sorted(server["checksums"].items()):
        names = hf_names(vname, set(params))
        if names is None:
            unmapped.append(vname)
            continue
        covered.extend(names)
        srv_parts.append(part)
    mine = list(per_tensor_checksums((n, params[n].detach().to(dtype)) for n in covered).values())
    if not covered:
        raise WeightSyncError(f"no server parameter could be matched to the trainer's (unmapped: {unmapped[:5]})")
    theirs, ours = combine(srv_parts), combine(mine)
    values = sum(params[n].numel() for n in params)
    report = {"checksum_match": theirs == ours, "server_checksum": theirs, "checked_values": ours[0], "model_values": values,
              "checked_share": ours[0] / values if values else 0.0, "opaque_params": len(server.get("opaque", [])),
              "unmapped_params": unmapped}
    if theirs != ours:
        raise WeightSyncError(f"weight sync did not take: the server's checksum {theirs} differs from the trainer's "
                              f"{ours} over {len(covered)} parameters")
    return report


def probe_ids(tokenizer: Any) -> list[list[int]]:
    return [tokenizer(t, add_special_tokens=False)["input_ids"] for t in PROBE_TEXTS]


def trainer_logprobs(model: Any, sequences: list[list[int]]) -> list[list[float]]:
    """log p(token_i | tokens_<i) for i ≥ 1 under the trainer's weights."""
    import torch

    from azr.policy.logprobs import unwrap

    base = unwrap(model)
    device = next(base.parameters()).device
    out = []
    with torch.inference_mode():
        for ids in sequences:
            x = torch.tensor([ids], device=device)
            lp = torch.log_softmax(base(input_ids=x).logits[0].float(), dim=-1)
            out.append(lp[:-1].gather(1, x[0, 1:, None])[:, 0].tolist())
    return out


def _max_diff(a: list[list[float]], b: list[list[float]]) -> float:
    if any(len(x) != len(y) for x, y in zip(a, b)) or len(a) != len(b):
        return float("inf")
    return max((abs(p - q) for x, y in zip(a, b) for p, q in zip(x, y)), default=0.0)


def compare_probe(mine: list[list[float]], theirs: list[list[float]], dtype: str,
                  before: list[list[float]] | None = None) -> dict:
    """The server's probe log-probs must match the trainer's within the dtype's tolerance. `before` (the server's
    answer before a sync) only goes into the report: how far the sync moved the server."""
    diff = _max_diff(mine, theirs)
    tol = PROBE_TOLERANCE[dtype]
    moved = _max_diff(theirs, before) if before is not None else None
    if not diff <= tol:
        extra = f"; the sync moved it by {moved:.4g}" if moved is not None else ""
        raise WeightSyncError(f"weight sync did not take: the server's log-probs on the probe texts differ from the "
                              f"trainer's by up to {diff:.4g} (tolerance {tol} for {dtype}){extra}")
    return {"probe_max_abs_diff": diff, "probe_tolerance": tol, "probe_moved": moved}
