"""End to end: real Prefect flow runs, real sandbox, a real (tiny) model, SQLite MLflow, Parquet + DuckDB."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from azr.config import load_config

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"

pytestmark = pytest.mark.slow


def tiny_overrides(model_dir: Path, home: Path, iterations: int = 2) -> list[str]:
    return [
        f"model.path={model_dir}", f"run.home={home}", f"run.iterations={iterations}",
        "rollout.max_new_tokens=12", "rollout.batch_size=16", "sandbox.workers=1",
        "selfplay.seed_max_attempts=1", "trainer.micro_batch_tokens=4096",
    ]


def expected_metric_keys(task_types: list[str]) -> set[str]:
    keys = {"train/loss", "train/grad_norm", "train/entropy", "rollout/tokens_per_s", "sandbox/jobs_per_s",
            "watch/flagged"}
    for tt in task_types:
        keys |= {f"{tt}/valid_rate", f"{tt}/learnability", f"{tt}/solve_rate", f"{tt}/propose_format_error_rate",
                 f"{tt}/solve_format_error_rate", f"{tt}/propose/reward_mean", f"{tt}/solve/advantage_std",
                 f"{tt}/solve/response_len"}
    keys |= {f"time/{s}_s" for s in ("propose", "validate", "learnability", "solve", "score", "update")}
    return keys


def test_two_iterations_commit_with_rows_everywhere_and_metrics_in_mlflow(prefect_harness, tiny_model_dir,
                                                                         tmp_path):
    from mlflow.tracking import MlflowClient

    from flows.train import train
    from storage import RunStore
    from storage.catalog import query

    home = tmp_path / "home"
    cfg = load_config(overrides=tiny_overrides(tiny_model_dir, home) + [
        "run.eval_every=1", "eval.max_new_tokens=8",
        f"eval.benchmarks=[{{path: {FIXTURES / 'crux_small.jsonl'}, mode: deduction, limit: 3}}]",
    ])
    run_id = train(config=cfg)

    store = RunStore.open(home, run_id)
    assert store.committed_iterations() == [0, 1, 2]
    assert store.meta["status"] == "finished"
    for table in ("tasks", "proposals", "rollouts", "iterations", "evals"):
        n = query(home, f"select count(*) as n from {table} where run_id = '{run_id}'").to_pylist()[0]["n"]
        assert n > 0, f"no rows in {table}"
    roles = {r["role"] for r in query(home, f"select distinct role from rollouts where run_id = '{run_id}'").to_pylist()}
    assert roles == {"propose", "solve"}

    mlflow_run = store.meta["mlflow_run_id"]
    from flows.tracking import tracking_uri

    c = MlflowClient(tracking_uri=tracking_uri(cfg, home))
    logged = set(c.get_run(mlflow_run).data.metrics)
    missing = expected_metric_keys(cfg.selfplay.task_types) - logged
    assert not missing, f"metrics never logged: {sorted(missing)}"
    for key in ("train/loss", "deduction/valid_rate"):
        assert sorted(m.step for m in c.get_metric_history(mlflow_run, key)) == [1, 2]
    assert any(k.startswith("eval/deduction/") for k in logged)
    params = c.get_run(mlflow_run).data.params
    assert params["selfplay.rewards.learnability"] == "paper"
    artifacts = {a.path for a in c.list_artifacts(mlflow_run, "plots")}
    assert {"plots/valid_rate.png", "plots/solve_rate.png"} <= artifacts


def _env(home: Path) -> dict:
    env = dict(os.environ)
    env["AZR_HOME"] = str(home)
    env["MLFLOW_TRACKING_URI"] = f"sqlite:///{home / 'mlflow.db'}"
    env["PREFECT_HOME"] = str(home / "prefect")
    env.pop("PREFECT_API_URL", None)
    (home / "prefect").mkdir(parents=True, exist_ok=True)
    return env


def test_sigkill_mid_iteration_then_resume_finishes_it_without_loss_or_duplicates(tiny_model_dir, tmp_path):
    from storage import RunStore
    from storage.catalog import query

    home = tmp_path / "home"
    args = [sys.executable, "-m", "azr.cli", "train"]
    for o in tiny_overrides(tiny_model_dir, home, iterations=3):
        args += ["--set", o]
    log = (tmp_path / "train.log").open("w")
    proc = subprocess.Popen(args, cwd=ROOT, env=_env(home), stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    # Wait until iteration 2 has finished its solve step, then kill the whole process group.
    deadline = time.time() + 600
    run_dir = None
    while time.time() < deadline:
        runs = list((home / "runs").glob("*/iterations/2/step-score.json")) if (home / "runs").is_dir() else []
        if runs:
            run_dir = runs[0].parents[2]
            break
        assert proc.poll() is None, "training exited early:\n" + (tmp_path / "train.log").read_text()[-3000:]
        time.sleep(0.2)
    assert run_dir is not None, "iteration 2 never reached its score step"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()

    run_id = run_dir.name
    store = RunStore.open(home, run_id)
    assert store.committed_iterations() == [0, 1]
    mlflow_before = store.meta["mlflow_run_id"]
    steps_before = {p.name: p.stat().st_mtime_ns for p in (run_dir / "iterations" / "2").glob("step-*.json")}
    assert "step-propose.json" in steps_before

    out = subprocess.run([sys.executable, "-m", "azr.cli", "resume", run_id], cwd=ROOT, env=_env(home),
                         capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]

    store = RunStore.open(home, run_id)
    assert store.committed_iterations() == [0, 1, 2, 3]
    assert store.meta["mlflow_run_id"] == mlflow_before
    # the completed generation steps of iteration 2 were reused, not redone
    for name in ("step-propose.json", "step-validate.json", "step-solve.json"):
        assert (run_dir / "iterations" / "2" / name).stat().st_mtime_ns == steps_before[name]
    dup = query(home, f"select rollout_id, count(*) as n from rollouts where run_id = '{run_id}' "
                      "group by 1 having count(*) > 1").to_pylist()
    assert dup == []
    per_iter = query(home, f"select iteration, count(*) as n from proposals where run_id = '{run_id}' "
                           "group by 1 order by 1").to_pylist()
    assert [r["iteration"] for r in per_iter] == [0, 1, 2, 3] or [r["iteration"] for r in per_iter] == [1, 2, 3]
    assert all(r["n"] == 6 for r in per_iter if r["iteration"] > 0)
