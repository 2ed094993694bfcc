"""run.cluster=ray end to end: the real flow on a local Ray cluster the runtime starts (2 DeepSpeed trainer ranks
over gloo, 2 rollout engine actors, 2 sandbox actors), with one engine killed while it generates and, in another
run, one sandbox actor killed while it runs jobs. Specification: the run commits what a local run of the same
config commits (same tables, rows per iteration and role, MLflow metrics; the same sandbox verdicts), with no
row lost or duplicated by the kills."""

from __future__ import annotations

import json
import threading
import time

import pytest

pytest.importorskip("ray")

from azr.config import load_config  # noqa: E402
from test_pipeline import tiny_overrides  # noqa: E402

pytestmark = pytest.mark.slow

CLUSTER = ["run.cluster=ray", "cluster.trainer_ranks=2", "cluster.rollout_engines=2", "cluster.sandbox_actors=2",
           "cluster.actor_timeout_s=300"]


class Killer(threading.Thread):
    """Waits for iteration 0 to commit, then kills actor 0 of `target` ("engine": the rollout engines, "sandbox":
    the sandbox actors) once, while that set is busy with a call."""

    def __init__(self, target: str):
        super().__init__(daemon=True)
        self.target, self.stop = target, threading.Event()
        self.killed: dict[str, float] = {}
        self.engines = self.sandboxes = None
        self.errors: list[str] = []

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                if self._poll():
                    return
            except Exception as exc:  # noqa: BLE001 - a read racing the run's own writes: look again
                self.errors.append(repr(exc))
            time.sleep(0.002)

    def _poll(self) -> bool:
        import ray

        from flows import runtime

        rt = next(iter(runtime._RUNTIMES.values()), None)
        if rt is None or 0 not in rt.store.committed_iterations():
            return False
        if self.target == "engine" and rt._policy is not None and rt._policy[2].busy:
            self.engines = rt._policy[2].pool
            ray.kill(self.engines.actors.actors[0], no_restart=True)
        elif self.target == "sandbox" and rt._sandbox is not None and rt._sandbox.busy:
            self.sandboxes = rt._sandbox
            ray.kill(self.sandboxes.actors.actors[0], no_restart=True)
        else:
            return False
        self.killed[self.target] = time.time()
        return True


def _train_killing(cfg, target: str) -> tuple[str, Killer]:
    from flows.train import train

    killer = Killer(target)
    killer.start()
    try:
        return train(config=cfg), killer
    finally:
        killer.stop.set()
        killer.join(5)


@pytest.fixture(scope="module")
def runs(prefect_harness, tiny_model_dir, tmp_path_factory):
    """The same two iterations of the tiny model, local and on Ray (rollout engine 0 killed in iteration 1)."""
    from flows.train import train

    root = tmp_path_factory.mktemp("cluster-runs")
    local = load_config(overrides=tiny_overrides(tiny_model_dir, root / "local"))
    local_id = train(config=local)
    on_ray = load_config(overrides=tiny_overrides(tiny_model_dir, root / "ray") + CLUSTER)
    ray_id, killer = _train_killing(on_ray, "engine")
    return {"local": (local, local_id), "ray": (on_ray, ray_id), "killer": killer}


@pytest.fixture(scope="module")
def scripted_runs(prefect_harness, tiny_model_dir, tmp_path_factory):
    """One iteration with the scripted proposer/solver (the random tiny model writes nothing the sandbox can
    run), local and on Ray with its real trainer group and sandbox actors (sandbox actor 0 killed in iteration
    1). The engine is the only stand-in; its answers do not depend on the weights, so both runs must commit the
    same sandbox verdicts, rewards and advantages."""
    from scripted_engine import ScriptedEngine

    from flows import runtime
    from flows.train import train

    original = runtime.Runtime._load_policy

    def scripted(self):
        tok, trainer, engines = original(self)
        if hasattr(engines, "pool"):
            engines.close()  # the ray run's engine actors: not used here
        return tok, trainer, ScriptedEngine(tok)

    root = tmp_path_factory.mktemp("scripted-runs")
    base = [f"model.path={tiny_model_dir}", "run.iterations=1", "sandbox.workers=1",
            "selfplay.seed_tasks_per_type=3", "selfplay.seed_max_attempts=2"]
    mp = pytest.MonkeyPatch()
    mp.setattr(runtime.Runtime, "_load_policy", scripted)
    try:
        local = load_config(overrides=base + [f"run.home={root / 'local'}"])
        local_id = train(config=local)
        on_ray = load_config(overrides=base + [f"run.home={root / 'ray'}", *CLUSTER, "cluster.rollout_engines=1"])
        ray_id, killer = _train_killing(on_ray, "sandbox")
    finally:
        mp.undo()
    return {"local": (local, local_id), "ray": (on_ray, ray_id), "killer": killer}


