"""The DuckDB catalog, `azr sql`, and what happens with damaged files. Real Parquet, real DuckDB files."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from azr.cli import main
from storage import RunStore
from storage.catalog import query, refresh_catalog, verify
from storage.synthetic import make_pools, write_history

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    """Two runs of synthetic history: 'alpha' with 4 committed iterations (plus an uncommitted one), 'beta' 2."""
    home = tmp_path_factory.mktemp("catalog") / "home"
    pools = make_pools(n_programs=120)
    alpha = RunStore.create(home, {"name": "alpha"}, run_id="alpha")
    write_history(alpha, 4, 60, pools=pools, seed=1)
    alpha.write_rows(4, "tasks", alpha.read_table(3, "tasks").drop_columns(["iteration"]))  # never committed
    beta = RunStore.create(home, {"name": "beta"}, run_id="beta")
    write_history(beta, 2, 30, pools=pools, seed=2, refresh=True)
    return home


def sql(home: Path, text: str, run: str | None = None) -> list[dict]:
    return query(home, text, run_id=run).to_pylist()


def test_views_cover_committed_rows_of_all_runs(history):
    rows = sql(history, "select run_id, count(*) as n, max(iteration) as last from tasks group by all order by 1")
    assert rows == [{"run_id": "alpha", "n": 240, "last": 3}, {"run_id": "beta", "n": 60, "last": 1}]
    assert sql(history, "select count(*) as n from iterations")[0]["n"] == 6
    assert sql(history, "select count(*) as n from tasks", run="beta")[0]["n"] == 60


def test_the_catalog_file_works_from_any_directory_and_any_client(history):
    code = ("import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
            "print(con.execute('select count(*) from tasks').fetchall()[0][0], "
            "con.execute('select count(*) from rollouts where flagged or not flagged').fetchall()[0][0])")
    out = subprocess.run([sys.executable, "-c", code, str(history / "catalog.duckdb")], cwd="/", text=True,
                         capture_output=True, check=True).stdout.split()
    assert int(out[0]) == 300 and int(out[1]) > 0


def test_an_empty_home_has_typed_empty_views(tmp_path):
    home = tmp_path / "empty"
    refresh_catalog(home)
    con = duckdb.connect(str(home / "catalog.duckdb"), read_only=True)
    try:
        assert con.execute("select count(*) from proposals").fetchall() == [(0,)]
        cols = dict(con.execute("select column_name, column_type from (describe rollouts)").fetchall())
    finally:
        con.close()
    assert cols["flag_phrases"] == "VARCHAR[]" and cols["trained"] == "BOOLEAN"
    assert query(home, "select count(*) as n from tasks").to_pylist() == [{"n": 0}]


def readme_queries() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Querying history with SQL", 1)[1]
    section = re.split(r"\n## ", section, maxsplit=1)[0]
    return re.findall(r"```sql\n(.*?)```", section, flags=re.S)


def test_every_readme_query_runs_and_answers(history):
    queries = readme_queries()
    assert len(queries) >= 12
    for q in queries:
        rows = query(history, q).to_pylist()
        assert rows, f"no rows from README query:\n{q}"


def test_readme_queries_give_sensible_answers(history):
    solve = sql(history, readme_queries()[0], run="alpha")
    assert {r["task_type"] for r in solve} == {"deduction", "abduction", "induction"}
    assert all(0 <= r["solve_rate"] <= 1 for r in solve)
    drift = sql(history, "select iteration, avg(ast_nodes) as a from tasks where run_id = 'alpha' "
                         "group by all order by 1")
    assert drift[-1]["a"] > drift[0]["a"]  # the synthetic curriculum grows programs


def run_cli(*args: str, capsys) -> tuple[int, str, str]:
    code = main(["sql", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_table_format_is_a_readable_box(history, capsys):
    code, out, err = run_cli("select task_type, count(*) as n from tasks group by all order by 1",
                             "--home", str(history), capsys=capsys)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("┌") and "task_type" in lines[1] and "varchar" in lines[2]
    assert any(re.search(r"│ deduction\s+│\s+100 │", line) for line in lines)
    assert lines[-1] == "3 rows"


def test_cli_table_cuts_long_cells_and_newlines(history, capsys):
    code, out, _ = run_cli("select program from tasks where ast_nodes > 30 limit 1", "--home", str(history),
                           capsys=capsys)
    assert code == 0 and "…" in out and "⏎" in out and "\ndef" not in out


def test_cli_csv_and_json_formats(history, capsys):
    q = "select iteration, task_type, inputs, solve_rate from proposals where run_id = 'beta' order by 1, 2 limit 4"
    code, out, _ = run_cli(q, "--home", str(history), "--format", "csv", capsys=capsys)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 4 and rows[0]["iteration"] == "0" and json.loads(rows[0]["inputs"]) == []
    code, out, _ = run_cli(q, "--home", str(history), "--format", "json", capsys=capsys)
    data = json.loads(out)
    assert code == 0 and len(data) == 4 and set(data[0]) == {"iteration", "task_type", "inputs", "solve_rate"}
    code, out, _ = run_cli("select * from iterations where false", "--home", str(history), "--format", "json",
                           capsys=capsys)
    assert json.loads(out) == []


def test_cli_output_file_and_run_filter(history, capsys, tmp_path):
    target = tmp_path / "out.csv"
    code, out, err = run_cli("select distinct run_id from tasks", "--home", str(history), "--run", "beta",
                             "--format", "csv", "--output", str(target), capsys=capsys)
    assert code == 0 and out == "" and "wrote 1 row" in err
    assert target.read_text().splitlines() == ["run_id", "beta"]


def test_cli_reads_the_home_from_the_environment(history, capsys, monkeypatch):
    monkeypatch.setenv("AZR_HOME", str(history))
    code, out, _ = run_cli("select count(*) as n from evals", "--format", "csv", capsys=capsys)
    assert code == 0 and out.splitlines()[1] == "100"  # iteration 0 of both runs


def test_cli_query_errors_print_duckdbs_message_and_exit_2(history, capsys):
    code, out, err = run_cli("select nonsense from tasks", "--home", str(history), capsys=capsys)
    assert code == 2 and out == ""
    assert "azr sql: error:" in err and 'nonsense' in err and "Binder Error" in err and "Traceback" not in err
    code, _, err = run_cli("selec 1", "--home", str(history), capsys=capsys)
    assert code == 2 and "Parser Error" in err
    code, _, err = run_cli("select 1", "--home", str(history), "--run", "gamma", capsys=capsys)
    assert code == 2 and "gamma" in err and "alpha" in err and "beta" in err


def test_the_installed_command_has_no_traceback(history):
    env = dict(os.environ, AZR_HOME=str(history), PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "azr.cli", "sql", "select * from no_such_view"], env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "Catalog Error" in proc.stderr and "Traceback" not in proc.stderr


# ----------------------------------------------------------------------------- damaged files

@pytest.fixture
def damaged(tmp_path) -> Path:
    home = tmp_path / "home"
    pools = make_pools(n_programs=60)
    for rid in ("good", "hurt"):
        write_history(RunStore.create(home, {}, run_id=rid), 3, 40, pools=pools, refresh=True)
    return home


def test_a_truncated_file_is_skipped_with_a_warning_naming_it(damaged, capsys, caplog):
    path = RunStore.open(damaged, "hurt").table_path(1, "tasks")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    problems = refresh_catalog(damaged)
    assert [p.path for p in problems] == [path]
    assert "truncated" in problems[0].message and "rollback_after(0)" in problems[0].message
    con = duckdb.connect(str(damaged / "catalog.duckdb"), read_only=True)
    try:  # other iterations and runs stay readable from the catalog
        assert con.execute("select count(*) from tasks").fetchall() == [(200,)]
    finally:
        con.close()
    code, out, err = run_cli("select run_id, count(*) as n from tasks group by 1 order by 1", "--home",
                             str(damaged), "--format", "csv", capsys=capsys)
    assert code == 0 and out.splitlines()[1:] == ["good,120", "hurt,80"]
    assert str(path) in err and "warning" in err and "iteration 1" in err


def test_damage_inside_a_file_of_the_same_size_is_found_and_named(damaged, capsys):
    path = RunStore.open(damaged, "hurt").table_path(2, "rollouts")
    data = bytearray(path.read_bytes())
    start = 4 + len(data) // 3
    data[start:start + 2000] = os.urandom(2000)  # garbage over data pages, footer intact
    path.write_bytes(bytes(data))
    assert [p.path for p in verify(damaged)] == [path]
    problems: list = []
    rows = query(damaged, "select run_id, count(*) as n, sum(length(response)) as chars from rollouts "
                          "group by 1 order by 1", problems=problems).to_pylist()
    assert [p.path for p in problems] == [path]
    assert [r["run_id"] for r in rows] == ["good", "hurt"] and rows[1]["n"] < rows[0]["n"]


def test_a_file_that_is_not_parquet_at_all(damaged):
    path = RunStore.open(damaged, "good").table_path(0, "proposals")
    size = path.stat().st_size
    path.write_bytes(b"x" * size)  # same size, nothing readable
    problems = refresh_catalog(damaged)
    assert [p.path for p in problems] == [path] and "Parquet" in problems[0].reason
    found: list = []
    assert query(damaged, "select count(*) as n from proposals", problems=found).to_pylist()[0]["n"] > 0
    assert [p.path for p in found] == [path]


def test_views_read_files_of_an_older_schema_by_column_name(tmp_path):
    """Markers record each file's schema fingerprint; views over files of the current schema skip DuckDB's
    union_by_name (which reads every footer at every query), others keep it, and both give the same rows."""
    import pyarrow.parquet as pq

    from storage.atomic import atomic_write_json
    from storage.catalog import connect

    home = tmp_path / "home"
    store = RunStore.create(home, {}, run_id="old")
    write_history(store, 2, 30, pools=make_pools(n_programs=50))
    con, _ = connect(home)
    sql_of = dict(con.execute("select view_name, sql from duckdb_views() where not internal").fetchall())
    con.close()
    assert "union_by_name" not in sql_of["tasks"]
    before = sql(home, "select count(*) as n, sum(ast_nodes) as s from tasks")
    # iteration 0 as an older writer left it: columns in another order, no fingerprint in its marker
    path = store.table_path(0, "tasks")
    t = pq.read_table(path)
    pq.write_table(t.select(list(reversed(t.column_names))), path)
    marker = store.marker(0)
    marker["files"]["tasks"].pop("schema")
    marker["files"]["tasks"]["bytes"] = path.stat().st_size
    atomic_write_json(store.iteration_dir(0, create=False) / "COMMITTED", marker)
    con, _ = connect(home)
    assert "union_by_name" in con.execute("select sql from duckdb_views() where view_name = 'tasks'").fetchall()[0][0]
    con.close()
    assert sql(home, "select count(*) as n, sum(ast_nodes) as s from tasks") == before
