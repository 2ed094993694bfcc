"""Our own evaluation sets, bench/data/azr_deduction.jsonl and azr_abduction.jsonl (built by
bench/make_eval_sets.py): they load, are large and distinct enough, stay apart from deduction50.jsonl, every gold
output is confirmed by the real sandbox, and the builder reproduces the files exactly. No model; a few seconds."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from azr.config import SandboxConfig
from azr.evaluation import load_benchmark
from sandbox import Job, Sandbox

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
SETS = {"deduction": DATA / "azr_deduction.jsonl", "abduction": DATA / "azr_abduction.jsonl"}
MIN_ITEMS = 200


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def sb():
    with Sandbox(SandboxConfig(workers=2, timeout_s=5.0, memory_mb=256, max_output_chars=2000)) as s:
        yield s


@pytest.mark.parametrize("mode", sorted(SETS))
def test_set_loads_and_is_distinct(mode):
    path = SETS[mode]
    bench = load_benchmark(path, mode)
    assert len(bench) == bench.total >= MIN_ITEMS
    ids = [it.item_id for it in bench.items]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("azr-ded-" if mode == "deduction" else "azr-abd-") for i in ids)
    pairs = [(it.program, it.input) for it in bench.items]
    assert len(set(pairs)) == len(pairs)
    assert len({it.program for it in bench.items}) >= 120
    old = {row["code"] for row in _rows(DATA / "deduction50.jsonl")}
    assert not {it.program for it in bench.items} & old


def test_sets_share_few_programs():
    ded, abd = ({row["code"] for row in _rows(SETS[m])} for m in ("deduction", "abduction"))
    assert len(ded & abd) < 0.2 * min(len(ded), len(abd))


def test_deduction_gold_outputs_confirmed_by_sandbox(sb):
    rows = _rows(SETS["deduction"])
    # The program really returns the gold output (validate: two runs with fresh globals in a fresh process)...
    ran = sb.run([Job(id=row["id"], kind="validate", program=row["code"], input=row["input"]) for row in rows])
    bad = [(row["id"], r.error, r.detail) for row, r in zip(rows, ran, strict=True) if not r.ok]
    assert not bad, bad[:5]
    same = sb.run([Job(id=row["id"], kind="deduction", output=row["output"], answer=r.output)
                   for row, r in zip(rows, ran, strict=True)])
    wrong = [(row["id"], r.output, row["output"]) for row, r, c in zip(rows, ran, same, strict=True) if not c.ok]
    assert not wrong, wrong[:5]
    # ...and the gold output itself, submitted as the answer, is accepted.
    gold = sb.run([Job(id=row["id"], kind="deduction", output=row["output"], answer=row["output"]) for row in rows])
    assert not [(r.id, r.error, r.detail) for r in gold if not r.ok]


def test_abduction_inputs_reproduce_outputs_in_sandbox(sb):
    rows = _rows(SETS["abduction"])
    results = sb.run([Job(id=row["id"], kind="abduction", program=row["code"], output=row["output"],
                          answer=row["input"]) for row in rows])
    bad = [(row["id"], r.error, r.detail) for row, r in zip(rows, results, strict=True) if not r.ok]
    assert not bad, bad[:5]
    # Copying the shown output back as the answer never passes (no item is an idempotent shortcut).
    copied = sb.run([Job(id=row["id"], kind="abduction", program=row["code"], output=row["output"],
                         answer=row["output"]) for row in rows])
    assert not [r.id for r in copied if r.ok]


def test_copying_the_input_rarely_solves_deduction(sb):
    rows = _rows(SETS["deduction"])
    copied = sb.run([Job(id=row["id"], kind="deduction", output=row["output"], answer=row["input"]) for row in rows])
    assert sum(r.ok for r in copied) <= 0.05 * len(rows)


def test_builder_reproduces_the_files():
    spec = importlib.util.spec_from_file_location("make_eval_sets", ROOT / "bench" / "make_eval_sets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = module.build()
    assert set(built) == {p.name for p in SETS.values()}
    for path in SETS.values():
        assert path.read_text() == "\n".join(built[path.name]) + "\n", f"{path.name} is stale: re-run the builder"