def _rows(cfg, run_id: str, sql: str) -> list[dict]:
    from storage.catalog import query

    return query(cfg.run.home_path(), sql.format(run=run_id)).to_pylist()


def _shape(cfg, run_id: str) -> dict:
    from mlflow.tracking import MlflowClient

    from flows.tracking import tracking_uri
    from storage import RunStore

    store = RunStore.open(cfg.run.home_path(), run_id)
    c = MlflowClient(tracking_uri=tracking_uri(cfg, cfg.run.home_path()))
    mlflow_run = c.get_run(store.meta["mlflow_run_id"])
    return {
        "committed": store.committed_iterations(),
        "status": store.meta["status"],
        "proposals": _rows(cfg, run_id, "select iteration, task_type, count(*) as n from proposals "
                                        "where run_id = '{run}' group by all order by all"),
        "rollouts": _rows(cfg, run_id, "select iteration, role, task_type, count(*) as n from rollouts "
                                       "where run_id = '{run}' group by all order by all"),
        "iterations": _rows(cfg, run_id, "select iteration from iterations where run_id = '{run}' order by 1"),
        # system/* (MLflow's sampler, every 10 s) depends on how long a run took, not on what it did
        "metrics": sorted(m for m in mlflow_run.data.metrics if not m.startswith("system/")),
    }


def test_a_ray_run_commits_what_a_local_run_commits(runs):
    local, ray_run = _shape(*runs["local"]), _shape(*runs["ray"])
    assert ray_run["committed"] == [0, 1, 2] and ray_run["status"] == "finished"
    for key in ("committed", "proposals", "rollouts", "iterations", "metrics"):
        assert ray_run[key] == local[key], f"{key} differ between the local and the ray run"


@pytest.mark.parametrize("which", ["runs", "scripted_runs"])
def test_no_row_is_duplicated_after_the_kills(which, request):
    cfg, run_id = request.getfixturevalue(which)["ray"]
    for table, key in (("rollouts", "rollout_id"), ("proposals", "proposal_id"), ("tasks", "task_id")):
        dup = _rows(cfg, run_id, f"select {key}, count(*) as n from {table} where run_id = '{{run}}' "
                                 "group by 1 having count(*) > 1")
        assert dup == [], f"duplicated {table}: {dup[:3]}"


def test_a_killed_rollout_engine_was_replaced_and_its_prompts_generated_again(runs):
    killer = runs["killer"]
    assert "engine" in killer.killed, "the engines were never seen busy after iteration 0"
    assert killer.engines.restarts >= 1
    cfg, run_id = runs["ray"]
    run_dir = cfg.run.home_path() / "runs" / run_id
    stats = [json.loads(p.read_text()).get("engine", {}) for p in sorted(run_dir.glob("iterations/*/step-*.json"))]
    stats = [s for s in stats if "engines" in s]
    assert stats and all(s["engines"] == 2 for s in stats)  # the rollouts came from both engine actors
    assert max(s["engine_restarts"] for s in stats) >= 1


def test_a_killed_sandbox_actor_was_replaced_and_the_verdicts_are_those_of_a_local_pool(scripted_runs):
    killer = scripted_runs["killer"]
    assert "sandbox" in killer.killed, f"the sandbox actors were never seen busy in iteration 1 {killer.errors[-3:]}"
    assert killer.sandboxes.restarts >= 1
    views = {
        "tasks": "select iteration, task_id, task_type, program, input, output from tasks where run_id = '{run}' "
                 "order by task_id",
        "proposals": "select iteration, proposal_id, task_type, valid, error, solve_rate, reward from proposals "
                     "where run_id = '{run}' order by proposal_id",
        "rollouts": "select iteration, role, purpose, task_type, task_id, correct, reward, advantage from rollouts "
                    "where run_id = '{run}' order by all",
    }
    (lc, lid), (rc, rid) = scripted_runs["local"], scripted_runs["ray"]
    assert _rows(rc, rid, "select count(*) as n from tasks where run_id = '{run}' and iteration = 1")[0]["n"] > 0
    for name, sql in views.items():
        assert _rows(rc, rid, sql) == _rows(lc, lid, sql), f"{name} differ between the local pool and the actors"


def test_the_trainer_ran_as_two_ranks_and_checkpointed_as_a_portable_group(runs):
    cfg, run_id = runs["ray"]
    from storage import RunStore

    store = RunStore.open(cfg.run.home_path(), run_id)
    state = json.loads((store.checkpoint_dir(2, create=False) / "state.json").read_text())
    assert state["format"] == "portable-v1" and state["world_size"] == 2 and state["trainer_steps"] == 2
    assert not list((store.root / "cluster-batches").glob("*.parquet"))  # each update's batch file is removed
    assert len(list((store.root / "rollout-weights").iterdir())) == 1  # only the engines' current weights
