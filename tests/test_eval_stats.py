"""Intervals of the learning benchmark: Wilson for one accuracy, Newcombe's paired interval for a change."""

import random

import pytest

from azr.evaluation.stats import paired_change, wilson_interval


def test_wilson_interval_matches_the_textbook_value_and_stays_in_range():
    lo, hi = wilson_interval(81, 263)  # the 81/263 example of Newcombe (1998), single-proportion intervals
    assert lo == pytest.approx(0.2553, abs=5e-4) and hi == pytest.approx(0.3662, abs=5e-4)
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(10, 10)[1] == pytest.approx(1.0)
    assert wilson_interval(0, 10)[1] > 0.0  # zero successes still leave room above 0
    with pytest.raises(ValueError, match="between 0 and n"):
        wilson_interval(11, 10)


def test_paired_change_counts_flips_and_covers_the_point_estimate():
    before = [True] * 50 + [False] * 150
    after = [True] * 45 + [False] * 5 + [True] * 30 + [False] * 120
    ch = paired_change(before, after)
    assert (ch.n, ch.gained, ch.lost) == (200, 30, 5)
    assert ch.before == 0.25 and ch.after == 0.375 and ch.delta == pytest.approx(0.125)
    assert ch.delta_ci[0] < ch.delta < ch.delta_ci[1]
    assert ch.significant  # 30 gained against 5 lost on 200 items is a real change


def test_no_flips_means_no_evidence_of_change():
    same = [True] * 60 + [False] * 140
    ch = paired_change(same, same)
    assert ch.delta == 0.0 and ch.delta_ci[0] < 0 < ch.delta_ci[1] and not ch.significant


def test_balanced_flips_are_not_significant_and_more_items_narrow_the_interval():
    small = paired_change([True, False] * 20, [False, True] * 20)
    assert not small.significant
    rng = random.Random(0)
    b = [rng.random() < 0.4 for _ in range(2000)]
    a = [x if rng.random() < 0.8 else rng.random() < 0.5 for x in b]
    big = paired_change(b, a)
    assert (big.delta_ci[1] - big.delta_ci[0]) < (small.delta_ci[1] - small.delta_ci[0]) / 3


def test_large_samples_agree_with_the_normal_approximation_of_paired_differences():
    rng = random.Random(1)
    b = [rng.random() < 0.3 for _ in range(20000)]
    a = [x or rng.random() < 0.1 for x in b]
    ch = paired_change(b, a)
    diffs = [int(y) - int(x) for x, y in zip(b, a)]
    mean = sum(diffs) / len(diffs)
    sd = (sum((d - mean) ** 2 for d in diffs) / (len(diffs) - 1)) ** 0.5
    half = 1.96 * sd / len(diffs) ** 0.5
    assert ch.delta_ci[0] == pytest.approx(mean - half, abs=2e-3)
    assert ch.delta_ci[1] == pytest.approx(mean + half, abs=2e-3)


def test_mismatched_or_empty_inputs():
    with pytest.raises(ValueError, match="same items"):
        paired_change([True], [True, False])
    assert paired_change([], []).n == 0
