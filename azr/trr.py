"""Task-Relative REINFORCE++ advantages: each reward is normalised within its own task × role group."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Literal, Sequence

EPS = 1e-6


def trr_advantages(
    groups: Sequence[str],
    rewards: Sequence[float],
    lengths: Sequence[int] | None = None,
    unit: Literal["sequence", "token"] = "sequence",
    eps: float = EPS,
) -> list[float]:
    """A_i = (r_i − μ_g) / (σ_g + ε), with μ and σ of sequence i's group g in this batch.

    unit='sequence' (paper): every sequence counts once. unit='token' (reference code): every response token
    counts once, so long responses weigh more in μ and σ. σ is the sample standard deviation (n − 1), as in
    veRL's whitening. A group of one, or whose rewards are all equal, gets zero advantage rather than NaN.
    """
    n = len(rewards)
    if len(groups) != n:
        raise ValueError(f"{len(groups)} group labels for {n} rewards")
    if unit == "token":
        if lengths is None or len(lengths) != n:
            raise ValueError("unit='token' needs one response length per reward")
        if any(l < 0 for l in lengths):
            raise ValueError("response lengths must be >= 0")
        weights = [float(l) for l in lengths]
    elif unit == "sequence":
        weights = [1.0] * n
    else:
        raise ValueError(f"unknown TRR++ unit {unit!r}; use 'sequence' or 'token'")

    members: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        members[g].append(i)

    out = [0.0] * n
    for idx in members.values():
        w = sum(weights[i] for i in idx)
        if len(idx) < 2 or w <= 1.0:
            continue
        mean = sum(weights[i] * rewards[i] for i in idx) / w
        var = sum(weights[i] * (rewards[i] - mean) ** 2 for i in idx) / (w - 1.0)
        std = math.sqrt(var)
        if std == 0.0:
            continue
        for i in idx:
            out[i] = (rewards[i] - mean) / (std + eps)
    return out
