"""bench/learning_bench.py: evaluate, train through the flow's own steps, evaluate again, report with intervals.

The CLI runs for real on the tiny model (with Prefect, and in a process where Prefect, MLflow and DuckDB cannot be
imported, as on a bare GPU image); the held-out logic runs in-process with the scripted engine, the only way to get
valid proposals on CPU."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench" / "learning_bench.py"
pytestmark = pytest.mark.slow

BLOCK = """
import runpy, sys
for name in ("prefect", "mlflow", "duckdb"):
    sys.modules[name] = None  # `import name` raises ImportError, as if it were not installed
sys.argv = [{bench!r}] + sys.argv[1:]
runpy.run_path({bench!r}, run_name="__main__")
"""


def tiny_args(model_dir: Path, out: Path, iterations: int) -> list[str]:
    return ["--config", "configs/tiny-cpu.yaml", "--iterations", str(iterations), "--set", f"model.path={model_dir}",
            "--set", "rollout.max_new_tokens=12", "--set", "sandbox.workers=1", "--eval-limit", "3",
            "--eval-max-new-tokens", "6", "--out", str(out)]


def run_bench(args: list[str], block: bool = False, timeout: int = 600) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-c", BLOCK.format(bench=str(BENCH))] if block else [sys.executable, str(BENCH)]
    env = dict(os.environ, PYTHONPATH="")  # nothing but the checkout itself, as on a bare image
    return subprocess.run(cmd + args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def test_two_tiny_iterations_print_the_table_and_write_the_curves(tiny_model_dir, tmp_path):
    out = tmp_path / "out"
    proc = run_bench(tiny_args(tiny_model_dir, out, 2))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "steps as Prefect flow runs" in proc.stdout
    assert "base %" in proc.stdout and "trained %" in proc.stdout
    for name in ("azr_deduction", "azr_abduction"):
        assert any(line.startswith(name) for line in proc.stdout.splitlines())
    assert (out / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    results = json.loads((out / "results.json").read_text())
    assert [r["iteration"] for r in results["curves"]] == [1, 2]
    assert {s["set"] for s in results["sets"]} == {"azr_deduction", "azr_abduction"}
    assert all(s["items"] == 3 for s in results["sets"])
    assert results["seconds"]["step update"] > 0 and "seed buffers" in results["seconds"]
    assert results["config"]["selfplay"]["holdout_fraction"] == 0.2  # the bench's default when the preset has none
    # an ordinary run: both iterations committed, every scored item in the evals table
    from storage import RunStore

    store = RunStore.open(Path(results["home"]), results["run_id"])
    assert store.committed_iterations() == [0, 1, 2] and store.meta["status"] == "finished"
    assert results["seconds"]["total"] >= sum(v for k, v in results["seconds"].items() if k.startswith("step "))
    run = store.root
    evals = [pq.read_table(p).to_pylist() for p in sorted((run / "evals").glob("*.parquet"))]
    assert sorted(len(rows) for rows in evals) == [3, 3, 3, 3]
    assert {rows[0]["iteration"] for rows in evals} == {0, 2}


def test_without_prefect_mlflow_or_duckdb_the_same_steps_run_as_plain_calls(tiny_model_dir, tmp_path):
    out = tmp_path / "out"
    proc = run_bench(tiny_args(tiny_model_dir, out, 1) + [
        "--no-builtin-sets", "--benchmark", "bench/data/deduction50.jsonl", "--mode", "deduction",
        "--benchmark", "tests/fixtures/humaneval_small.jsonl", "--mode", "codegen"], block=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "plain calls (Prefect is not installed)" in proc.stdout
    for step in ("propose:", "validate:", "learnability:", "solve:", "score:", "update:", "iteration 1:"):
        assert step in proc.stdout  # the flow's tasks, in the flow's order, printing their own lines
    results = json.loads((out / "results.json").read_text())
    assert [(s["set"], s["mode"]) for s in results["sets"]] == [("deduction50", "deduction"),
                                                                 ("humaneval_small", "codegen")]
    from storage import RunStore

    store = RunStore.open(Path(results["home"]), results["run_id"])
    assert store.committed_iterations() == [0, 1]


def test_bad_input_fails_before_any_model_loads_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    proc = run_bench(["--config", "configs/tiny-cpu.yaml", "--benchmark", "nope.jsonl", "--mode", "deduction",
                      "--out", str(out)], timeout=120)
    assert proc.returncode == 2 and "nope.jsonl" in proc.stderr and "does not exist" in proc.stderr
    proc = run_bench(["--config", "configs/tiny-cpu.yaml", "--benchmark", "a.jsonl", "--benchmark", "b.jsonl",
                      "--mode", "deduction", "--mode", "abduction", "--mode", "codegen"], timeout=120)
    assert proc.returncode == 2 and "one per --benchmark" in proc.stderr
    proc = run_bench(["--config", "configs/tiny-cpu.yaml", "--set", "selfplay.batchsize=2", "--out", str(out)],
                     timeout=120)
    assert proc.returncode == 2 and "did you mean 'selfplay.batch_size'" in proc.stderr
    proc = run_bench(["--config", "configs/tiny-cpu.yaml", "--set", "model.path=models/nothing-here.gguf",
                      "--out", str(out)], timeout=120)
    assert proc.returncode == 2 and "'models/nothing-here.gguf' does not exist" in proc.stderr
    proc = run_bench(["--config", "configs/tiny-cpu.yaml", "--set", "trainer.backend=deepspeed", "--set",
                      "trainer.zero_stage=3", "--out", str(out)], timeout=120)
    assert proc.returncode == 2 and "ZeRO-3" in proc.stderr and "--holdout 0" in proc.stderr
    if not __import__("torch").cuda.is_available():
        proc = run_bench(["--config", "configs/qwen2.5-coder-0.5b-1gpu.yaml", "--set", "model.path=bundled",
                          "--out", str(out)], timeout=120)
        assert proc.returncode == 2 and "no CUDA device is visible" in proc.stderr
    assert not out.exists()


def test_held_out_tasks_are_scored_by_the_trained_and_then_the_restored_base_weights(
        prefect_harness, tiny_model_dir, tmp_path, monkeypatch):
    import torch
    from scripted_engine import ScriptedEngine

    sys.path.insert(0, str(ROOT / "bench"))
    import learning_bench

    from flows import runtime

    seen: list[tuple[str, torch.Tensor]] = []  # (first prompt, a weight as the engine's model held it)
    original = runtime.Runtime._load_policy

    def scripted(self):
        tok, trainer, _ = original(self)
        engine = ScriptedEngine(tok)
        generate = engine.generate

        def spy(prompts, **kw):
            seen.append((prompts[0] if prompts else "", trainer.model.lm_head.weight.detach().clone()))
            return generate(prompts, **kw)

        engine.generate = spy
        return tok, trainer, engine

    monkeypatch.setattr(runtime.Runtime, "_load_policy", scripted)
    out = tmp_path / "out"
    args = learning_bench.parse_args([
        "--config", "configs/tiny-cpu.yaml", "--iterations", "2", "--set", f"model.path={tiny_model_dir}",
        "--set", "sandbox.workers=1", "--set", "selfplay.seed_tasks_per_type=3", "--set", "trainer.lr=1e-2",
        "--set", "selfplay.holdout_fraction=0.5", "--eval-limit", "2", "--out", str(out)])  # the config's share
    assert learning_bench.main_with(args) == 0
    results = json.loads((out / "results.json").read_text())
    assert results["config"]["selfplay"]["holdout_fraction"] == 0.5  # kept, not replaced by the bench's default
    held = {s["set"]: s for s in results["sets"] if s["kind"] == "heldout"}
    assert set(held) == {"heldout-deduction", "heldout-abduction", "heldout-induction"}
    assert all(s["items"] == 2 for s in held.values())  # B=2, half held out, 2 iterations
    assert held["heldout-deduction"]["base"] == 1.0 == held["heldout-deduction"]["trained"]  # the script's answers
    base_weight, last = seen[0][1], seen[-1]
    trained_weight = seen[-2][1]
    assert not torch.equal(base_weight, trained_weight)  # training moved the weights (lr 1e-2)
    assert torch.equal(last[1], base_weight)  # the last generation (base on held-out) saw the base weights again
