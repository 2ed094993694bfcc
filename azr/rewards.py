"""Rewards for both roles (paper Eq. 4–6), as pure functions of outcomes."""

from __future__ import annotations

from enum import Enum

from azr.config import RewardConfig


class Outcome(str, Enum):
    PASS = "pass"  # valid proposal / correct answer
    WRONG = "wrong"  # well formatted, but invalid proposal / wrong answer
    FORMAT_ERROR = "format_error"  # the response does not follow the required format


def learnability(solve_rate: float, variant: str = "paper") -> float:
    """Proposer reward from the mean solve rate r̄ of G attempts: 1 − r̄ for 0 < r̄ < 1.

    At r̄ ∈ {0, 1} the task teaches nothing: the paper gives 0, the reference code −0.5."""
    if variant not in ("paper", "reference"):
        raise ValueError(f"unknown learnability variant {variant!r}; use 'paper' or 'reference'")
    if not 0.0 <= solve_rate <= 1.0:
        raise ValueError(f"solve rate must lie in [0, 1], got {solve_rate}")
    if 0.0 < solve_rate < 1.0:
        return 1.0 - solve_rate
    return 0.0 if variant == "paper" else -0.5


def solver_reward(correct: bool) -> float:
    return 1.0 if correct else 0.0


def format_aware(role_reward: float, outcome: Outcome, cfg: RewardConfig) -> float:
    """Paper Eq. 6: the role reward when the response passes, fixed penalties otherwise."""
    outcome = Outcome(outcome)
    if outcome is Outcome.PASS:
        return role_reward
    if not cfg.format_aware:
        return 0.0
    return cfg.wrong_penalty if outcome is Outcome.WRONG else cfg.format_penalty


def proposer_reward(outcome: Outcome, solve_rate: float | None, cfg: RewardConfig) -> float:
    """Valid proposals earn learnability; invalid or malformed ones the format-aware penalty."""
    if Outcome(outcome) is Outcome.PASS:
        if solve_rate is None:
            raise ValueError("a valid proposal needs its solve rate")
        return format_aware(learnability(solve_rate, cfg.learnability), Outcome.PASS, cfg)
    return format_aware(0.0, outcome, cfg)


def solve_reward(outcome: Outcome, cfg: RewardConfig) -> float:
    return format_aware(solver_reward(Outcome(outcome) is Outcome.PASS), outcome, cfg)
