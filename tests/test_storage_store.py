"""The run layout and the commit protocol: what exists on disk, what counts as committed, what a resume sees."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from azr.task_types import TaskType, seed_task
from storage import CorruptFileError, RunStore, StorageError
from storage.catalog import query
from storage.schemas import TaskRow, task_to_row


def tasks(n: int, count: int, prefix: str = "t") -> list[TaskRow]:
    return [TaskRow(task_id=f"{prefix}{n}-{i}", task_type="deduction", program=f"def f(a):\n    return a + {i}",
                    input=str(i), output=str(2 * i)) for i in range(count)]


def count(home, sql: str) -> int:
    return query(home, sql).column(0)[0].as_py()


def test_create_writes_run_json_and_open_reads_it(azr_home):
    store = RunStore.create(azr_home, {"selfplay": {"batch_size": 4}}, run_id="first")
    assert store.root == azr_home.resolve() / "runs" / "first"
    meta = json.loads((store.root / "run.json").read_text())
    assert meta["config"] == {"selfplay": {"batch_size": 4}} and meta["status"] == "created"
    assert meta["mlflow_run_id"] is None and meta["created_at"]
    again = RunStore.open(azr_home, "first")
    assert again.meta["config"]["selfplay"]["batch_size"] == 4


def test_generated_run_ids_are_unique(azr_home):
    a, b = RunStore.create(azr_home, {}), RunStore.create(azr_home, {})
    assert a.run_id != b.run_id
    assert sorted(r["run_id"] for r in RunStore.list_runs(azr_home)) == sorted([a.run_id, b.run_id])
    assert RunStore.latest(azr_home).run_id in (a.run_id, b.run_id)


def test_opening_a_missing_run_names_it_and_lists_the_others(azr_home):
    RunStore.create(azr_home, {}, run_id="alpha")
    RunStore.create(azr_home, {}, run_id="beta")
    with pytest.raises(StorageError) as err:
        RunStore.open(azr_home, "gamma")
    assert "'gamma'" in str(err.value) and "alpha" in str(err.value) and "beta" in str(err.value)


def test_run_ids_must_be_safe_and_unique(azr_home):
    RunStore.create(azr_home, {}, run_id="r1")
    with pytest.raises(StorageError, match="already exists"):
        RunStore.create(azr_home, {}, run_id="r1")
    with pytest.raises(StorageError, match="letters"):
        RunStore.create(azr_home, {}, run_id="../escape")


def test_update_meta_rewrites_run_json(azr_home):
    store = RunStore.create(azr_home, {}, run_id="r")
    store.update_meta(status="running", mlflow_run_id="abc")
    assert RunStore.open(azr_home, "r").meta["status"] == "running"
    assert json.loads((store.root / "run.json").read_text())["mlflow_run_id"] == "abc"
    assert not [p for p in store.root.iterdir() if p.name.startswith(".")]  # no temp files left


def test_list_runs_reports_status_and_last_committed_iteration(azr_home):
    store = RunStore.create(azr_home, {}, run_id="r")
    store.write_rows(0, "tasks", tasks(0, 2))
    store.commit(0, {})
    store.write_rows(1, "tasks", tasks(1, 2))  # not committed
    store.update_meta(status="failed")
    (run,) = RunStore.list_runs(azr_home)
    assert run["run_id"] == "r" and run["status"] == "failed" and run["last_committed"] == 0


def test_rows_round_trip_with_run_and_iteration_filled(azr_home):
    store = RunStore.create(azr_home, {}, run_id="r")
    store.write_rows(3, "tasks", tasks(3, 2) + [task_to_row(seed_task(TaskType.INDUCTION), source="seed")])
    rows = store.read_rows(3, "tasks")
    assert [r["task_id"] for r in rows] == ["t3-0", "t3-1", "seed-induction"]
    assert {r["run_id"] for r in rows} == {"r"} and {r["iteration"] for r in rows} == {3}
    assert rows[2]["inputs"][:2] == ["'Hello World'", "42"]
    assert store.read_rows(4, "tasks") == []


def test_rows_for_another_run_or_iteration_are_refused(azr_home):
    store = RunStore.create(azr_home, {}, run_id="r")
    with pytest.raises(StorageError, match="iteration"):
        store.write_rows(1, "tasks", [dict(tasks(0, 1)[0].model_dump(), iteration=0)])
    with pytest.raises(StorageError, match="run_id"):
        store.write_rows(1, "tasks", [dict(tasks(0, 1)[0].model_dump(), run_id="other")])
    with pytest.raises(StorageError, match="invalid"):
        store.write_rows(1, "rollouts", [{"rollout_id": "x", "role": "critic", "task_type": "deduction"}])
    with pytest.raises(ValueError, match="unknown table"):
        store.write_rows(1, "buffers", [])


def test_rewriting_an_uncommitted_iteration_replaces_its_rows(azr_home):
    store = RunStore.create(azr_home, {}, run_id="r")
    store.write_rows(0, "tasks", tasks(0, 5))
    store.write_rows(0, "tasks", tasks(0, 3))  # a re-run after a crash writes the step again
    store.commit(0, {})
    assert len(store.read_rows(0, "tasks")) == 3
    assert count(azr_home, "select count(*) from tasks") == 3


def test_a_committed_iteration_is_final(azr_home):
    store = RunStore.create(azr_home, {}, run_id="r")
    store.write_rows(0, "tasks", tasks(0, 1))
    store.commit(0, {})
    with pytest.raises(StorageError, match="committed"):
        store.write_rows(0, "tasks", tasks(0, 2))
    with pytest.raises(StorageError, match="already committed"):
        store.commit(0, {})


def test_commit_writes_the_iterations_row_and_the_marker_last(azr_home):
    store = RunStore.create(azr_home, {}, run_id="r")
    store.write_rows(0, "tasks", tasks(0, 4))
    store.write_rows(0, "rollouts", [{"rollout_id": "a", "role": "solve", "task_type": "deduction",
                                      "correct": True, "flag_phrases": ["uh-oh"], "flagged": True}])
    assert not store.is_committed(0) and store.last_committed() is None
    marker = store.commit(0, {"step_seconds": {"propose": 2.0}, "metrics": {"acc": 0.5}, "checkpoint": 0})
    assert store.is_committed(0) and store.committed_iterations() == [0] and store.last_committed() == 0
    assert set(marker["files"]) == {"tasks", "rollouts", "iterations"}
    assert marker["files"]["tasks"]["rows"] == 4 and marker["files"]["tasks"]["types"] == {"deduction": 4}
    on_disk = json.loads((store.iteration_dir(0) / "COMMITTED").read_text())
    assert on_disk == marker
    (it,) = store.read_rows(0, "iterations")
    assert json.loads(it["metrics"]) == {"acc": 0.5} and it["checkpoint"] == 0 and it["finished_at"]
    assert (azr_home / "catalog.duckdb").is_file()


def test_uncommitted_rows_are_invisible_to_resume_catalog_and_sampler(azr_home):
    store = RunStore.create(azr_home, {}, run_id="r")
    store.write_rows(0, "tasks", tasks(0, 2))
    store.commit(0, {})
    store.write_rows(1, "tasks", tasks(1, 7))  # a crash before commit(1)
    resumed = RunStore.open(azr_home, "r")
    assert resumed.read_committed("tasks").num_rows == 2
    assert count(azr_home, "select count(*) from tasks") == 2
    assert resumed.sampler(0).buffer_size("deduction") == 2
    assert len(resumed.read_rows(1, "tasks")) == 7  # step resume can still read its own work


def test_rerunning_an_iteration_after_a_crash_never_duplicates(azr_home):
    store = RunStore.create(azr_home, {}, run_id="r")
    store.write_rows(0, "tasks", tasks(0, 2))
    store.commit(0, {})
    store.write_rows(1, "tasks", tasks(1, 3))
    store.write_rows(1, "proposals", [{"proposal_id": "p", "task_type": "deduction"}])
    resumed = RunStore.open(azr_home, "r")  # crash, then the iteration runs again from the start
    resumed.write_rows(1, "tasks", tasks(1, 3))
    resumed.write_rows(1, "proposals", [{"proposal_id": "p", "task_type": "deduction"}])
    resumed.commit(1, {})
    assert count(azr_home, "select count(*) from tasks") == 5
    assert count(azr_home, "select count(distinct task_id) from tasks") == 5
    assert count(azr_home, "select count(*) from proposals") == 1


def test_rollback_after_hides_later_iterations_and_allows_redoing_them(azr_home):
    store = RunStore.create(azr_home, {}, run_id="r")
    for n in range(4):
        store.write_rows(n, "tasks", tasks(n, 2))
        store.checkpoint_dir(n).joinpath("model.safetensors").write_bytes(b"w")
        store.commit(n, {"checkpoint": n})
    assert store.latest_checkpoint() == 3
    assert store.rollback_after(1) == [2, 3]
    assert store.committed_iterations() == [0, 1] and store.latest_checkpoint() == 1
    assert not store.checkpoint_dir(2, create=False).exists()
    assert count(azr_home, "select count(*) from tasks") == 4
    assert store.sampler(0).buffer_size("deduction") == 4
    store.write_rows(2, "tasks", tasks(2, 1, prefix="redo"))  # redo iteration 2 from checkpoint 1
    store.commit(2, {})
    assert query(azr_home, "select task_id from tasks where iteration = 2").column(0).to_pylist() == ["redo2-0"]
    assert any((store.root / "rolled_back").rglob("COMMITTED"))  # kept aside, never read
    store.purge_rolled_back()
    assert not (store.root / "rolled_back").exists()


def test_step_outputs_as_json(azr_home):
    store = RunStore.create(azr_home, {}, run_id="r")
    assert store.read_json(0, "propose.done.json") is None
    store.write_json(0, "propose.done.json", {"proposals": 12})
    assert store.read_json(0, "propose.done.json") == {"proposals": 12}
    with pytest.raises(StorageError):
        store.write_json(0, "../x.json", {})
    (store.iteration_dir(0) / "bad.json").write_text("{half")
    with pytest.raises(CorruptFileError, match="bad.json"):
        store.read_json(0, "bad.json")


def test_arrow_tables_are_accepted_and_missing_nullable_columns_filled(azr_home):
    store = RunStore.create(azr_home, {}, run_id="r")
    t = pa.table({"rollout_id": ["a", "b"], "role": ["solve", "propose"], "task_type": ["deduction"] * 2,
                  "response_tokens": pa.array([3, 4], pa.int32())})
    store.write_rows(0, "rollouts", t)
    rows = {r["rollout_id"]: r for r in store.read_rows(0, "rollouts")}
    assert rows["a"]["response_tokens"] == 3 and rows["b"]["response_tokens"] == 4 and rows["a"]["run_id"] == "r"
    with pytest.raises(StorageError, match="unknown columns"):
        store.write_rows(0, "rollouts", t.append_column("colour", pa.array(["red", "blue"])))


def test_evals_outside_iterations_are_visible_once_written(azr_home):
    store = RunStore.create(azr_home, {}, run_id="r")
    store.write_evals([{"benchmark": "cruxeval-o", "mode": "deduction", "item_id": "1", "correct": True}],
                      name="cruxeval-o-ckpt3", iteration=3)
    assert count(azr_home, "select count(*) from evals where correct and iteration = 3") == 1


def test_corrupt_files_name_the_file_and_what_to_do(azr_home):
    store = RunStore.create(azr_home, {}, run_id="r")
    store.write_rows(0, "tasks", tasks(0, 50))
    store.commit(0, {})
    path = store.table_path(0, "tasks")
    path.write_bytes(path.read_bytes()[:-100])  # truncated
    with pytest.raises(CorruptFileError) as err:
        store.read_rows(0, "tasks")
    msg = str(err.value)
    assert str(path) in msg and "iteration 0" in msg and "rollback_after" in msg
    with pytest.raises(CorruptFileError, match="tasks.parquet"):
        store.sampler(0).buffer_size("deduction")


def test_rollouts_are_stored_by_role_and_task_keeping_the_given_order_within_a_task(azr_home):
    store = RunStore.create(azr_home, {}, run_id="r")
    given = [("s1", "solve", "t2"), ("p1", "propose", None), ("s2", "solve", "t1"), ("s3", "solve", "t2"),
             ("p2", "propose", None), ("s4", "solve", "t1")]
    store.write_rows(0, "rollouts", [{"rollout_id": i, "role": role, "task_type": "deduction", "task_id": t}
                                     for i, role, t in given])
    assert [r["rollout_id"] for r in store.read_rows(0, "rollouts")] == ["p1", "p2", "s2", "s4", "s1", "s3"]
