"""The iteration flow with a scripted proposer/solver (real Prefect, sandbox, storage, MLflow and trainer), so
valid proposals, learnability, correct and wrong answers and the watch list all occur, which a random tiny model
never produces. The engine is the only stand-in: these tests are about the pipeline's logic around it."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from azr.config import load_config

pytestmark = pytest.mark.slow


@dataclass
class Comp:
    text: str
    token_ids: list
    finish_reason: str
    prompt_tokens: int


class ScriptedEngine:
    """Proposes `f(x) = x * k` programs; answers deduction right on even attempts and wrong on odd ones."""

    def __init__(self, tokenizer):
        self.tok = tokenizer
        self.calls = 0
        self.stats = {}

    def encode(self, prompts):
        return [self.tok(p, add_special_tokens=False)["input_ids"] for p in prompts]

    def _reply(self, prompt: str, j: int) -> str:
        self.calls += 1
        k = self.calls % 7 + 2
        if "Design a new Python programming puzzle" in prompt:
            return (f"I will outsmart the solver.</think><answer>```python\ndef f(x):\n    return x * {k}\n```\n"
                    f"```input\n{k}\n```</answer>")
        if "different inputs for `f`" in prompt:
            n = int(re.search(r"Write (\d+) different inputs", prompt).group(1))
            blocks = "".join(f"```input\n{i + 1}\n```\n" for i in range(n))
            return f"t</think><answer>{blocks}```message\nIt multiplies.\n```</answer>"
        if "Work out what this Python function returns" in prompt:
            prog = re.search(r"```python\n(.*?)```", prompt, re.S).group(1)
            arg = re.search(r"```input\n(.*?)\n```", prompt, re.S).group(1)
            scope: dict = {}
            exec(prog, scope)  # the test's own programs, not model output
            value = scope["f"](eval(arg))
            value = value if j % 2 == 0 else [value, "wrong"]
            return f"t</think><answer>```output\n{value!r}\n```</answer>"
        if "Find an input" in prompt:
            return "t</think><answer>```input\n1) or True or (0\n```</answer>"  # the injection hack: must fail
        return "no format at all"

    def generate(self, prompts, n=1, temperature=1.0, top_p=1.0, max_new_tokens=16, seed=None, progress=False):
        out = []
        for p in prompts:
            comps = []
            for j in range(n):
                text = self._reply(p, j)
                ids = self.tok(text, add_special_tokens=False)["input_ids"][:40] + [self.tok.eos_token_id]
                comps.append(Comp(text, ids, "stop", len(self.encode([p])[0])))
            out.append(comps)
        self.stats = {"tokens": sum(len(c.token_ids) for cs in out for c in cs), "seconds": 0.01}
        return out


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
