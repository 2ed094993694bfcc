"""The training run: create or reopen a run, seed the buffers, then one nested flow per iteration.

Two flows, two deployments: `azr-train` takes the whole pydantic config (the Prefect UI renders it as a form) and
starts a new run; `azr-resume` takes only what a resume may change (the run id, its home, the iteration total),
so no form pretends to edit a resumed run's stored configuration."""

from __future__ import annotations

import shutil

from prefect import flow

from azr.config import AZRConfig, config_from_dict, load_config, resolve_home
from flows import tracking
from flows.iteration import iteration as iteration_flow
from flows.runtime import checkpoint_iterations, preflight, release
from flows.seed import seed
from flows.hints import next_steps, what_happened


def prepare_resume(store) -> int:
    """Make the run consistent with its newest checkpoint and return the first iteration to run.

    Iterations after the newest checkpoint were trained by weights that are gone: they are un-committed and
    redone. The iteration right after the checkpoint keeps its completed generation steps (they came from
    exactly the restored weights); later ones are discarded entirely."""
    ckpts = checkpoint_iterations(store)
    base = ckpts[-1] if ckpts else 0
    committed = store.committed_iterations()
    if committed and committed[-1] > base and committed[-1] > 0:
        print(f"restoring checkpoint {base}: iterations {base + 1}..{committed[-1]} will be redone")
        store.rollback_after(base)
    folder = store.root / "iterations"
    for d in folder.iterdir() if folder.is_dir() else []:
        if d.is_dir() and d.name.isdigit() and int(d.name) > base + 1 and not store.is_committed(int(d.name)):
            shutil.rmtree(d, ignore_errors=True)
    last = store.last_committed()
    return (last if last is not None else 0) + 1


def _train_run_name() -> str:
    """`train-<run id>` when the config names the run; otherwise a placeholder the flow replaces as soon as the
    store has generated the id (Prefect names a run before its body runs)."""
    from prefect.runtime import flow_run

    cfg = flow_run.parameters.get("config")
    name = getattr(getattr(cfg, "run", None), "name", None)
    if name is None and isinstance(cfg, dict):
        name = (cfg.get("run") or {}).get("name")
    return f"train-{name}" if name else "train-starting"


def _rename_flow_run(name: str) -> None:
    from prefect.client.orchestration import get_client
    from prefect.runtime import flow_run

    if flow_run.id is None:
        return
    with get_client(sync_client=True) as client:
        client.set_flow_run_name(flow_run.id, name)
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    if ctx is not None and ctx.flow_run is not None:
        ctx.flow_run.name = name  # what later log lines of this process call the run


@flow(name="azr-train", flow_run_name=_train_run_name, log_prints=True)
def train(config: AZRConfig = load_config()) -> str:
    """Start a new AZR self-play training run and train it for `run.iterations` iterations.

    Args:
        config: The whole run configuration (defaults: configs/tiny-cpu.yaml). `run.name` is the run id (a
            generated one when empty); the flow run is named `train-<run id>`. To continue a run, use the
            `azr-resume` flow (deployment `resume-local`) or `azr resume RUN_ID`.
    """
    from storage import RunStore

    home = config.run.home_path()
    preflight(config)
    store = RunStore.create(home, config.model_dump(mode="json"), run_id=config.run.name, kind="train")
    _rename_flow_run(f"train-{store.run_id}")
    print(f"new run {store.run_id} in {store.root}")
    return drive(store, config)


@flow(name="azr-resume", flow_run_name="resume-{run_id}", log_prints=True)
def resume(run_id: str, home: str = "", iterations: int | None = None) -> str:
    """Continue a run from its newest checkpoint and last completed step, with its stored configuration.

    Args:
        run_id: The run to continue (a folder name under `<home>/runs/`; `azr runs` lists them).
        home: The run's home folder; empty means $AZR_HOME or ./azr-home of the worker.
        iterations: The total number of iterations the run should reach; empty keeps its configured total.
    """
    from storage import RunStore

    home_path = resolve_home(home)
    store = RunStore.open(home_path, run_id)
    config = config_from_dict(store.meta["config"], source=f"config of run {run_id}")
    config.run.home = str(home_path)
    if iterations is not None:
        config.run.iterations = iterations
    store.update_meta(config=config.model_dump(mode="json"))
    print(f"resuming run {run_id} (last committed iteration {store.last_committed()}, "
          f"{config.run.iterations} in all)")
    return drive(store, config)


def drive(store, config: AZRConfig) -> str:
    """Seed (when not done) and run the iterations still missing, inside the run's MLflow run."""
    from prefect.artifacts import create_progress_artifact, update_progress_artifact

    run_id, home = store.run_id, store.home
    release(run_id)  # a fresh runtime reads the newest checkpoint
    start = prepare_resume(store)

    mlflow_run = tracking.ensure_run(config, home, run_id, store.meta.get("mlflow_run_id"))
    tracking.tag_run(config, home, mlflow_run)
    store.update_meta(mlflow_run_id=mlflow_run, status="running")
    total = config.run.iterations
    import mlflow

    tracking.activate(config, home)
    active = mlflow.start_run(run_id=mlflow_run, log_system_metrics=True)
    try:
        seed(str(home), run_id)
        progress = create_progress_artifact(100.0 * (start - 1) / max(total, 1),
                                            key=f"{run_id}-progress".lower().replace("_", "-"),
                                            description=f"Iterations committed of {total}")
        for n in range(start, total + 1):
            iteration_flow(str(home), run_id, n, last=(n == total))
            update_progress_artifact(progress, 100.0 * n / total)
        store.update_meta(status="finished" if store.last_committed() == total else "stopped")
        mlflow.end_run("FINISHED")
    except BaseException:
        store.update_meta(status="failed")
        mlflow.end_run("FAILED")
        raise
    finally:
        if mlflow.active_run() is not None and mlflow.active_run().info.run_id == active.info.run_id:
            mlflow.end_run()
        release(run_id)
    print(what_happened(store, config))
    print(next_steps(config, home, run_id, mlflow_run))
    return run_id
