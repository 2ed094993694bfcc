"""TRR++ advantages, checked against numbers worked out by hand."""

import math

import pytest

from azr.trr import EPS, trr_advantages


def test_per_sequence_by_hand():
    # group a: rewards 1, 0, 0, 1 -> mean 0.5, sample std sqrt(1/3) -> ±0.866025
    # group b: rewards -1, 0.5 -> mean -0.25, sample std sqrt(2*0.5625/1) = 1.06066 -> ∓0.707107
    adv = trr_advantages(["a", "a", "b", "a", "a", "b"], [1, 0, -1, 0, 1, 0.5])
    s = math.sqrt(1 / 3)
    expected = [0.5 / (s + EPS), -0.5 / (s + EPS), -0.75 / (1.0606601717798212 + EPS),
                -0.5 / (s + EPS), 0.5 / (s + EPS), 0.75 / (1.0606601717798212 + EPS)]
    assert adv == pytest.approx(expected)
    assert adv[0] == pytest.approx(0.866024, abs=1e-5)
    assert adv[2] == pytest.approx(-0.707106, abs=1e-5)


def test_per_token_weights_by_length():
    # rewards 1 (len 3) and 0 (len 1): token mean 0.75; token var = (3*0.0625 + 1*0.5625)/(4-1) = 0.25 -> std 0.5
    adv = trr_advantages(["g", "g"], [1.0, 0.0], lengths=[3, 1], unit="token")
    assert adv == pytest.approx([0.25 / (0.5 + EPS), -0.75 / (0.5 + EPS)])


def test_token_unit_with_equal_lengths_matches_sequence_ordering():
    seq = trr_advantages(["g"] * 3, [1.0, 0.0, 0.0])
    tok = trr_advantages(["g"] * 3, [1.0, 0.0, 0.0], lengths=[2, 2, 2], unit="token")
    assert seq[0] > 0 > seq[1] and tok[0] > 0 > tok[1]


def test_group_of_one_gives_zero():
    assert trr_advantages(["a", "b", "b"], [5.0, 1.0, 0.0])[0] == 0.0


def test_zero_variance_gives_zero_not_nan():
    adv = trr_advantages(["a"] * 4, [-1.0] * 4)
    assert adv == [0.0] * 4
    assert trr_advantages(["a", "a"], [1.0, 1.0], lengths=[5, 9], unit="token") == [0.0, 0.0]


def test_groups_do_not_mix():
    adv_alone = trr_advantages(["a", "a"], [1.0, 0.0])
    adv_mixed = trr_advantages(["a", "a", "b", "b"], [1.0, 0.0, 100.0, -100.0])
    assert adv_mixed[:2] == pytest.approx(adv_alone)


def test_token_unit_needs_lengths():
    with pytest.raises(ValueError, match="length"):
        trr_advantages(["a"], [1.0], unit="token")
    with pytest.raises(ValueError, match="unit"):
        trr_advantages(["a"], [1.0], unit="batch")
    with pytest.raises(ValueError, match="labels"):
        trr_advantages(["a"], [1.0, 2.0])
