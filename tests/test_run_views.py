"""What a researcher sees of a run in Prefect and MLflow: flow runs named after the run, a resume flow that takes
only what a resume may change, progress lines in the logs, MLflow tags and links. One real run (a tiny real model,
real Prefect API, real MLflow store) is started and then resumed; each test checks one view of it."""

from __future__ import annotations

import logging
import os
import subprocess
from pathlib import Path

import pytest

from azr.config import load_config

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def viewed_run(prefect_harness, tiny_model_dir, tmp_path_factory):
    """A run trained for one iteration, then resumed to two, with the run loggers at INFO (the suite runs Prefect
    at WARNING) so the progress lines reach the API as they do on a worker."""
    from flows.train import resume, train
    from test_pipeline import tiny_overrides

    home = tmp_path_factory.mktemp("views") / "home"
    cfg = load_config(overrides=tiny_overrides(tiny_model_dir, home, iterations=1) + [
        "run.description=checking the views"])
    loggers = [logging.getLogger(n) for n in ("prefect.flow_runs", "prefect.task_runs")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.INFO)
    try:
        run_id = train(config=cfg)
        resume(run_id=run_id, home=str(home), iterations=2)
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)
    from prefect.logging.handlers import APILogHandler

    APILogHandler().flush()
    return {"home": home, "run_id": run_id, "cfg": cfg}


def _flow_runs(**filters):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter

    with get_client(sync_client=True) as client:
        return client.read_flow_runs(flow_run_filter=FlowRunFilter(**filters))


def _runs_named(name: str):
    from prefect.client.schemas.filters import FlowRunFilterName

    return _flow_runs(name=FlowRunFilterName(any_=[name]))


def _mlflow(viewed_run):
    from mlflow.tracking import MlflowClient

    from flows.tracking import tracking_uri
    from storage import RunStore

    store = RunStore.open(viewed_run["home"], viewed_run["run_id"])
    client = MlflowClient(tracking_uri=tracking_uri(viewed_run["cfg"], viewed_run["home"]))
    return client, client.get_run(store.meta["mlflow_run_id"])


def test_new_and_resumed_flow_runs_are_named_after_the_run_id(viewed_run):
    run_id = viewed_run["run_id"]
    (new,) = _runs_named(f"train-{run_id}")
    (resumed,) = _runs_named(f"resume-{run_id}")
    assert new.state.is_completed() and resumed.state.is_completed()
    assert set(resumed.parameters) == {"run_id", "home", "iterations"}  # the Parameters tab shows what ran
    assert not _runs_named("train-starting")  # the placeholder never survives a started run


def test_the_resume_form_takes_only_the_run_id_home_and_total_each_described():
    from prefect.utilities.callables import parameter_schema

    from flows.train import resume, train

    schema = parameter_schema(resume)
    assert set(schema.properties) == {"run_id", "home", "iterations"}
    assert schema.required == ["run_id"]
    assert all(p.get("description") for p in schema.properties.values())
    assert set(parameter_schema(train).properties) == {"config"}  # no run_id that silently means "resume"


def _progress_lines(flow_run_ids) -> list[str]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    with get_client(sync_client=True) as client:
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=list(flow_run_ids))))
    return [log.message for log in logs if log.message.startswith("progress ")]


def _assert_start_and_end(lines: list[str], what: str, rate: str) -> None:
    mine = [x for x in lines if x.startswith(f"progress {what}: ")]
    assert any("(100%)" in x and rate in x for x in mine), (what, mine[:5])
    assert any("(0%)" in x for x in mine), (what, mine[:5])  # the start is announced, not just the end


def test_generation_and_update_steps_log_progress_lines_with_rates(viewed_run):
    from prefect.client.schemas.filters import FlowRunFilterName

    runs = _flow_runs(name=FlowRunFilterName(like_=viewed_run["run_id"]))
    lines = _progress_lines(r.id for r in runs)
    _assert_start_and_end(lines, "generate", "tok/s")
    _assert_start_and_end(lines, "update", "tok/s")


