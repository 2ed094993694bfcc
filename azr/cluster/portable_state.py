"""Optimizer state of a DeepSpeed engine in a form that does not depend on the number of ranks.

DeepSpeed's own checkpoint stores each rank's ZeRO partition, so it can only be loaded by a world of the same
size. Here the full fp32 state of every parameter is gathered with DeepSpeed's tensor-fragment API
(`safe_get_full_optimizer_state`, collective under ZeRO 1-2) and written once; any world size scatters it back
with `safe_set_full_optimizer_state`. Without ZeRO (stage 0) the optimizer is a plain torch AdamW whose state every
rank holds in full.
"""

from __future__ import annotations

from typing import Any

import torch

KEYS = ("exp_avg", "exp_avg_sq")


def _named(engine: Any) -> list[tuple[str, torch.nn.Parameter]]:
    return [(n, p) for n, p in engine.module.named_parameters() if p.requires_grad]


def _zero_partitioned(engine: Any) -> bool:
    return any(hasattr(p, "_hp_mapping") for _, p in _named(engine))


def _step_of(optimizer: Any) -> int:
    for st in optimizer.state.values():
        if "step" in st:
            return int(float(st["step"]))
    return 0


def gather(engine: Any) -> dict:
    """{'step': n, 'state': {name: {exp_avg, exp_avg_sq}}} on every rank (call on all ranks together)."""
    from deepspeed.utils import safe_get_full_optimizer_state

    state: dict[str, dict[str, torch.Tensor]] = {}
    if _zero_partitioned(engine):
        inner = engine.optimizer.optimizer
        step = _step_of(inner)
        if step:
            for name, p in _named(engine):
                state[name] = {k: safe_get_full_optimizer_state(p, k).detach().cpu().clone() for k in KEYS}
    else:
        opt = engine.optimizer
        step = _step_of(opt)
        for name, p in _named(engine):
            st = opt.state.get(p, {})
            if st:
                state[name] = {k: st[k].detach().cpu().clone() for k in KEYS}
    return {"step": step, "state": state}


def restore(engine: Any, saved: dict) -> None:
    """Put a gathered state into a freshly initialised engine of any world size (each rank keeps its part)."""
    from deepspeed.utils import safe_set_full_optimizer_state

    step, state = int(saved["step"]), saved["state"]
    if not step or not state:
        return  # saved before its first step: nothing to restore
    named = _named(engine)
    missing = [n for n, _ in named if n not in state]
    if missing:
        raise RuntimeError(f"optimizer state does not fit the model: no state for {missing[:5]}")
    if _zero_partitioned(engine):
        inner = engine.optimizer.optimizer
        # torch's AdamW creates its state lazily at the first step; make it now so the fragments have a home.
        for group in inner.param_groups:
            for flat in group["params"]:
                inner.state[flat] = {"step": torch.tensor(float(step)), "exp_avg": torch.zeros_like(flat),
                                     "exp_avg_sq": torch.zeros_like(flat)}
        # DeepSpeed links each parameter's fragment to that state after its first step; link it now.
        engine.optimizer._hp_optimizer_states_linked = False
        engine.optimizer._lazy_init_hp_params_optimizer_state()
        for name, p in named:
            for k in KEYS:
                safe_set_full_optimizer_state(p, state[name][k].to(p.device), k)
    else:
        opt = engine.optimizer
        for name, p in named:
            opt.state[p] = {"step": torch.tensor(float(step)),
                            **{k: state[name][k].to(p.device, dtype=torch.float32).clone() for k in KEYS}}
