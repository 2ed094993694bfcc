"""95% intervals for accuracies and for the change of accuracy between two models scored on the same items.

Accuracy: Wilson's score interval (stays inside [0, 1] and is sane at 0 or n correct). Change: the items are
paired (the same item before and after training), so the interval is Newcombe's hybrid score interval for paired
proportions (Newcombe 1998, "Improved confidence intervals for the difference between binomial proportions based on
paired data", method 10): it combines the two Wilson intervals with the correlation of the paired outcomes, which
is much narrower than treating the two runs as independent samples when most items keep their outcome.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

Z95 = 1.959963984540054


def wilson_interval(correct: int, n: int, z: float = Z95) -> tuple[float, float]:
    if n <= 0:
        return (float("nan"), float("nan"))
    if not 0 <= correct <= n:
        raise ValueError(f"correct={correct} must lie between 0 and n={n}")
    p = correct / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class PairedChange:
    """Accuracy before and after on the same n items, with 95% intervals; `gained`/`lost`: items that flipped."""

    n: int
    before: float
    after: float
    before_ci: tuple[float, float]
    after_ci: tuple[float, float]
    delta: float
    delta_ci: tuple[float, float]
    gained: int
    lost: int

    @property
    def significant(self) -> bool:
        """The interval of the change excludes 0."""
        return self.delta_ci[0] > 0 or self.delta_ci[1] < 0


def paired_change(before: Sequence[bool], after: Sequence[bool], z: float = Z95) -> PairedChange:
    if len(before) != len(after):
        raise ValueError(f"paired outcomes need the same items: {len(before)} before, {len(after)} after")
    n = len(before)
    if n == 0:
        nan = float("nan")
        return PairedChange(0, nan, nan, (nan, nan), (nan, nan), nan, (nan, nan), 0, 0)
    a = sum(1 for x, y in zip(before, after) if x and y)
    b = sum(1 for x, y in zip(before, after) if x and not y)  # lost
    c = sum(1 for x, y in zip(before, after) if not x and y)  # gained
    d = n - a - b - c
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = wilson_interval(a + b, n, z)
    l2, u2 = wilson_interval(a + c, n, z)
    denom = (a + b) * (c + d) * (a + c) * (b + d)
    phi = (a * d - b * c) / math.sqrt(denom) if denom > 0 else 0.0
    delta = p2 - p1
    lower = math.sqrt(max(0.0, (p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2))
    upper = math.sqrt(max(0.0, (u2 - p2) ** 2 - 2 * phi * (u2 - p2) * (p1 - l1) + (p1 - l1) ** 2))
    return PairedChange(n=n, before=p1, after=p2, before_ci=(l1, u1), after_ci=(l2, u2), delta=delta,
                        delta_ci=(max(-1.0, delta - lower), min(1.0, delta + upper)), gained=c, lost=b)
