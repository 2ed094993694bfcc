"""`azr eval` and the MLflow side of evaluation: metrics and the per-item table in the active run, the accuracy
plot, clear CLI errors, and (once the sandbox, policy and storage packages are present) a real end-to-end run
with a tiny random model."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest
from evaluation_fakes import FakeSandbox, ScriptedEngine, job_factory, script_by_key, wrap

from azr.cli import main
from azr.evaluation import evaluate, log_accuracy_plot, log_eval_to_mlflow, metric_key, plot_accuracy

FIX = Path(__file__).parent / "fixtures"
CRUX = FIX / "crux_small.jsonl"
HUMANEVAL = FIX / "humaneval_small.jsonl"


def _report(correct_for: str):
    answers = {correct_for: [wrap("```output\n42\n```")]}
    return evaluate(ScriptedEngine(script_by_key(answers, default=wrap("```output\n0\n```"))), None,
                    FakeSandbox(), CRUX, "deduction", job_factory=job_factory(), model_name="m")


def test_log_eval_to_mlflow_logs_metrics_table_and_plot(tmp_path):
    import mlflow
    from mlflow.tracking import MlflowClient

    mlflow.set_tracking_uri(os.environ["MLFLOW_TRACKING_URI"])
    exp_id = MlflowClient().create_experiment(f"azr-eval-tests-{tmp_path.name}",
                                              artifact_location=(tmp_path / "artifacts").as_uri())
    with mlflow.start_run(experiment_id=exp_id) as run:
        first = log_eval_to_mlflow(_report("nothing matches"), step=1)      # 0 / 5
        log_eval_to_mlflow(_report("return n * 2"), step=2)                 # 1 / 5
        history = log_accuracy_plot()
    key = metric_key("deduction", "crux_small", "pass@1")
    assert key == "eval/deduction/crux_small/pass_at_1" and first[key] == 0.0
    client = MlflowClient()
    points = sorted((m.step, m.value) for m in client.get_metric_history(run.info.run_id, key))
    assert points == [(1, 0.0), (2, pytest.approx(0.2))]
    assert history == {"deduction/crux_small": [(1, 0.0), (2, pytest.approx(0.2))]}
    files = {f.path for f in client.list_artifacts(run.info.run_id, "eval")}
    assert {"eval/accuracy.png", "eval/deduction-crux_small-step1.json", "eval/deduction-crux_small-step2.json"} \
        <= files
    table = json.loads(Path(client.download_artifacts(run.info.run_id, "eval/deduction-crux_small-step2.json",
                                                      str(tmp_path))).read_text())
    assert "item_id" in table["columns"] and len(table["data"]) == 5
    with pytest.raises(RuntimeError, match="active MLflow run"):
        log_eval_to_mlflow(_report("x"), step=3)


def test_plot_accuracy_writes_png(tmp_path):
    out = plot_accuracy({"deduction/a": [(0, 0.1), (2, 0.3), (1, 0.2)], "abduction/b": [(0, 0.5)]},
                        tmp_path / "plots" / "acc.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_help_lists_eval(capsys):
    with pytest.raises(SystemExit):
        main(["eval", "--help"])
    text = capsys.readouterr().out
    assert "--benchmark" in text and "RUN_ID@ITERATION" in text and "--samples" in text


def test_cli_reports_bad_files_and_models_before_loading_anything(tmp_path, azr_home, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"code": "def f(x): return x", "input": "1", "output": "1", "id": "a"}\n{oops\n')
    assert main(["eval", "--benchmark", str(bad), "--mode", "deduction"]) == 2
    err = capsys.readouterr().err
    assert "azr eval: error:" in err and "bad.jsonl line 2: not valid JSON" in err
    assert main(["eval", "--model", "no-such-run@3", "--benchmark", str(CRUX), "--mode", "deduction"]) == 2
    assert "is not 'bundled', an existing folder, or a run" in capsys.readouterr().err
    assert main(["eval", "--benchmark", str(CRUX), "--mode", "deduction", "--samples", "0"]) == 2
    assert "--samples must be at least 1" in capsys.readouterr().err


def _landed(*mods: str) -> bool:
    return all(importlib.util.find_spec(m) is not None for m in mods) and _has("sandbox", "Sandbox") \
        and _has("azr.policy", "TransformersEngine") and _has("storage", "RunStore")


def _has(mod: str, name: str) -> bool:
    try:
        return hasattr(__import__(mod, fromlist=[name]), name)
    except Exception:  # noqa: BLE001 - a half-landed package counts as absent
        return False


@pytest.mark.skipif(not _landed("sandbox", "azr.policy", "storage"),
                    reason="needs the sandbox, policy and storage packages")
def test_cli_end_to_end_with_tiny_model(tiny_model_dir, azr_home, capsys):
    code = main(["eval", "--model", str(tiny_model_dir), "--benchmark", str(CRUX), "--mode", "abduction",
                 "--max-new-tokens", "8", "--limit", "3", "--home", str(azr_home), "--quiet",
                 "--set", "sandbox.workers=2", "--set", "sandbox.timeout_s=2"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "accuracy" in out and "pass@1" in out
    from storage import RunStore

    runs = [p.name for p in (azr_home / "runs").iterdir() if p.name.startswith("eval-")]
    assert len(runs) == 1
    store = RunStore.open(azr_home, runs[0])
    assert 0 in list(store.committed_iterations())
    assert store.meta["status"] == "finished" and store.meta["kind"] == "eval"  # never left "created"

    assert main(["runs", "--home", str(azr_home)]) == 0
    listing = capsys.readouterr().out
    assert "training runs:" not in listing  # an evaluation is not listed as a training run
    section = listing.split("evaluations (azr eval):", 1)[1]
    assert runs[0] in section and "finished" in section and "crux" in section and "accuracy" in section


@pytest.mark.skipif(not _landed("sandbox", "azr.policy", "storage"), reason="needs the sandbox package")
def test_real_sandbox_checks_each_mode():
    """The same scripted answers, checked by the real sandbox instead of the fake one."""
    from sandbox import Sandbox

    from azr.config import SandboxConfig

    ded = {"return n * 2": [wrap("```output\n42\n```")], "sorted(d.items())": [wrap("```output\nsorted([])\n```")]}
    abd = {"return n * 2": [wrap("```input\n21\n```")], "while n != 10": [wrap("```input\n5\n```")],
           "sorted(d.items())": [wrap("```input\n1) or True or (0\n```")]}
    gen = {"def add(": [wrap("```python\ndef add(a, b):\n    return a + b\n```")],
           "def evens(": [wrap("```python\n    return [x for x in xs if x % 2 == 0]\n```")],
           "def shout(": [wrap("```python\ndef shout(s):\n    while True:\n        pass\n```")]}
    with Sandbox(SandboxConfig(workers=2, timeout_s=1.0)) as sb:
        d = evaluate(ScriptedEngine(script_by_key(ded, wrap("```output\n0\n```"))), None, sb, CRUX, "deduction")
        a = evaluate(ScriptedEngine(script_by_key(abd, wrap("```input\n0\n```"))), None, sb, CRUX, "abduction")
        g = evaluate(ScriptedEngine(script_by_key(gen)), None, sb, HUMANEVAL, "codegen")
    rd = {r["item_id"]: r for r in d.rows}
    assert rd["d-double"]["correct"] and not rd["d-dict"]["correct"] and rd["d-dict"]["error"]
    ra = {r["item_id"]: r for r in a.rows}
    assert ra["d-double"]["correct"] and ra["d-steps"]["error"] == "timeout" and not ra["d-dict"]["correct"]
    rg = {r["item_id"]: r for r in g.rows}
    assert rg["Mini/0"]["correct"] and rg["Mini/1"]["correct"] and rg["Mini/2"]["error"] == "timeout"
    assert g.metrics["pass@1"] == pytest.approx(2 / 3)
