"""What a run prints when it ends: what happened, in plain words, and commands that work as printed.

Every command names absolute paths (the home folder, the repository, the `azr` executable when it is not on
PATH), so it can be pasted from any directory, including a Prefect worker's log read in the UI."""

from __future__ import annotations

import json
import shlex
import shutil
import sys
from pathlib import Path

from azr.config import AZRConfig

REPO = Path(__file__).resolve().parent.parent


def executable(name: str) -> str:
    """`name` when the one on PATH is this installation's, else the absolute path of this installation's script."""
    own = Path(sys.executable).parent / name
    on_path = shutil.which(name)
    if own.is_file() and (on_path is None or Path(on_path).resolve() != own.resolve()):
        return shlex.quote(str(own))
    return name


def azr_command() -> str:
    return executable("azr")


def resume_command(home: Path, run_id: str) -> str:
    return f"{azr_command()} resume {run_id} --home {shlex.quote(str(home))}"


def gpu_bench_command() -> str:
    return (f"cd {shlex.quote(str(REPO))} && .venv/bin/python bench/learning_bench.py "
            "--config configs/qwen2.5-coder-0.5b-1gpu.yaml")


def cpu_real_command() -> str:
    return (f"cd {shlex.quote(str(REPO))} && make qwen-0.5b && .venv/bin/azr train "
            "--config configs/qwen2.5-coder-0.5b-cpu.yaml")


def sql_command(home: Path, query: str) -> str:
    # Double quotes read better around SQL full of single-quoted literals; they are safe without " $ ` \ inside.
    quoted = f'"{query}"' if not any(ch in query for ch in '"$`\\') else shlex.quote(query)
    return f"{azr_command()} sql --home {shlex.quote(str(home))} {quoted}"


def what_happened(store, config: AZRConfig) -> str:
    """The run's outcome in plain words, so a demo on a weak model is never mistaken for learning. Reads only the
    committed iterations' metrics (one small row each), however long the run."""
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
                      f"Real self-play: on one GPU `{gpu_bench_command()}` (about 8 minutes, prints base vs trained "
                      "accuracy),",
                      f"or on this CPU with a real code model `{cpu_real_command()}`."]
        else:
            lines.append(f"{config.model.path} wrote {missing} yet. More iterations, a longer response budget "
                         f"(rollout.max_new_tokens) or a GPU run (`{gpu_bench_command()}`) give it more chances.")
    return "\n".join(lines)


def next_steps(config: AZRConfig, home: Path, run_id: str, mlflow_run_id: str | None = None) -> str:
    from flows.tracking import ui_command, run_url

    tasks = (f"select iteration, task_type, count(*) as tasks from tasks where run_id = '{run_id}' "
             "group by all order by all")
    solves = (f"select task_type, avg(correct::int) as solve_rate from rollouts where role = 'solve' "
              f"and run_id = '{run_id}' group by 1")
    lines = ["\nDone. Where to look next:", f"  {sql_command(home, tasks)}", f"  {sql_command(home, solves)}"]
    ui = ui_command(config, home)
    if ui:
        lines.append(f"  {ui}   # MLflow UI")
    if mlflow_run_id:
        lines.append(f"  {run_url(config, home, mlflow_run_id)}   # this run in MLflow")
    lines.append(f"  {resume_command(home, run_id)} --iterations N   # train further")
    return "\n".join(lines)
