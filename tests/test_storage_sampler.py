"""Sampling for the loop: references, solver batches and induction programs, from committed history only."""

from __future__ import annotations

from collections import Counter

import pytest

from azr.config import SelfPlayConfig
from azr.task_types import Task, TaskType
from storage import RunStore, Sampler
from storage.schemas import TaskRow


def row(n: int, i: int, task_type: str = "deduction", program: str | None = None, input: str | None = None):
    return TaskRow(task_id=f"{task_type[:3]}{n}-{i}", task_type=task_type,
                   program=program or f"def f(a):\n    return a + {n * 100 + i}", input=input or str(i),
                   output="0", inputs=["1", "2"] if task_type == "induction" else [],
                   outputs=["1", "2"] if task_type == "induction" else [],
                   message="m" if task_type == "induction" else "")


@pytest.fixture
def store(azr_home):
    """Iterations 0..4, each committing 10 tasks of every type; iteration 5 written but not committed."""
    s = RunStore.create(azr_home, {}, run_id="r")
    for n in range(6):
        s.write_rows(n, "tasks", [row(n, i, t) for t in ("deduction", "abduction", "induction") for i in range(10)])
        if n < 5:
            s.commit(n, {}, refresh=False)
    return s


def ids(tasks: list[Task]) -> list[str]:
    return [t.task_id for t in tasks]


def test_buffers_hold_committed_tasks_of_each_type(store):
    sampler = store.sampler(seed=0)
    assert {t: sampler.buffer_size(t) for t in TaskType} == {t: 50 for t in TaskType}
    every = ids(sampler.references("deduction", 1000, iteration=6))
    assert len(every) == 50 and len(set(every)) == 50
    assert not [i for i in every if i.startswith("ded5-")]  # iteration 5 is not committed


def test_same_seed_and_history_give_the_same_samples(store):
    a, b = store.sampler(seed=7), store.sampler(seed=7)
    assert ids(a.references("abduction", 6, iteration=3)) == ids(b.references("abduction", 6, iteration=3))
    # the order of calls does not matter: each draw has its own stream
    b.solver_tasks("abduction", 8, iteration=3)
    assert ids(a.solver_tasks("deduction", 8, 3)) == ids(b.solver_tasks("deduction", 8, 3))
    assert ids(a.induction_programs(5, 3)) == ids(b.induction_programs(5, 3))
    c = store.sampler(seed=8)
    assert ids(a.references("abduction", 6, 3)) != ids(c.references("abduction", 6, 3))
    assert ids(a.references("abduction", 6, 3)) != ids(a.references("abduction", 6, 4))


def test_a_sampler_sees_a_snapshot_of_the_history(store):
    sampler = store.sampler(seed=1)
    store.commit(5, {})
    assert sampler.buffer_size("deduction") == 50
    assert store.sampler(seed=1).buffer_size("deduction") == 60


def test_uniform_references_cover_the_buffer_evenly(store):
    sampler = store.sampler(seed=3)
    counts = Counter(i for it in range(300) for i in ids(sampler.references("deduction", 5, iteration=it)))
    assert len(counts) == 50
    expected = 300 * 5 / 50  # 30 draws each
    chi2 = sum((c - expected) ** 2 / expected for c in counts.values())
    assert chi2 < 90  # 49 degrees of freedom: p < 1e-4 for a fair sampler to exceed this
    for k in range(1, 6):
        assert len(set(ids(sampler.references("deduction", k, iteration=k)))) == k  # no repeats within a draw


def test_recent_references_favour_newer_iterations(store):
    sampler = store.sampler(seed=3, recent_half_life=1.0)
    by_iter = Counter(int(i.split("-")[0][3:]) for it in range(200)
                      for i in ids(sampler.references("deduction", 3, iteration=it, mode="recent")))
    assert by_iter[4] > by_iter[3] > by_iter[2] > by_iter[0]
    assert by_iter[4] > 2 * by_iter[2]


def test_solver_tasks_put_fresh_tasks_first_then_top_up_from_the_buffer(store):
    sampler = store.sampler(seed=2)
    fresh = [Task(task_type="deduction", program="def f(a):\n    return -a", input=str(i), output=str(-i),
                  task_id=f"fresh{i}") for i in range(3)]
    other = Task(task_type="abduction", program="def f(a):\n    return a", input="1", output="1", task_id="abd")
    batch = sampler.solver_tasks("deduction", 8, iteration=5, fresh=fresh + [other])
    assert ids(batch)[:3] == ["fresh0", "fresh1", "fresh2"]
    assert len(batch) == 8 and len(set(ids(batch))) == 8
    assert all(t.task_type is TaskType.DEDUCTION for t in batch)
    assert ids(sampler.solver_tasks("deduction", 2, 5, fresh=fresh)) == ["fresh0", "fresh1"]


