"""Crash safety with real processes: a writer is killed with SIGKILL at random instants, and every time the state on
disk must be the old one or the new one, never a torn file, and re-running never duplicates rows."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from storage import RunStore
from storage.catalog import query

ROOT = Path(__file__).resolve().parent.parent

# Commits iterations (last committed + 1) .. LAST, each with n + 20 tasks and 2 proposal rewrites, refreshing the
# catalog at every commit. Prints "ready" once imports are done so the parent kills it while it works.
WRITER = r"""
import sys
from storage import RunStore
home, run_id, last = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = RunStore.open(home, run_id)
start = (store.last_committed() if store.last_committed() is not None else -1) + 1
print("ready", flush=True)
for n in range(start, last + 1):
    for attempt in range(2):
        store.write_rows(n, "proposals", [{"proposal_id": f"p{n}-{i}", "task_type": "abduction", "response": "x" * 500}
                                          for i in range(n + 20 + attempt)])
    store.write_rows(n, "tasks", [{"task_id": f"t{n}-{i}", "task_type": "deduction",
                                   "program": f"def f(a):\n    return a + {i}", "input": str(i), "output": str(2 * i)}
                                  for i in range(n + 20)])
    store.update_meta(status="running", progress=n)
    store.commit(n, {"metrics": {"n": n}})
store.update_meta(status="done")
"""

# Rewrites one uncommitted file and run.json over and over, alternating two versions.
REWRITER = r"""
import sys
from storage import RunStore
store = RunStore.open(sys.argv[1], sys.argv[2])
v = 0
while True:
    v += 1
    label, count = ("A", 300) if v % 2 else ("B", 700)
    store.write_rows(0, "rollouts", [{"rollout_id": f"{label}{i}", "role": "solve", "task_type": "deduction",
                                      "response": label * 200} for i in range(count)])
    store.update_meta(version=v, label=label, padding=label * (count * 10))
    if v == 1:
        print("ready", flush=True)