def test_a_sandbox_batch_inside_a_task_run_logs_progress_lines(prefect_harness):
    """A random tiny model writes nothing the sandbox runs, so the sandbox's lines are checked on real jobs."""
    from prefect import flow, task
    from prefect.runtime import flow_run

    from azr.config import SandboxConfig
    from sandbox import Job, Sandbox

    @task(log_prints=True)
    def check() -> list[bool]:
        jobs = [Job(id=k, kind="abduction", program="def f(x):\n    return x * 2", output=str(2 * k),
                    answer=str(k)) for k in range(8)]
        with Sandbox(SandboxConfig(workers=1, timeout_s=5.0)) as sb:
            return [r.ok for r in sb.run(jobs, progress=True)]

    @flow
    def sandbox_batch() -> tuple[list[bool], str]:
        return check(), str(flow_run.id)

    level = logging.getLogger("prefect.task_runs").level
    logging.getLogger("prefect.task_runs").setLevel(logging.INFO)
    try:
        ok, run = sandbox_batch()
    finally:
        logging.getLogger("prefect.task_runs").setLevel(level)
    from prefect.logging.handlers import APILogHandler

    APILogHandler().flush()
    assert all(ok)
    lines = _progress_lines([run])
    _assert_start_and_end(lines, "sandbox", "runs/s")
    assert "progress sandbox: 8/8 runs (100%)" in " ".join(lines)


def test_the_mlflow_run_carries_commit_flow_run_and_description_tags(viewed_run):
    client, run = _mlflow(viewed_run)
    tags = run.data.tags
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True)
    assert tags["mlflow.source.git.commit"] == head.stdout.strip()
    assert tags["mlflow.note.content"].startswith("checking the views")
    (resumed,) = _runs_named(f"resume-{viewed_run['run_id']}")
    assert tags["azr.prefect.flow_run_id"] == str(resumed.id)  # a resume points the tags at its own flow run
    assert tags["azr.prefect.flow_run_url"].endswith(f"/runs/flow-run/{resumed.id}")
    exp = client.get_experiment(run.info.experiment_id)
    assert exp.tags["mlflow.experimentKind"] == "custom_model_development"  # opens as model training


def test_the_markdown_artifact_links_to_the_mlflow_run_and_names_the_home(viewed_run):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    run_id, home = viewed_run["run_id"], viewed_run["home"]
    _, run = _mlflow(viewed_run)
    with get_client(sync_client=True) as client:
        arts = client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=[f"{run_id}-summary".lower()])))
    text = max(arts, key=lambda a: a.created).data
    url = (f"http://127.0.0.1:5000/#/experiments/{run.info.experiment_id}/runs/{run.info.run_id}"
           "?workflowType=machine_learning")  # MLflow 3.17 opens its GenAI view without it
    assert f"]({url})" in text  # a markdown link, not a command to read
    assert f"sql --home {home}" in text and f"resume {run_id} --home {home}" in text
    assert "checking the views" in text


def test_a_run_s_mlflow_store_does_not_leak_into_the_next_run_of_the_same_process(tmp_path, monkeypatch):
    """MLflow copies every tracking URI into $MLFLOW_TRACKING_URI; a worker serving runs of two homes must still
    log each run into its own home's store, and a URI the user exported stays the one used."""
    from flows.tracking import activate, tracking_uri

    cfg = load_config()
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    first = activate(cfg, tmp_path / "a")
    assert first == f"sqlite:///{tmp_path / 'a' / 'mlflow.db'}"
    assert "MLFLOW_TRACKING_URI" not in os.environ
    assert tracking_uri(cfg, tmp_path / "b") == f"sqlite:///{tmp_path / 'b' / 'mlflow.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:////srv/team.db")
    assert activate(cfg, tmp_path / "a") == "sqlite:////srv/team.db"
    assert tracking_uri(cfg, tmp_path / "b") == "sqlite:////srv/team.db"
