"""The training run: create or reopen a run, seed the buffers, then one nested flow per iteration.

The flow's parameter is the whole pydantic config, so the Prefect UI renders it as a form."""

from __future__ import annotations

import shutil
from pathlib import Path

from prefect import flow

from azr.config import AZRConfig, config_from_dict, load_config
from flows import tracking
from flows.iteration import iteration as iteration_flow
from flows.runtime import checkpoint_iterations, preflight, release
from flows.seed import seed


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


def _run_name() -> str:
    from prefect.runtime import flow_run

    params = flow_run.parameters
    cfg = params.get("config")
    name = params.get("run_id") or getattr(getattr(cfg, "run", None), "name", None) or "new-run"
    return f"train-{name}"


@flow(name="azr-train", flow_run_name=_run_name, log_prints=True)
def train(config: AZRConfig = load_config(), run_id: str | None = None) -> str:
    """Train with AZR self-play for `config.run.iterations` iterations.

    With `run_id`, resume that run in `config.run.home`: its stored configuration is used and only
    `run.iterations` (the total to reach) is taken from `config`."""
    from prefect.artifacts import create_progress_artifact, update_progress_artifact

    from storage import RunStore

    home = config.run.home_path()
    if run_id is None:
        preflight(config)
        store = RunStore.create(home, config.model_dump(mode="json"), run_id=config.run.name)
        run_id = store.run_id
        print(f"new run {run_id} in {store.root}")
    else:
        store = RunStore.open(home, run_id)
        # A resumed run keeps its own configuration; only the total number of iterations comes from the caller.
        total = config.run.iterations
        config = config_from_dict(store.meta["config"], source=f"config of run {run_id}")
        config.run.iterations = total
        config.run.home = str(home)
        store.update_meta(config=config.model_dump(mode="json"))
        print(f"resuming run {run_id} (last committed iteration {store.last_committed()})")
    release(run_id)  # a fresh runtime reads the newest checkpoint
    start = prepare_resume(store)

    mlflow_run = tracking.ensure_run(config, home, run_id, store.meta.get("mlflow_run_id"))
    store.update_meta(mlflow_run_id=mlflow_run, status="running")
    total = config.run.iterations
    import mlflow

    mlflow.set_tracking_uri(tracking.tracking_uri(config, home))
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
    print(next_steps(home, run_id))
    return run_id


GPU_BENCH = "python bench/learning_bench.py --config configs/qwen2.5-coder-0.5b-1gpu.yaml"
CPU_REAL = "make qwen-0.5b && .venv/bin/azr train --config configs/qwen2.5-coder-0.5b-cpu.yaml"


def what_happened(store, config: AZRConfig) -> str:
    """The run's outcome in plain words, so a demo on a weak model is never mistaken for learning. Reads only the
    committed iterations' metrics (one small row each), however long the run."""
    import json

    totals: dict[str, float] = {}
    for n in store.committed_iterations():
        rows = store.read_rows(n, "iterations") if n > 0 else []
        metrics = json.loads(rows[0]["metrics"]) if rows else {}
        for tt in config.selfplay.task_types:
            for key in ("proposals", "valid", "heldout", "answers", "correct"):
                totals[key] = totals.get(key, 0.0) + (metrics.get(f"{tt}/{key}") or 0.0)
        for key in ("sequences", "nonzero_advantage"):
            totals[key] = totals.get(key, 0.0) + (metrics.get(f"train/{key}") or 0.0)
    props, valid, held, answers, correct, trained, nonzero = (
        int(totals.get(k, 0)) for k in ("proposals", "valid", "heldout", "answers", "correct", "sequences",
                                        "nonzero_advantage"))
    lines = [f"\nWhat happened: {props} proposals, {valid} valid" + (f" ({held} held out)" if held else "")
             + f"; {answers} training answers, {correct} correct."]
    if not props:
        return lines[0]
    if nonzero == 0:
        lines.append("Every reward in a group was the same, so every TRR++ advantage was 0: the updates trained on "
                     "the entropy bonus alone and the model did not learn from self-play.")
    else:
        lines.append(f"{nonzero} of {trained} trained sequences had a non-zero TRR++ advantage: the updates had "
                     "something to learn from.")
    if valid == 0 or correct == 0:
        missing = "no valid task" if valid == 0 else "no correct answer"
        if config.model.path == "bundled":
            lines += ["The bundled SmolLM2-135M is too weak to write valid tasks or correct answers: this run checked "
                      "the pipeline end to end; it is not self-play learning.",
                      f"Real self-play: on one GPU `{GPU_BENCH}` (about 8 minutes, prints base vs trained accuracy),",
                      f"or on this CPU with a real code model `{CPU_REAL}`."]
        else:
            lines.append(f"{config.model.path} wrote {missing} yet. More iterations, a longer response budget "
                         f"(rollout.max_new_tokens) or a GPU run (`{GPU_BENCH}`) give it more chances.")
    return "\n".join(lines)


def next_steps(home: Path, run_id: str) -> str:
    where = f" --home {home}"
    return (
        f"\nDone. Where to look next:\n"
        f"  azr sql{where} \"select iteration, task_type, count(*) as tasks from tasks where run_id = '{run_id}' "
        f"group by all order by all\"\n"
        f"  azr sql{where} \"select task_type, avg(correct::int) as solve_rate from rollouts where role = 'solve' "
        f"and run_id = '{run_id}' group by 1\"\n"
        f"  mlflow ui --backend-store-uri sqlite:///{home / 'mlflow.db'}\n"
        f"  azr resume {run_id}{where} --iterations N   # train further"
    )
