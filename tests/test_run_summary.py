"""The closing lines of a training run say what happened, so a demo on a weak model is not mistaken for learning."""

import json
import math
import os
import subprocess
from datetime import datetime, timezone

from azr.config import load_config
from azr.selfplay import iteration_metrics
from flows.hints import next_steps, what_happened
from storage import RunStore


def _store_with(tmp_path, proposals, solves):
    """A run whose iteration 1 committed the metrics the pipeline computes from these records."""
    store = RunStore.create(tmp_path, {"note": "test"}, run_id="r1")
    now = datetime.now(timezone.utc).isoformat()
    base = {"task_type": "deduction", "format_ok": True, "response_tokens": 5}
    props = [dict(base, reward=None if p.get("holdout") else -0.5, **p) for p in proposals]
    sols = [dict(base, reward=-0.5, **s) for s in solves]
    metrics = iteration_metrics(props, sols, [], ["deduction", "abduction", "induction"])
    store.commit(1, {"run_id": "r1", "iteration": 1, "status": "committed", "started_at": now, "finished_at": now,
                     "step_seconds": "{}", "checkpoint": None,
                     "metrics": json.dumps({k: None if math.isnan(v) else v for k, v in metrics.items()})})
    return store


def test_a_run_without_valid_tasks_says_it_did_not_learn_and_how_to_run_real_self_play(tmp_path):
    props = [{"valid": False, "advantage": 0.0} for _ in range(6)]
    solves = [{"correct": False, "advantage": 0.0} for _ in range(6)]
    text = what_happened(_store_with(tmp_path, props, solves), load_config())
    assert "6 proposals, 0 valid; 6 training answers, 0 correct" in text
    assert "every TRR++ advantage was 0" in text
    assert "bundled SmolLM2-135M is too weak" in text and "not self-play learning" in text
    assert "bench/learning_bench.py --config configs/qwen2.5-coder-0.5b-1gpu.yaml" in text
    assert "configs/qwen2.5-coder-0.5b-cpu.yaml" in text


def test_a_run_with_signal_reports_counts_without_the_warning(tmp_path):
    props = [{"valid": True, "advantage": 0.7}, {"valid": True, "holdout": True, "advantage": None},
             {"valid": False, "advantage": -0.7}]
    solves = [{"correct": True, "advantage": 1.0}, {"correct": False, "advantage": -1.0}]
    text = what_happened(_store_with(tmp_path, props, solves), load_config())
    assert "3 proposals, 2 valid (1 held out); 2 training answers, 1 correct." in text
    assert "advantage was 0" not in text and "too weak" not in text
    assert "4 of 4 trained sequences had a non-zero TRR++ advantage" in text  # the held-out one is not trained


def test_a_real_model_without_valid_tasks_gets_advice_not_the_demo_warning(tmp_path):
    props = [{"valid": False, "advantage": 0.0}, {"valid": False, "advantage": 0.0}]
    solves = [{"correct": False, "advantage": 0.7}, {"correct": False, "advantage": -0.7}]
    cfg = load_config(overrides=["model.path=models/qwen2.5-coder-0.5b-instruct.gguf"])
    text = what_happened(_store_with(tmp_path, props, solves), cfg)
    assert "2 of 4 trained sequences had a non-zero TRR++ advantage" in text
    assert "qwen2.5-coder-0.5b-instruct.gguf wrote no valid task yet" in text and "too weak" not in text


def test_next_steps_are_commands_that_work_as_printed_from_any_directory(tmp_path):
    store = _store_with(tmp_path / "home", [{"valid": False, "advantage": 0.0}], [])
    text = next_steps(load_config(), store.home, "r1")
    commands = [line.strip() for line in text.splitlines() if " sql " in line or " resume " in line]
    assert len(commands) == 3 and all(f"--home {store.home}" in c for c in commands)
    assert "resume r1" in commands[-1]
    env = {k: v for k, v in os.environ.items() if k != "AZR_HOME"}  # nothing but the printed text locates the run
    for command in commands[:2]:
        out = subprocess.run(["bash", "-c", command], cwd="/", env=env, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, (command, out.stderr)
    assert "mlflow" in text and "--backend-store-uri sqlite:///" in text
