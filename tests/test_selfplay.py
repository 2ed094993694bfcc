"""One iteration's pure logic: proposals to tasks, answers to jobs, rewards to TRR++ advantages, metrics."""

import math
from dataclasses import dataclass, field

import pytest

from azr.config import AZRConfig
from azr.selfplay import (apply_validation, assign_rewards, check_job, iteration_metrics,
                          mark_holdout, proposal_record, solve_rates, solve_record, task_from_proposal, trainable,
                          validation_job, watch_flags)
from azr.task_types import Task, TaskType as T


@dataclass
class C:  # a completion, as the rollout engine returns it
    text: str
    token_ids: list = field(default_factory=lambda: [1, 2, 3])
    finish_reason: str = "stop"
    prompt_tokens: int = 10


@dataclass
class R:  # a sandbox result
    ok: bool
    output: str | None = None
    outputs: list | None = None
    error: str | None = None
    detail: str | None = None


GOOD = "t</think><answer>```python\ndef f(x):\n    return x * 2\n```\n```input\n3\n```</answer>"
PARENT = Task(task_type=T.DEDUCTION, program="def f(x):\n    return x * 2", input="3", output="6", task_id="t0")


def test_well_formed_proposal_becomes_a_validate_job():
    rec = proposal_record("p0", T.DEDUCTION, "prompt", C(GOOD), None, 10)
    assert rec["format_ok"] and rec["program"].startswith("def f")
    assert validation_job(rec) == {"id": "p0", "kind": "validate", "program": rec["program"], "input": "3"}


def test_malformed_proposal_keeps_the_reason_and_gets_no_job():
    rec = proposal_record("p0", T.DEDUCTION, "prompt", C("no structure"), None, 10)
    assert not rec["format_ok"] and rec["error"] == "format" and "</think>" in rec["detail"]
    assert validation_job(rec) is None


def test_induction_proposal_runs_the_parent_program_on_its_inputs():
    text = "t</think><answer>" + "".join(f"```input\n{i}\n```\n" for i in range(4)) + "```message\nm\n```</answer>"
    rec = proposal_record("p1", T.INDUCTION, "prompt", C(text), PARENT, 4)
    job = validation_job(rec)
    assert job["kind"] == "induction_inputs" and job["program"] == PARENT.program and job["inputs"] == list("0123")
    valid = apply_validation(rec, R(ok=True, outputs=["0", "2", "4", "6"]), "t1")
    task = task_from_proposal(valid)
    assert task.outputs == ["0", "2", "4", "6"] and task.message == "m" and task.task_id == "t1"


def test_induction_with_repeated_inputs_is_invalid():
    text = "t</think><answer>" + "```input\n1\n```\n" * 4 + "```message\nm\n```</answer>"
    rec = proposal_record("p1", T.INDUCTION, "prompt", C(text), PARENT, 4)
    out = apply_validation(rec, R(ok=True, outputs=["2"] * 4), "t1")
    assert not out["valid"] and out["error"] == "duplicate_inputs"


def test_sandbox_rejection_is_recorded():
    rec = proposal_record("p0", T.DEDUCTION, "prompt", C(GOOD), None, 10)
    out = apply_validation(rec, R(ok=False, error="banned_import", detail="imports os"), "t9")
    assert not out["valid"] and out["error"] == "banned_import" and out["task_id"] is None


def test_solver_jobs_hide_nothing_the_checker_needs():
    ind = Task(task_type=T.INDUCTION, program="def f(a):\n    return a", inputs=list("abcd"), outputs=list("abcd"),
               message="m", task_id="i")
    ans = "t</think><answer>```python\ndef f(a):\n    return a\n```</answer>"
    rec = solve_record("s0", ind, "prompt", C(ans), "train")
    job = check_job(rec, ind, shown=2)
    assert job["kind"] == "induction" and job["inputs"] == ["c", "d"] and job["outputs"] == ["c", "d"]
    ab = Task(task_type=T.ABDUCTION, program="def f(a):\n    return a", input="1", output="1", task_id="a")
    rec = solve_record("s1", ab, "prompt", C("t</think><answer>```input\n1\n```</answer>"), "train")
    assert check_job(rec, ab, 2) == {"id": "s1", "kind": "abduction", "program": ab.program, "output": "1",
                                     "answer": "1"}


def test_solve_rates_average_the_attempts():
    recs = [{"task_id": "a", "correct": c} for c in (True, False, False, True)] + [{"task_id": "b", "correct": False}]
    assert solve_rates(recs) == {"a": 0.5, "b": 0.0}


def _prop(pid, tt, valid, fmt=True, task_id=None):
    return {"proposal_id": pid, "task_type": tt, "valid": valid, "format_ok": fmt, "task_id": task_id,
            "response_tokens": 5, "response": ""}


def _sol(rid, tt, correct, fmt=True):
    return {"rollout_id": rid, "task_type": tt, "correct": correct, "format_ok": fmt, "response_tokens": 5,
            "purpose": "train", "response": ""}


