"""The metric registry (azr/metric_names.py) against the names real runs log, in both directions, and the README's
metric table against the registry.

A real iteration flow (Prefect, sandbox, storage, MLflow, trainer; only the engine scripted, as in
test_pipeline_scripted.py) with in-loop evaluation logs into a real MLflow store; every name read back from it must
match a registry entry, and every training-iteration entry must have been logged (a stale entry fails)."""

from __future__ import annotations

from pathlib import Path

import pytest
from evaluation_fakes import FakeSandbox, job_factory, script_by_key, wrap
from evaluation_fakes import ScriptedEngine as EvalEngine
from scripted_engine import ScriptedEngine

from azr import metric_names as mn
from azr.config import load_config

ROOT = Path(__file__).resolve().parent.parent
CRUX = ROOT / "tests" / "fixtures" / "crux_small.jsonl"
BEGIN, END = "<!-- metric-table:begin -->", "<!-- metric-table:end -->"


def _unmatched(names) -> list[str]:
    return sorted(n for n in names if mn.matches(n) is None)


def _ambiguous(names) -> dict[str, list[str]]:
    out = {}
    for n in names:
        hits = [e.pattern for e in mn.REGISTRY if e.regex.match(n)]
        if len(hits) > 1:
            out[n] = hits
    return out


@pytest.fixture(scope="module")
def scripted_run(prefect_harness, tiny_model_dir, tmp_path_factory):
    """One scripted training iteration with in-loop evaluation of two benchmarks, two samples each; returns
    (config, names logged to its MLflow run, that run's id, the client)."""
    from mlflow.tracking import MlflowClient

    from flows import runtime
    from flows.tracking import tracking_uri
    from flows.train import train
    from storage import RunStore

    original = runtime.Runtime._load_policy

    def scripted(self):
        tok, trainer, _ = original(self)
        return tok, trainer, ScriptedEngine(tok)

    home = tmp_path_factory.mktemp("metric-names") / "home"
    benchmarks = (f"[{{path: {CRUX}, mode: deduction, limit: 2}}, {{path: {CRUX}, mode: abduction, limit: 2}}]")
    cfg = load_config(overrides=[f"model.path={tiny_model_dir}", f"run.home={home}", "run.iterations=1",
                                 "sandbox.workers=1", "selfplay.seed_tasks_per_type=3", "selfplay.seed_max_attempts=2",
                                 "run.eval_every=1", f"eval.benchmarks={benchmarks}", "eval.samples=2",
                                 "eval.temperature=0.7", "eval.max_new_tokens=16"])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(runtime.Runtime, "_load_policy", scripted)
        run_id = train(config=cfg)
    mlflow_run = RunStore.open(home, run_id).meta["mlflow_run_id"]
    c = MlflowClient(tracking_uri=tracking_uri(cfg, home))
    return cfg, set(c.get_run(mlflow_run).data.metrics), mlflow_run, c


@pytest.mark.slow
def test_every_name_a_training_run_logs_is_registered_and_every_iteration_entry_is_logged(scripted_run):
    cfg, logged, _, _ = scripted_run
    assert not _unmatched(logged), f"logged but not in azr/metric_names.py REGISTRY: {_unmatched(logged)}"
    assert not _ambiguous(logged), f"names matched by more than one registry entry: {_ambiguous(logged)}"

    iteration = {n for n in logged if mn.ITERATION in mn.matches(n).where}
    expected = mn.iteration_names(cfg.selfplay.task_types)
    assert not expected - iteration, f"registered but never logged by a training iteration (stale entries?): " \
                                     f"{sorted(expected - iteration)}"
    assert iteration == expected
    for entry in mn.REGISTRY:
        if mn.ITERATION in entry.where:
            assert any(entry.regex.match(n) for n in logged), f"{entry.pattern} is never logged"


