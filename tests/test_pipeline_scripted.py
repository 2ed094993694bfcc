"""The iteration flow with a scripted proposer/solver (real Prefect, sandbox, storage, MLflow and trainer), so
valid proposals, learnability, correct and wrong answers and the watch list all occur, which a random tiny model
never produces. The engine is the only stand-in: these tests are about the pipeline's logic around it."""

from __future__ import annotations

import pytest
from scripted_engine import ScriptedEngine

from azr.config import load_config

pytestmark = pytest.mark.slow


def test_scripted_iteration_produces_tasks_rewards_and_flags(prefect_harness, tiny_model_dir, tmp_path, monkeypatch):
    from flows import runtime
    from flows.train import train
    from storage import RunStore
    from storage.catalog import query

    original = runtime.Runtime._load_policy

    def scripted(self):
        tok, trainer, _ = original(self)
        return tok, trainer, ScriptedEngine(tok)

    monkeypatch.setattr(runtime.Runtime, "_load_policy", scripted)
    home = tmp_path / "home"
    cfg = load_config(overrides=[f"model.path={tiny_model_dir}", f"run.home={home}", "run.iterations=1",
                                 "sandbox.workers=1", "selfplay.seed_tasks_per_type=3", "selfplay.seed_max_attempts=2",
                                 "selfplay.holdout_fraction=0.5"])  # B=2: exactly one task per type held out
    run_id = train(config=cfg)
    store = RunStore.open(home, run_id)
    q = lambda sql: query(home, sql).to_pylist()  # noqa: E731

    seeds = {r["task_type"]: r["n"] for r in q("select task_type, count(*) n from tasks where iteration = 0 group by 1")}
    assert seeds == {"deduction": 3, "abduction": 3, "induction": 3}
    props = q("select task_type, valid, solve_rate, reward from proposals where iteration = 1 order by proposal_id")
    assert all(p["valid"] for p in props)
    trained = [p for p in props if p["reward"] is not None]
    assert len(trained) == 3  # the held-out half has no reward
    ded = [p for p in trained if p["task_type"] == "deduction"]
    # two learnability attempts, one right and one wrong: r̄ = 0.5, proposer reward 1 − r̄ = 0.5
    assert all(p["solve_rate"] == 0.5 and p["reward"] == 0.5 for p in ded)
    abd = [p for p in trained if p["task_type"] == "abduction"]
    assert all(p["solve_rate"] == 0.0 and p["reward"] == 0.0 for p in abd)  # the injection never solves
    solves = q("select task_type, correct, reward, advantage from rollouts where iteration = 1 and role = 'solve' "
               "and purpose = 'train'")
    assert {s["reward"] for s in solves if s["task_type"] == "abduction"} == {-0.5}
    assert any(s["correct"] for s in solves if s["task_type"] == "deduction")
    flagged = q("select count(*) n from rollouts where flagged and list_contains(flag_phrases, 'outsmart')")
    assert flagged[0]["n"] > 0
    held = q("select task_id, task_type from heldout where iteration = 1 order by 2")
    assert [h["task_type"] for h in held] == ["abduction", "deduction", "induction"]
    held_ids = [h["task_id"] for h in held]
    assert not q(f"select * from tasks where task_id in {tuple(held_ids)}")  # never buffered
    assert not q(f"select * from rollouts where role = 'solve' and task_id in {tuple(held_ids)}")  # never solved
    held_props = q("select purpose, trained, reward from rollouts where role = 'propose' and purpose = 'holdout'")
    assert len(held_props) == 3 and not any(r["trained"] or r["reward"] is not None for r in held_props)
    metrics = store.read_rows(1, "iterations")[0]["metrics"]
    assert '"deduction/learnability": 0.5' in metrics
