"""Evaluation logic with a scripted engine and a fake sandbox: every mode, answer extraction, pass@k, model
references and benchmark validation. Fast: no model, no MLflow."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from evaluation_fakes import FakeSandbox, ScriptedEngine, job_factory, script_by_key, wrap

from azr.evaluation import (EVAL_COLUMNS, BenchmarkError, ModelRefError, build_prompt, evaluate, extract_answer,
                            load_benchmark, pass_at_k, resolve_model_ref)
from azr.evaluation.metrics import mean_pass_at_k, report_ks
from azr.evaluation.prompts import complete_program, item_task
from azr.prompts import solve_prompt

FIX = Path(__file__).parent / "fixtures"
CRUX = FIX / "crux_small.jsonl"
HUMANEVAL = FIX / "humaneval_small.jsonl"


def run(mode, bench, answers, samples=1, **kw):
    engine = ScriptedEngine(script_by_key(answers, default=wrap("```output\nunknown\n```")))
    report = evaluate(engine, None, FakeSandbox(), bench, mode, samples=samples, job_factory=job_factory(),
                      model_name="scripted", **kw)
    return report, engine


def by_item(report):
    return {r["item_id"]: r for r in report.rows}


# --------------------------------------------------------------------------- deduction

def test_deduction_scores_correct_wrong_malformed_and_non_literal_answers():
    answers = {
        "return n * 2": [wrap("```output\n42\n```")],                       # correct
        "return s[::-1]": [wrap("```output\n'stone'\n```")],                # wrong value
        "xs.count(x)": ["I think it is 3 <answer>3</answer>"],              # no </think>: format error
        "sorted(d.items())": [wrap("```output\nsorted({'a': 1})\n```")],    # not a literal
        "while n != 10": [wrap("```output\n(10)\n```")],                    # same value, other spelling
    }
    report, engine = run("deduction", CRUX, answers)
    rows = by_item(report)
    assert [rows[i]["correct"] for i in ("d-double", "d-reverse", "d-count", "d-dict", "d-steps")] == \
        [True, False, False, False, True]
    assert rows["d-double"]["error"] is None and rows["d-double"]["answer"] == "42"
    assert rows["d-reverse"]["error"] == "wrong"
    assert rows["d-count"]["error"] == "format" and rows["d-count"]["answer"] is None
    assert "</think>" in rows["d-count"]["detail"]
    assert rows["d-dict"]["error"] == "bad_answer"
    m = report.metrics
    assert m["pass@1"] == pytest.approx(2 / 5)
    assert m["format_error_rate"] == pytest.approx(1 / 5)
    assert m["errors/wrong"] == 1 and m["errors/format"] == 1 and m["errors/bad_answer"] == 1
    assert report.n_items == 5 and set(report.timing) >= {"generation_s", "check_s", "total_s", "tokens_per_s"}
    assert engine.calls[0]["temperature"] == 0.0 and engine.calls[0]["n"] == 1


def test_deduction_prompt_is_the_training_solver_prompt():
    bench = load_benchmark(CRUX, "deduction")
    item = bench.items[0]
    text = build_prompt(item, "deduction", "r1")
    assert text == solve_prompt(item_task(item, "deduction")).render("r1")
    assert item.program in text and item.input in text and item.output not in text.split("```input")[1]
    abd = build_prompt(item, "abduction", "r1")
    assert abd == solve_prompt(item_task(item, "abduction")).render("r1") and "```output\n42" in abd


# --------------------------------------------------------------------------- abduction

def test_abduction_runs_f_on_the_answer_and_catches_timeouts_and_injection():
    answers = {
        "return n * 2": [wrap("```input\n21\n```")],                        # f(21) == 42
        "return s[::-1]": [wrap("```input\n'enots'\n```")],                 # f gives 'stone' != 'enots'
        "xs.count(x)": [wrap("```input\n[0, 1, 1, 1], 1\n```")],            # another input that works
        "sorted(d.items())": [wrap("```input\n1) or True or (0\n```")],     # reward hack: not an argument list
        "while n != 10": [wrap("```input\n5\n```")],                        # odd start never reaches 10
    }
    report, _ = run("abduction", CRUX, answers)
    rows = by_item(report)
    assert rows["d-double"]["correct"] and rows["d-count"]["correct"]
    assert rows["d-reverse"]["error"] == "wrong"
    assert rows["d-dict"]["error"] == "bad_answer" and not rows["d-dict"]["correct"]
    assert rows["d-steps"]["error"] == "timeout"
    assert report.metrics["pass@1"] == pytest.approx(2 / 5)
    assert report.metrics["errors/timeout"] == 1


# --------------------------------------------------------------------------- codegen

def test_codegen_full_function_body_only_helpers_wrong_and_timeout():
    full_add = wrap("```python\ndef add(a: int, b: int) -> int:\n    return a + b\n```")
    body_evens = wrap("```python\n    return [x for x in xs if x % 2 == 0]\n```")
    helper_shout = wrap("```python\ndef shout(s):\n    return _clean(s).upper()\n```")
    wrong_add = wrap("```python\ndef add(a, b):\n    return a * b\n```")
    loop_evens = wrap("```python\ndef evens(xs):\n    while True:\n        pass\n```")
    answers = {"def add(": [full_add, wrong_add], "def evens(": [body_evens, loop_evens],
               "def shout(": [helper_shout, "no format at all"]}
    report, engine = run("codegen", HUMANEVAL, answers, samples=2, temperature=0.8)
    rows = {(r["item_id"], r["sample"]): r for r in report.rows}
    assert rows[("Mini/0", 0)]["correct"] and rows[("Mini/0", 1)]["error"] == "wrong"
    assert rows[("Mini/1", 0)]["correct"] and rows[("Mini/1", 1)]["error"] == "timeout"
    assert rows[("Mini/2", 0)]["correct"] and rows[("Mini/2", 1)]["error"] == "format"
    # each item: 1 of 2 correct -> pass@1 = 0.5, pass@2 = 1
    assert report.metrics["pass@1"] == pytest.approx(0.5)
    assert report.metrics["pass@2"] == pytest.approx(1.0)
    assert engine.calls[0]["n"] == 2 and "hidden unit tests" in engine.calls[0]["prompts"][0]


def test_codegen_program_assembly():
    item = load_benchmark(HUMANEVAL, "codegen").items[1]
    full = complete_program(item, "def evens(xs):\n    return xs")
    assert full.startswith("from typing import List") and full.rstrip().endswith("return xs")
    body = complete_program(item, "return [x for x in xs]")
    assert "\n    return [x for x in xs]" in body
    compile(full, "x", "exec"), compile(body, "x", "exec")
    ext = extract_answer(wrap("```python\n```\ntext"), "codegen", item)
    assert ext.answer is None and "python" in ext.error


def test_samples_give_unbiased_pass_at_k():
    # d-double: 1 of 3 right, d-reverse: 2 of 3, others 0 of 3.
    right, wrong = wrap("```output\n42\n```"), wrap("```output\n0\n```")
    answers = {"return n * 2": [right, wrong, wrong],
               "return s[::-1]": [wrap("```output\n'enots'\n```")] * 2 + [wrong]}
    report, _ = run("deduction", CRUX, answers, samples=3, temperature=1.0)
    assert report_ks(3) == [1, 3]
    assert report.metrics["pass@1"] == pytest.approx((1 / 3 + 2 / 3) / 5)
    assert report.metrics["pass@3"] == pytest.approx(2 / 5)
    assert len(report.rows) == 15 and {r["sample"] for r in report.rows} == {0, 1, 2}


def test_limit_and_table_rows():
    report, engine = run("deduction", CRUX, {}, limit=2)
    assert report.n_items == 2 and len(engine.calls[0]["prompts"]) == 2
    rows = report.table_rows("run-x", 3)
    assert list(rows[0]) == list(EVAL_COLUMNS)
    assert rows[0]["run_id"] == "run-x" and rows[0]["iteration"] == 3 and rows[0]["model"] == "scripted"
    try:
        from storage.schemas import EvalRow
    except ImportError:
        return
    for r in rows:
        EvalRow.model_validate(r)


# --------------------------------------------------------------------------- pass@k

@pytest.mark.parametrize("n,c,k,expected", [
    (1, 1, 1, 1.0), (1, 0, 1, 0.0),
    (3, 1, 1, 1 / 3), (3, 1, 2, 2 / 3), (3, 1, 3, 1.0),
    (5, 2, 2, 1 - 3 / 10),            # 1 - C(3,2)/C(5,2)
    (10, 3, 5, 1 - 21 / 252),         # 1 - C(7,5)/C(10,5)
    (4, 0, 4, 0.0), (4, 4, 1, 1.0),
    (200, 10, 100, 1 - math.comb(190, 100) / math.comb(200, 100)),
])
def test_pass_at_k_matches_hand_computed_values(n, c, k, expected):
    assert pass_at_k(n, c, k) == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_pass_at_k_rejects_bad_arguments():
    for args in [(2, 1, 3), (0, 0, 1), (3, 4, 1), (3, -1, 1), (3, 1, 0)]:
        with pytest.raises(ValueError):
            pass_at_k(*args)
    assert mean_pass_at_k([(2, 1), (2, 2)], 1) == pytest.approx(0.75)
    assert report_ks(1) == [1] and report_ks(10) == [1, 5, 10] and report_ks(20) == [1, 5, 10, 20]


# --------------------------------------------------------------------------- model references

def _fake_checkpoint(folder: Path, sub: str = "model") -> Path:
    d = folder / sub if sub else folder
    d.mkdir(parents=True)
    (d / "config.json").write_text("{}")
    (d / "model.safetensors").write_bytes(b"")
    return d


def test_run_id_and_iteration_resolution(tmp_path):
    home = tmp_path / "home"
    ck = home / "runs" / "run-a" / "checkpoints"
    one = _fake_checkpoint(ck / "1")
    three = _fake_checkpoint(ck / "3", sub="")       # model files directly in the checkpoint folder
    (ck / "2").mkdir()                                # unfinished checkpoint: ignored
    assert resolve_model_ref("run-a@1", home) == one
    assert resolve_model_ref("run-a@3", home) == three
    assert resolve_model_ref("run-a", home) == three  # newest
    with pytest.raises(ModelRefError, match=r"no checkpoint for iteration 2; available iterations: 1, 3"):
        resolve_model_ref("run-a@2", home)
    with pytest.raises(ModelRefError, match=r"runs there: run-a"):
        resolve_model_ref("run-b@1", home)
    with pytest.raises(ModelRefError, match="whole-number"):
        resolve_model_ref("run-a@latest", home)
    (home / "runs" / "empty").mkdir()
    with pytest.raises(ModelRefError, match="no checkpoints yet"):
        resolve_model_ref("empty", home)
    with pytest.raises(ModelRefError, match="does not exist"):
        resolve_model_ref("./missing/folder", home)
    # a folder path works for a model folder and for a checkpoint folder
    assert resolve_model_ref(str(one), home) == one
    assert resolve_model_ref(str(ck / "1"), home) == one


def test_run_id_resolution_uses_azr_home(azr_home):
    d = _fake_checkpoint(azr_home / "runs" / "r" / "checkpoints" / "0")
    assert resolve_model_ref("r@0") == d


# --------------------------------------------------------------------------- benchmark files

def _write(tmp_path, lines, name="b.jsonl"):
    p = tmp_path / name
    p.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")
    return p


GOOD = {"code": "def f(x):\n    return x", "input": "1", "output": "1", "id": "a"}


@pytest.mark.parametrize("lines,mode,pattern", [
    ([GOOD, "{not json"], "deduction", r"b\.jsonl line 2: not valid JSON"),
    ([GOOD, {"code": "def f(x): return x", "input": "1", "id": "b"}], "deduction",
     r"line 2: missing field 'output'"),
    ([{"task_id": "t", "prompt": "def g():\n", "entry_point": "g", "test": "def check(c): pass"}], "deduction",
     r"line 1: missing fields .*use --mode codegen"),
    ([GOOD], "codegen", r"line 1: missing fields .*use --mode deduction or --mode abduction"),
    ([{**GOOD, "code": "def g(x):\n    return x"}], "abduction", r"line 1: 'code' must define a top-level function `f`"),
    ([{**GOOD, "code": "def f(x:\n"}], "deduction", r"line 1: 'code' is not valid Python"),
    ([{**GOOD, "input": "1,, 2"}], "deduction", r"line 1: 'input' .* not a valid argument list"),
    ([{**GOOD, "output": ""}], "deduction", r"line 1: 'output' .* not a Python expression"),
    ([{**GOOD, "input": 1}], "deduction", r"line 1: field 'input' must be a string, got int"),
    ([GOOD, "", GOOD], "deduction", r"line 3: id 'a' repeats line 1"),
    (["[1, 2]"], "deduction", r"line 1: expected a JSON object, got list"),
    ([{"task_id": "t", "prompt": "def g():\n", "entry_point": "g", "test": "assert True"}], "codegen",
     r"line 1: 'test' must define `check\(candidate\)`"),
    ([{"task_id": "t", "prompt": "def g():\n", "entry_point": "h", "test": "def check(c): pass"}], "codegen",
     r"line 1: 'prompt' does not contain `def h`"),
])
def test_bad_benchmark_lines_name_file_and_line(tmp_path, lines, mode, pattern):
    with pytest.raises(BenchmarkError, match=pattern):
        load_benchmark(_write(tmp_path, lines), mode)


def test_benchmark_file_level_errors_and_limit(tmp_path):
    with pytest.raises(BenchmarkError, match="does not exist"):
        load_benchmark(tmp_path / "nope.jsonl", "deduction")
    with pytest.raises(BenchmarkError, match="empty"):
        load_benchmark(_write(tmp_path, [""]), "deduction")
    with pytest.raises(BenchmarkError, match="unknown mode"):
        load_benchmark(CRUX, "induction")
    b = load_benchmark(CRUX, "abduction", limit=3)
    assert len(b) == 3 and b.total == 5 and b.name == "crux_small" and b.items[0].line == 1
    h = load_benchmark(HUMANEVAL, "codegen")
    assert [i.item_id for i in h.items] == ["Mini/0", "Mini/1", "Mini/2"] and h.items[0].entry_point == "add"
    # integer ids are accepted and kept as text
    assert load_benchmark(_write(tmp_path, [{**GOOD, "id": 7}], "ints.jsonl"), "deduction").items[0].item_id == "7"


def test_deduction50_fixture_is_valid():
    b = load_benchmark(Path(__file__).parent.parent / "bench" / "data" / "deduction50.jsonl", "deduction")
    assert len(b) == 50


def test_latest_prefers_the_newest_committed_checkpoint(tmp_path):
    storage = pytest.importorskip("storage")
    home = tmp_path / "home"
    store = storage.RunStore.create(home, {}, run_id="run-c")
    one = _fake_checkpoint(store.checkpoint_dir(1, create=False))
    two = _fake_checkpoint(store.checkpoint_dir(2, create=False))  # written, but its iteration never committed
    store.commit(1, {"checkpoint": 1}, refresh=False)
    assert resolve_model_ref("run-c", home) == one
    assert resolve_model_ref("run-c@2", home) == two