def test_rewards_and_advantages_by_hand():
    cfg = AZRConfig()
    props = [_prop("p0", "deduction", True, task_id="t0"), _prop("p1", "deduction", False),
             _prop("p2", "deduction", False, fmt=False)]
    sols = [_sol("s0", "deduction", True), _sol("s1", "deduction", False), _sol("s2", "abduction", True)]
    p, s = assign_rewards(props, sols, {"t0": 0.25}, cfg)
    assert [x["reward"] for x in p] == [0.75, -0.5, -1.0]
    assert p[0]["solve_rate"] == 0.25 and p[1]["solve_rate"] is None
    assert [x["reward"] for x in s] == [1.0, -0.5, 1.0]
    # deduction/propose: rewards 0.75, -0.5, -1 -> mean -0.25, sample std 0.9014
    assert p[0]["advantage"] == pytest.approx(1.0 / 0.901388, rel=1e-4)
    # deduction/solve: 1, -0.5 -> ±0.7071; abduction/solve is a group of one -> 0
    assert s[0]["advantage"] == pytest.approx(0.707106, rel=1e-4) and s[2]["advantage"] == 0.0


def test_reference_learnability_setting_changes_extremes():
    cfg = AZRConfig.model_validate({"selfplay": {"rewards": {"learnability": "reference"}}})
    p, _ = assign_rewards([_prop("p0", "abduction", True, task_id="t0")], [], {"t0": 1.0}, cfg)
    assert p[0]["reward"] == -0.5


def test_watch_list_matches_whole_phrases_case_insensitively():
    phrases = ["outsmart", "intelligent machines"]
    assert watch_flags("The aim is to OUTSMART them all", phrases) == ["outsmart"]
    assert watch_flags("Intelligent machines and less", phrases) == ["intelligent machines"]
    assert watch_flags("outsmarting", phrases) == []
    assert watch_flags("nothing here", phrases) == []


def test_metrics_exist_for_every_type_even_when_undefined():
    m = iteration_metrics([], [], [], ["deduction", "induction"])
    for tt in ("deduction", "induction"):
        assert math.isnan(m[f"{tt}/solve_rate"]) and math.isnan(m[f"{tt}/learnability"])
    p = [dict(_prop("p0", "deduction", True, task_id="t0"), reward=0.5, advantage=0.0, solve_rate=0.5)]
    s = [dict(_sol("s0", "deduction", True), reward=1.0, advantage=0.0)]
    m = iteration_metrics(p, s, [], ["deduction"])
    assert m["deduction/valid_rate"] == 1.0 and m["deduction/solve_rate"] == 1.0
    assert m["deduction/learnability"] == 0.5 and m["deduction/propose/reward_mean"] == 0.5


def test_holdout_takes_the_configured_share_of_valid_proposals_only():
    props = [_prop(f"p{i}", tt, i % 4 != 3, task_id=f"t{i}") for i in range(400)
             for tt in ("deduction",)] + [_prop(f"q{i}", "abduction", True, task_id=f"u{i}") for i in range(200)]
    out = mark_holdout(props, 0.25, seed=7)
    held = [r for r in out if r["holdout"]]
    assert all(r["valid"] for r in held)  # invalid proposals are never held out
    ded = sum(1 for r in held if r["task_type"] == "deduction")
    assert ded == 75  # 25% of the 300 valid deduction proposals (exact: 75.0 needs no rounding)
    assert sum(1 for r in held if r["task_type"] == "abduction") == 50
    assert mark_holdout(props, 0.25, seed=7) == out  # reproducible from the seed
    assert not any(trainable(r) for r in held)
    assert not any(r["holdout"] for r in mark_holdout(props, 0.0, seed=7))


def test_holdout_rounds_stochastically_so_small_batches_still_hold_out_on_average():
    props = [_prop("p0", "deduction", True, task_id="t0"), _prop("p1", "deduction", True, task_id="t1")]
    held = [sum(r["holdout"] for r in mark_holdout(props, 0.25, seed=s)) for s in range(400)]
    assert set(held) == {0, 1}
    assert 0.35 < sum(held) / len(held) < 0.65  # expected 0.5 of a task per iteration


def test_held_out_proposals_get_no_reward_and_stay_out_of_the_trr_groups():
    cfg = AZRConfig()
    props = [_prop("p0", "deduction", True, task_id="t0"), _prop("p1", "deduction", False),
             dict(_prop("p2", "deduction", True, task_id="t2"), holdout=True)]
    p, _ = assign_rewards(props, [], {"t0": 0.25}, cfg)
    assert p[2]["reward"] is None and p[2]["advantage"] is None and p[2]["solve_rate"] is None
    # the group is p0 (0.75) and p1 (-0.5) alone, exactly as if p2 had never been proposed
    alone, _ = assign_rewards(props[:2], [], {"t0": 0.25}, cfg)
    assert [x["advantage"] for x in p[:2]] == [x["advantage"] for x in alone]
    m = iteration_metrics(p, [], [], ["deduction"])
    assert m["deduction/heldout"] == 1.0 and m["deduction/valid"] == 2.0
    assert m["deduction/learnability"] == 0.75  # the held-out task has no learnability
