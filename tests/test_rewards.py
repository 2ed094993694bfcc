"""Reward tables from AZR.md, under both learnability settings and with the format-aware wrapper on and off."""

import pytest

from azr.config import RewardConfig
from azr.rewards import Outcome, format_aware, learnability, proposer_reward, solve_reward

PAPER = RewardConfig(learnability="paper")
REF = RewardConfig(learnability="reference")
PLAIN = RewardConfig(format_aware=False)


@pytest.mark.parametrize(
    "rate, paper, reference",
    [(0.0, 0.0, -0.5), (1.0, 0.0, -0.5), (0.25, 0.75, 0.75), (0.5, 0.5, 0.5), (0.875, 0.125, 0.125)],
)
def test_learnability_table(rate, paper, reference):
    assert learnability(rate, "paper") == pytest.approx(paper)
    assert learnability(rate, "reference") == pytest.approx(reference)


def test_learnability_rejects_bad_rates_and_variants():
    with pytest.raises(ValueError, match="solve rate"):
        learnability(1.5)
    with pytest.raises(ValueError, match="variant"):
        learnability(0.5, "mine")


@pytest.mark.parametrize(
    "outcome, rate, paper, reference, plain",
    [
        (Outcome.PASS, 0.5, 0.5, 0.5, 0.5),
        (Outcome.PASS, 0.0, 0.0, -0.5, 0.0),
        (Outcome.PASS, 1.0, 0.0, -0.5, 0.0),
        (Outcome.WRONG, None, -0.5, -0.5, 0.0),
        (Outcome.FORMAT_ERROR, None, -1.0, -1.0, 0.0),
    ],
)
def test_proposer_reward_table(outcome, rate, paper, reference, plain):
    assert proposer_reward(outcome, rate, PAPER) == pytest.approx(paper)
    assert proposer_reward(outcome, rate, REF) == pytest.approx(reference)
    assert proposer_reward(outcome, rate, PLAIN) == pytest.approx(plain)


@pytest.mark.parametrize(
    "outcome, aware, plain", [(Outcome.PASS, 1.0, 1.0), (Outcome.WRONG, -0.5, 0.0), (Outcome.FORMAT_ERROR, -1.0, 0.0)]
)
def test_solver_reward_table(outcome, aware, plain):
    assert solve_reward(outcome, PAPER) == aware
    assert solve_reward(outcome, PLAIN) == plain


def test_valid_proposal_needs_a_rate():
    with pytest.raises(ValueError):
        proposer_reward(Outcome.PASS, None, PAPER)


def test_custom_penalties():
    cfg = RewardConfig(wrong_penalty=-0.2, format_penalty=-0.7)
    assert format_aware(0.3, Outcome.WRONG, cfg) == -0.2
    assert format_aware(0.3, Outcome.FORMAT_ERROR, cfg) == -0.7
    assert format_aware(0.3, Outcome.PASS, cfg) == 0.3