@pytest.mark.slow
def test_in_loop_evaluation_names_are_registered_and_every_eval_entry_is_logged(scripted_run):
    _, logged, _, _ = scripted_run
    evals = sorted(n for n in logged if n.startswith("eval/"))
    assert "eval/deduction/crux_small/pass_at_1" in evals and "eval/abduction/crux_small/pass_at_2" in evals
    assert "eval/deduction/crux_small/errors_wrong" in evals  # the script answers every odd sample wrongly
    for n in evals:
        assert mn.IN_LOOP_EVAL in mn.matches(n).where, n
    for entry in mn.REGISTRY:
        if mn.IN_LOOP_EVAL in entry.where:
            assert any(entry.regex.match(n) for n in evals), f"{entry.pattern} is never logged by in-loop eval"


@pytest.mark.slow
def test_nan_metrics_are_logged_as_nan_and_registered_as_nan_capable(scripted_run):
    """Every value read back as NaN belongs to a registry entry that says when it is undefined."""
    import math

    _, _, run, c = scripted_run
    values = c.get_run(run).data.metrics
    for name, value in values.items():
        if math.isnan(value):
            assert mn.matches(name).nan, f"{name} is NaN but its registry entry says it is always defined"


def test_what_azr_eval_logs_is_registered(tmp_path):
    """`azr eval` logs through log_eval_to_mlflow (azr/evaluation/cli.py) into a run of its own, at step 0."""
    import mlflow
    from mlflow.tracking import MlflowClient

    from azr.evaluation import evaluate, log_eval_to_mlflow

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    mlflow.set_tracking_uri(uri)
    c = MlflowClient(tracking_uri=uri)
    exp = c.create_experiment("azr-eval", artifact_location=(tmp_path / "artifacts").as_uri())
    engine = EvalEngine(script_by_key({"return n * 2": [wrap("```output\n42\n```"), "no answer block"]},
                                      default=wrap("```output\n0\n```")))
    report = evaluate(engine, None, FakeSandbox(), CRUX, "deduction", samples=2, temperature=0.7,
                      job_factory=job_factory(), model_name="m")
    with mlflow.start_run(experiment_id=exp) as run:
        log_eval_to_mlflow(report, step=0)
    logged = set(c.get_run(run.info.run_id).data.metrics)
    assert {"eval/deduction/crux_small/pass_at_2", "eval/deduction/crux_small/errors_format",
            "eval/deduction/crux_small/time_total_s"} <= logged
    assert not _unmatched(logged), f"logged by azr eval but not registered: {_unmatched(logged)}"
    assert all(mn.AZR_EVAL in mn.matches(n).where for n in logged)
    for entry in mn.REGISTRY:
        if mn.AZR_EVAL in entry.where:
            assert any(entry.regex.match(n) for n in logged), f"{entry.pattern} is never logged by azr eval"


def test_made_up_and_near_miss_names_match_nothing():
    for name in ("deduction/valid_rat", "planning/valid_rate", "train/los", "time/commit_s",
                 "deduction/judge/reward_mean", "eval/deduction/crux/pass_at_k", "eval/translation/crux/pass_at_1",
                 "valid_rate", "deduction/valid_rate/extra", "system"):
        assert mn.matches(name) is None, name
    assert mn.matches("induction/learnability").pattern == "<type>/learnability"
    assert mn.matches("system/gpu_0_utilization_percentage").where == (mn.SYSTEM,)
    assert mn.matches("eval/codegen/my bench-v1.2/errors_timeout").pattern.endswith("errors_<code>")


def test_the_registry_s_value_lists_are_the_code_s():
    from azr.evaluation.benchmarks import MODES
    from azr.task_types import Role, TaskType
    from tasks.commit import STEPS

    assert mn.TASK_TYPES == tuple(t.value for t in TaskType)
    assert mn.ROLES == tuple(r.value for r in Role)
    assert mn.STEPS == STEPS
    assert mn.EVAL_MODES == MODES


def test_readme_table_is_the_generated_one():
    readme = (ROOT / "README.md").read_text()
    assert readme.count(BEGIN) == 1 and readme.count(END) == 1, f"README.md needs one {BEGIN} ... {END} block"
    block = readme.split(BEGIN, 1)[1].split(END, 1)[0]
    assert block == "\n" + mn.markdown_table(), (
        "README.md's metric table is out of date: replace the lines between the metric-table markers with the "
        "output of `.venv/bin/python -m azr.metric_names`")