"""


def spawn(script: str, *args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, text=True)
    line = proc.stdout.readline()
    assert line.strip() == "ready", proc.stderr.read()
    return proc


def kill_soon(proc: subprocess.Popen, rng: random.Random, most: float) -> bool:
    """SIGKILL after a random delay; False if the process had already finished."""
    time.sleep(rng.uniform(0.0, most))
    if proc.poll() is not None:
        return False
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return True


def check_consistent(home: Path, run_id: str) -> int:
    """Committed iterations form a prefix, each with exactly its rows; returns the number committed."""
    store = RunStore.open(home, run_id)
    done = store.committed_iterations()
    assert done == list(range(len(done)))
    for n in done:
        assert [r["task_id"] for r in store.read_rows(n, "tasks")] == [f"t{n}-{i}" for i in range(n + 20)]
        assert len(store.read_rows(n, "proposals")) == n + 21  # the second (last) rewrite
    expect_tasks = sum(n + 20 for n in done)
    assert store.read_committed("tasks").num_rows == expect_tasks
    got = query(home, "select count(*), count(distinct task_id) from tasks").to_pylist()[0]
    assert list(got.values()) == [expect_tasks, expect_tasks]
    assert store.sampler(0).buffer_size("deduction") == expect_tasks
    assert store.meta["status"] in ("created", "running", "done")  # run.json always parses
    catalog = home / "catalog.duckdb"
    if catalog.exists():  # derived data: the last or the one before, never broken
        con = duckdb.connect(str(catalog), read_only=True)
        try:
            seen = con.execute("select count(*) from tasks").fetchall()[0][0]
        finally:
            con.close()
        # Refreshed after each commit, so a writer killed in between leaves it behind (two kills in a row: two
        # behind) until the next commit refreshes it; never anything but a committed prefix.
        allowed = {sum(n + 20 for n in range(k)) for k in range(len(done) + 1)}
        assert seen in allowed
    return len(done)


def test_killing_a_committing_writer_leaves_old_or_new_state(tmp_path):
    home, last = tmp_path / "home", 16
    RunStore.create(home, {}, run_id="victim")
    rng = random.Random(int(os.environ.get("AZR_TEST_SEED", "1234")))
    kills, progress = 0, []
    for _ in range(6):
        proc = spawn(WRITER, str(home), "victim", str(last))
        kills += kill_soon(proc, rng, 0.4)
        progress.append(check_consistent(home, "victim"))
    assert kills >= 3, "the writer finished too fast for the kills to land"
    assert progress == sorted(progress)
    proc = spawn(WRITER, str(home), "victim", str(last))  # resume to the end, undisturbed
    assert proc.wait(timeout=120) == 0, proc.stderr.read()
    assert check_consistent(home, "victim") == last + 1
    total = sum(n + 20 for n in range(last + 1))
    assert query(home, "select count(distinct task_id) from tasks").column(0)[0].as_py() == total
    assert query(home, "select count(*) from proposals").column(0)[0].as_py() == total + last + 1
    assert query(home, "select count(*) from iterations").column(0)[0].as_py() == last + 1
    # temp files of killed writers never stay in committed folders or next to the catalog
    assert not list((home / "runs" / "victim" / "iterations").rglob(".*tmp-*"))
    assert not list(home.glob(".catalog.duckdb.tmp-*"))


def test_killing_a_writer_mid_rewrite_leaves_one_complete_version(tmp_path):
    home = tmp_path / "home"
    store = RunStore.create(home, {}, run_id="r")
    rng = random.Random(99)
    for _ in range(3):
        proc = spawn(REWRITER, str(home), "r")
        time.sleep(0.3)  # let it overwrite a few times
        assert kill_soon(proc, rng, 0.3)
        rows = store.read_rows(0, "rollouts")
        labels = {r["rollout_id"][0] for r in rows}
        assert (labels, len(rows)) in (({"A"}, 300), ({"B"}, 700))
        meta = RunStore.open(home, "r").meta
        assert meta["padding"] == meta["label"] * (300 * 10 if meta["label"] == "A" else 700 * 10)
        json.loads((store.root / "run.json").read_text())


@pytest.mark.parametrize("stage", ["before-marker", "after-marker"])
def test_a_crash_around_the_marker_is_all_or_nothing(tmp_path, stage):
    """Deterministic version of the race: die right before or right after the marker's rename."""
    home = tmp_path / "home"
    RunStore.create(home, {}, run_id="r")
    script = r"""
import os, sys, signal
import storage.store as st
from storage import RunStore
store = RunStore.open(sys.argv[1], "r")
store.write_rows(0, "tasks", [{"task_id": f"t{i}", "task_type": "deduction", "program": "def f(a):\n    return a"}
                              for i in range(5)])
real = st.atomic_write_json
def dying(path, obj):
    if path.name == "COMMITTED" and sys.argv[2] == "before-marker":
        os.kill(os.getpid(), signal.SIGKILL)
    real(path, obj)
    if path.name == "COMMITTED":
        os.kill(os.getpid(), signal.SIGKILL)
st.atomic_write_json = dying
print("ready", flush=True)
store.commit(0, {})
"""
    proc = spawn(script, str(home), stage)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    store = RunStore.open(home, "r")
    if stage == "before-marker":
        assert not store.is_committed(0) and store.read_committed("tasks").num_rows == 0
        assert query(home, "select count(*) from tasks").column(0)[0].as_py() == 0
        store.write_rows(0, "tasks", [{"task_id": "again", "task_type": "deduction", "program": "def f(a): return a"}])
        store.commit(0, {})
        assert query(home, "select task_id from tasks").column(0).to_pylist() == ["again"]
    else:  # committed, even though the catalog refresh never ran: queries read the markers
        assert store.is_committed(0) and store.read_committed("tasks").num_rows == 5
        assert query(home, "select count(*) from tasks").column(0)[0].as_py() == 5
