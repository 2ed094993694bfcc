"""pass@k: the unbiased estimator of Chen et al. (2021), "Evaluating Large Language Models Trained on Code".

With n samples of which c are correct, the chance that at least one of k samples drawn without replacement is
correct is 1 - C(n-c, k) / C(n, k). The product form below avoids huge binomials.
"""

from __future__ import annotations

from typing import Iterable, Sequence


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k for one problem with `n` samples, `c` of them correct."""
    if n < 1 or k < 1:
        raise ValueError(f"pass@k needs n >= 1 and k >= 1, got n={n}, k={k}")
    if not 0 <= c <= n:
        raise ValueError(f"correct count c={c} must lie between 0 and n={n}")
    if k > n:
        raise ValueError(f"pass@{k} needs at least {k} samples per problem, got {n}")
    if n - c < k:
        return 1.0
    prob_all_wrong = 1.0
    for i in range(n - c + 1, n + 1):
        prob_all_wrong *= 1.0 - k / i
    return 1.0 - prob_all_wrong


def mean_pass_at_k(counts: Iterable[tuple[int, int]], k: int) -> float:
    """Average pass@k over problems given (n, c) per problem."""
    values = [pass_at_k(n, c, k) for n, c in counts]
    return sum(values) / len(values) if values else 0.0


def report_ks(samples: int, extra: Sequence[int] = (5, 10)) -> list[int]:
    """The k values worth reporting for `samples` per problem: 1, the standard 5 and 10 when below, and K."""
    return sorted({1, samples, *(k for k in extra if k < samples)})
