"""Per-token log-probabilities and entropies of chosen tokens, without holding the whole batch's logits.

The full-vocabulary logits are the memory peak of a policy-gradient step: 8 sequences × 256 tokens × 49,152 vocab
entries are 400 MB in fp32, and log_softmax, its gradient and autograd's saved copies multiply that several times.
`chunked_token_logprobs` runs the transformer body once to get hidden states, keeps only the positions that are
trained on, and projects them to the vocabulary a chunk at a time. Each chunk is wrapped in activation
checkpointing, so its logits are freed right after the forward pass and recomputed one chunk at a time during
backward: the peak is one chunk's logits, whatever the batch size.

Only torch is needed here.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint


def unwrap(model: Any) -> Any:
    """The plain transformers model under a DeepSpeed engine / DDP / compile wrapper."""
    while True:
        inner = getattr(model, "module", None) or getattr(model, "_orig_mod", None)
        if inner is None or inner is model:
            return model
        model = inner


def _logit_transform(model: Any):
    """Whatever the model applies to lm_head's output before softmax (logit scale, final soft-capping)."""
    cfg = getattr(model, "config", None)
    cap = getattr(cfg, "final_logit_softcapping", None)
    scale = getattr(cfg, "logit_scale", None) if hasattr(cfg, "logit_scale") else None

    def transform(logits: torch.Tensor) -> torch.Tensor:
        if scale is not None and scale != 1.0:
            logits = logits * scale
        if cap:
            logits = torch.tanh(logits / cap) * cap
        return logits

    return transform


def _logprob_entropy(hidden: torch.Tensor, targets: torch.Tensor, weight: torch.Tensor,
                     bias: torch.Tensor | None, transform) -> tuple[torch.Tensor, torch.Tensor]:
    logits = transform(F.linear(hidden, weight, bias)).float()
    logp = torch.log_softmax(logits, dim=-1)
    chosen = logp.gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    entropy = -(logp.exp() * logp).sum(-1)
    return chosen, entropy


def hidden_states(model: Any, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Last-layer hidden states (after the final norm) of a causal LM, without computing logits."""
    base = unwrap(model)
    body = base.get_decoder() if hasattr(base, "get_decoder") else base.base_model
    out = body(input_ids=input_ids, attention_mask=attention_mask, use_cache=False)
    return out.last_hidden_state if hasattr(out, "last_hidden_state") else out[0]


def chunked_token_logprobs(model: Any, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                           loss_mask: torch.Tensor, chunk_tokens: int = 1024,
                           checkpoint_chunks: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """Log-probability and entropy of every position where `loss_mask` is true.

    `loss_mask[b, t]` marks token `input_ids[b, t]` as trained on; it is predicted from the hidden state at t − 1,
    so column 0 must be false. Returns two 1-D fp32 tensors (log p, entropy) over the marked tokens, in row-major
    order. Only `chunk_tokens` rows of logits exist at any time, in the forward and (with `checkpoint_chunks`)
    in the backward pass.
    """
    if bool(loss_mask[:, 0].any()):
        raise ValueError("loss_mask[:, 0] must be false: the first token has no prediction")
    base = unwrap(model)
    hidden = hidden_states(base, input_ids, attention_mask)            # (B, T, H)
    pred_mask = loss_mask[:, 1:]                                        # predictions made at positions 0..T-2
    h = hidden[:, :-1][pred_mask]                                       # (N, H): only trained positions
    targets = input_ids[:, 1:][pred_mask]                               # (N,)
    head = base.get_output_embeddings()
    weight, bias = head.weight, getattr(head, "bias", None)
    transform = _logit_transform(base)
    logps, ents = [], []
    use_ckpt = checkpoint_chunks and torch.is_grad_enabled() and h.requires_grad
    for start in range(0, h.shape[0], chunk_tokens):
        hs, ts = h[start:start + chunk_tokens], targets[start:start + chunk_tokens]
        if use_ckpt:
            lp, en = checkpoint(_logprob_entropy, hs, ts, weight, bias, transform, use_reentrant=False)
        else:
            lp, en = _logprob_entropy(hs, ts, weight, bias, transform)
        logps.append(lp)
        ents.append(en)
    if not logps:
        empty = hidden.new_zeros(0, dtype=torch.float32)
        return empty, empty
    return torch.cat(logps), torch.cat(ents)


def naive_token_logprobs(model: Any, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                         loss_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The same numbers as `chunked_token_logprobs`, computed the plain way: all logits of the batch at once.

    Kept as the reference for tests and for the memory comparison in bench/policy_bench.py.
    """
    base = unwrap(model)
    logits = base(input_ids=input_ids, attention_mask=attention_mask, use_cache=False).logits.float()
    logp = torch.log_softmax(logits[:, :-1], dim=-1)
    pred_mask = loss_mask[:, 1:]
    chosen = logp.gather(-1, input_ids[:, 1:].unsqueeze(-1)).squeeze(-1)[pred_mask]
    entropy = -(logp.exp() * logp).sum(-1)[pred_mask]
    return chosen, entropy