def test_solver_tasks_repeat_only_when_the_buffer_is_too_small(store):
    sampler = store.sampler(seed=2)
    batch = sampler.solver_tasks("induction", 64, iteration=5)
    assert len(batch) == 64 and len(set(ids(batch))) == 50


def test_an_empty_history_gives_what_it_can(azr_home):
    sampler = RunStore.create(azr_home, {}, run_id="empty").sampler(seed=0)
    assert sampler.references("deduction", 6, 0) == [] and sampler.buffer_size("abduction") == 0
    assert sampler.solver_tasks("deduction", 4, 0) == [] and sampler.induction_programs(3, 0) == []
    fresh = [Task(task_type="deduction", program="def f(a):\n    return a", input="1", output="1", task_id="x")]
    assert ids(sampler.solver_tasks("deduction", 3, 0, fresh=fresh)) == ["x", "x", "x"]


def test_induction_programs_come_from_deduction_and_abduction(store):
    got = store.sampler(seed=4).induction_programs(40, iteration=5)
    assert len(got) == 40 and len(set(ids(got))) == 40
    assert {t.task_type for t in got} <= {TaskType.DEDUCTION, TaskType.ABDUCTION}


def test_dedup_keeps_the_first_copy_of_each_task(azr_home):
    s = RunStore.create(azr_home, {}, run_id="d")
    same = "def f(a):\n    return a * 2"
    reformatted = "def f( a ):   # twice\n    return (a*2)"
    s.write_rows(0, "tasks", [row(0, 0, program=same, input="1"), row(0, 1, program=reformatted, input="1"),
                              row(0, 2, program=same, input="2")])
    s.commit(0, {}, refresh=False)
    s.write_rows(1, "tasks", [row(1, 0, program=same, input=" 1 "), row(1, 1, program="def f(a):\n    return 0")])
    s.commit(1, {}, refresh=False)
    assert s.sampler(0).buffer_size("deduction") == 5
    deduped = s.sampler(0, dedup=True)
    assert deduped.buffer_size("deduction") == 3
    assert sorted(ids(deduped.references("deduction", 10, 2))) == ["ded0-0", "ded0-2", "ded1-1"]
    assert deduped.is_duplicate(Task(task_type="deduction", program=same, input="1", output="2"))
    assert not deduped.is_duplicate(Task(task_type="deduction", program=same, input="3", output="6"))
    # induction programs: distinct programs only
    assert sorted(t.program for t in deduped.induction_programs(2, 2)) == sorted([same, "def f(a):\n    return 0"])
    fresh = [Task(task_type="deduction", program=reformatted, input="2", output="4", task_id="dup"),
             Task(task_type="deduction", program=same, input="9", output="18", task_id="new"),
             Task(task_type="deduction", program=same, input="9", output="18", task_id="new-again")]
    assert ids(deduped.solver_tasks("deduction", 1, 2, fresh=fresh)) == ["new"]


def test_buffer_cap_keeps_the_newest_tasks(store):
    sampler = store.sampler(seed=0, buffer_cap=15)
    assert sampler.buffer_size("abduction") == 15
    kept = ids(sampler.references("abduction", 100, iteration=9))
    assert sorted(kept) == sorted([f"abd4-{i}" for i in range(10)] + [f"abd3-{i}" for i in range(5, 10)])


def test_options_come_from_the_selfplay_config(store):
    cfg = SelfPlayConfig(dedup=True, buffer_cap=12, reference_sampling="recent")
    sampler = Sampler(store, 0, config=cfg)
    assert (sampler.dedup, sampler.buffer_cap, sampler.reference_sampling) == (True, 12, "recent")
    assert sampler.buffer_size("deduction") == 12
    assert sampler.state()["committed"] == [0, 1, 2, 3, 4]


def draws(sampler) -> list[str]:
    out = []
    for it in range(3):
        for t in ("deduction", "abduction", "induction"):
            out += [(x.task_id, x.task_type.value, x.program, x.input, x.output, tuple(x.inputs), tuple(x.outputs),
                     x.message) for x in sampler.references(t, 6, it) + sampler.solver_tasks(t, 12, it)]
        out += [x.task_id for x in sampler.induction_programs(8, it)]
    return out


def test_commit_writes_the_row_file_the_sampler_reads(store):
    from storage import rowfile

    marker = store.marker(2)
    entry = marker["sample_rows"]
    path = store.iteration_dir(2, create=False) / entry["file"]
    assert entry["rows"] == 30 and path.stat().st_size == entry["bytes"]
    rf = rowfile.RowFile(path)
    got = rf.read([0, 29, 10])
    assert got[29]["task_id"] == "ind2-9" and got[29]["inputs"] == ["1", "2"] and got[29]["message"] == "m"
    assert got[0]["task_id"] == "ded2-0" and got[0]["program"] == "def f(a):\n    return a + 200"
    assert store.marker(2)["files"]["tasks"]["types"] == {"deduction": 10, "abduction": 10, "induction": 10}


@pytest.mark.parametrize("damage", ["delete", "truncate", "scribble_header", "scribble_block"])
def test_a_missing_or_damaged_row_file_falls_back_to_parquet(store, damage, caplog):
    from storage import sampler as sampler_mod

    expected = draws(store.sampler(seed=5))
    path = store.iteration_dir(3, create=False) / store.marker(3)["sample_rows"]["file"]
    data = path.read_bytes()
    if damage == "delete":
        path.unlink()
    elif damage == "truncate":
        path.write_bytes(data[:-10])
    elif damage == "scribble_header":
        path.write_bytes(b"X" * 20 + data[20:])
    else:  # same size, garbage at the end (inside the last block)
        path.write_bytes(data[:-8] + b"\xff" * 8)
    sampler_mod.clear_caches()
    with caplog.at_level("WARNING", logger="azr.storage"):
        assert draws(store.sampler(seed=5)) == expected
    assert str(path) in caplog.text and "tasks.parquet instead" in caplog.text


def test_history_without_row_files_samples_the_same(store):
    """Iterations committed before row files existed (no `sample_rows` in the marker) are read from Parquet."""
    from storage import sampler as sampler_mod
    from storage.atomic import atomic_write_json

    expected = draws(store.sampler(seed=9, dedup=True))
    for n in store.committed_iterations():
        marker = store.marker(n)
        (store.iteration_dir(n, create=False) / marker.pop("sample_rows")["file"]).unlink()
        atomic_write_json(store.iteration_dir(n, create=False) / "COMMITTED", marker)
    sampler_mod.clear_caches()
    assert draws(store.sampler(seed=9, dedup=True)) == expected


@pytest.mark.parametrize("options", [{}, {"buffer_cap": 25}, {"dedup": True}, {"reference_sampling": "recent"}])
def test_buffers_extended_after_a_commit_equal_buffers_built_afresh(store, options):
    """The process keeps the last buffers and extends them when the history grows (the loop's steady state)."""
    from storage import sampler as sampler_mod

    draws(store.sampler(seed=4, **options))  # caches the buffers over iterations 0..4
    store.commit(5, {})
    extended = draws(store.sampler(seed=4, **options))
    sampler_mod.clear_caches()
    assert draws(store.sampler(seed=4, **options)) == extended
    assert store.sampler(seed=4, **options).buffer_size("deduction") == (25 if "buffer_cap" in options else 60)


def test_the_row_file_gives_back_every_row_exactly(tmp_path):
    """Any text (newlines, quotes, non-ASCII, empty), lists, rows across block boundaries and a short last block."""
    import pyarrow as pa

    from storage import rowfile
    from storage.schemas import arrow_schema

    n = rowfile.BLOCK_ROWS * 2 + 5
    texts = ["", "a\nb", 'q"uote\\', "déjà vu ✓", "x" * 5000, "\x00nul"]
    rows = [{"task_id": f"t{i}", "task_type": ("deduction", "abduction", "induction")[i % 3],
             "program": f"def f(x):\n    return {texts[i % len(texts)]!r}", "input": texts[(i + 1) % len(texts)],
             "output": texts[(i + 2) % len(texts)], "inputs": texts[: i % 4], "outputs": texts[i % 3:],
             "message": texts[i % len(texts)]} for i in range(n)]
    schema = arrow_schema("tasks")
    table = pa.Table.from_pylist(rows, schema=pa.schema([schema.field(c) for c in rows[0]]))
    path = tmp_path / "tasks.rows"
    path.write_bytes(rowfile.build(table))
    rf = rowfile.RowFile(path)
    assert rf.rows == n and list(rf.codes[:3]) == [0, 1, 2]
    got = rf.read(list(range(n)))
    assert [{c: got[i][c] for c in rowfile.COLUMNS} for i in range(n)] == \
        [{c: r[c] for c in rowfile.COLUMNS} for r in rows]
    with pytest.raises(rowfile.RowFileError, match="out of range"):
        rf.read([n])
