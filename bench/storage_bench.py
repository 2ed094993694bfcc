"""Storage benchmark: a synthetic history of 1,000,000 task rows over 100 iterations, then the costs the loop and the
analyst pay: committing one iteration, sampling one iteration's tasks, five typical queries, and the size on disk.

    .venv/bin/python bench/storage_bench.py                      # the full size (about 2-4 minutes on 2 cores)
    .venv/bin/python bench/storage_bench.py --iterations 10      # a quick look
    .venv/bin/python bench/storage_bench.py --home DIR --reuse   # time again over a history written before

Per iteration it writes T tasks, 1.5 T proposals (a third fail validation) and 4 T rollouts (1.5 T proposer,
2.5 T solver of which a third trained, the rest learnability estimates), with prompt and response text (see
storage/synthetic.py). Timings are the best of several repeats; the CPU may be shared, so the median is printed too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = {
    "solve rate by type per iteration": """
        SELECT iteration, task_type, avg(correct::INT) AS solve_rate, count(*) AS n
        FROM rollouts WHERE role = 'solve' AND purpose = 'train' GROUP BY ALL ORDER BY ALL""",
    "why proposals fail": """
        SELECT task_type, error, count(*) AS n, any_value(detail) AS example
        FROM proposals WHERE NOT valid GROUP BY ALL ORDER BY n DESC""",
    "complexity drift": """
        SELECT iteration, task_type, avg(ast_nodes) AS nodes, avg(cyclomatic) AS cyclomatic, max(ast_nodes) AS most
        FROM tasks GROUP BY ALL ORDER BY ALL""",
    "duplicate programs": """
        SELECT program_hash, count(*) AS copies, min(iteration) AS first_seen, any_value(program) AS program
        FROM tasks GROUP BY program_hash HAVING count(*) > 1 ORDER BY copies DESC LIMIT 10""",
    "hardest solved tasks": """
        WITH solved AS (
          SELECT run_id, task_id, avg(correct::INT) AS solve_rate, count(*) AS attempts
          FROM rollouts WHERE role = 'solve' GROUP BY ALL HAVING sum(correct::INT) > 0
          ORDER BY solve_rate, attempts DESC LIMIT 10)
        SELECT s.*, t.task_type, t.ast_nodes FROM solved s JOIN tasks t USING (run_id, task_id)
        ORDER BY solve_rate, attempts DESC""",
}


def timed(fn, repeat: int = 3) -> tuple[float, float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times), out


def load() -> None:
    print(f"# cpu cores: {os.cpu_count()}, load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


def ms(s: float) -> str:
    return f"{s * 1000:8.1f} ms"


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def sizes(home: Path) -> dict:
    """Bytes and rows per data file kind (tasks.parquet, tasks.rows, ...) and in all of runs/."""
    import pyarrow.parquet as pq

    kinds: dict[str, list[int]] = {}
    for f in (home / "runs").rglob("*"):
        if f.is_file() and f.suffix in (".parquet", ".rows") and not f.name.startswith("."):
            k = kinds.setdefault(f.name if f.parent.parent.name == "iterations" else f"evals/{f.suffix[1:]}", [0, 0])
            k[0] += f.stat().st_size
            if f.suffix == ".parquet":
                k[1] += pq.read_metadata(f).num_rows
    kinds = dict(sorted(kinds.items(), key=lambda kv: -kv[1][0]))
    return {"kinds": kinds, "total": du(home / "runs"), "task_rows": kinds.get("tasks.parquet", [0, 0])[1]}


def print_sizes(snap: dict) -> None:
    for name, (size, rows) in snap["kinds"].items():
        per = f"{rows:>11,} rows  {size / rows:6.1f} B/row" if rows else f"{'':>11}       (sampler row file)"
        print(f"{name:18s} {size / 1e6:8.1f} MB  {per}")
    print(f"{'history':18s} {snap['total'] / 1e6:8.1f} MB (all runs/ files) at {snap['task_rows']:,} task rows")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", help="where to write (default: a temporary folder, deleted at the end)")
    ap.add_argument("--iterations", type=int, default=100)
    ap.add_argument("--tasks-per-iteration", type=int, default=10_000)
    ap.add_argument("--reuse", action="store_true", help="time over the history already in --home")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    import duckdb

    from storage import RunStore
    from storage import sampler as sampler_mod
    from storage.catalog import query, refresh_catalog
    from storage.synthetic import iteration_row, iteration_tables, make_pools, write_history

    tmp = None
    if args.home:
        home = Path(args.home).resolve()
    else:
        tmp = tempfile.TemporaryDirectory(prefix="azr-storage-bench-")
        home = Path(tmp.name)
    n_iter, per = args.iterations, args.tasks_per_iteration
    print(f"# storage bench: {n_iter} iterations x {per:,} tasks = {n_iter * per:,} task rows; home {home}")
    load()

    pools = make_pools(seed=0)
    if args.reuse and (home / "runs" / "bench").is_dir():
        store = RunStore.open(home, "bench")
    else:
        store = RunStore.create(home, {"bench": True}, run_id="bench")
        t = time.perf_counter()
        write_history(store, n_iter, per, pools=pools, seed=0)
        print(f"wrote and committed the history in {time.perf_counter() - t:.1f} s")
    first_sizes = sizes(home)
    t = time.perf_counter()
    refresh_catalog(home)
    print(f"catalog refresh over {len(store.committed_iterations())} iterations: {ms(time.perf_counter() - t)}")

    # ---- commit of one more iteration (the history keeps growing: one repeat per new iteration)
    print("\n## commit of one iteration (rows already written; iterations row, checksums, marker, catalog refresh)")
    commits, writes = [], []
    for k in range(3):
        n = (store.last_committed() or 0) + 1
        tables = iteration_tables(store.run_id, n, per, pools, seed=0, iterations=n_iter)
        t = time.perf_counter()
        for name, table in tables.items():
            store.write_rows(n, name, table)
        writes.append(time.perf_counter() - t)
        t = time.perf_counter()
        store.commit(n, iteration_row(n, tables))
        commits.append(time.perf_counter() - t)
    print(f"write_rows of one iteration ({per:,} tasks + proposals + rollouts): best {ms(min(writes))}, "
          f"median {ms(statistics.median(writes))}")
    print(f"commit (with catalog refresh):                       best {ms(min(commits))}, "
          f"median {ms(statistics.median(commits))}")
    t = time.perf_counter()
    n = store.last_committed() + 1
    store.write_rows(n, "tasks", iteration_tables(store.run_id, n, 100, pools)["tasks"])
    t = time.perf_counter()
    store.commit(n, {}, refresh=False)
    print(f"commit without the catalog refresh (small iteration): {ms(time.perf_counter() - t)}")

    # ---- sampling for one iteration: 3 types x (K=6 references + B=64 solver tasks) + 64 induction programs
    print("\n## sampling for one iteration: K=6 references and B=64 solver tasks per type, 64 induction programs")
    it = store.last_committed() + 1
    rows = sum(len(store.read_committed("tasks", ["task_type"])) for _ in [0])
    print(f"committed task rows: {rows:,}")

    draws = iter(range(it, it + 10_000))

    def sample_iteration(dedup: bool = False, cap: int | None = None):
        # every repeat is a new iteration's draw (different rows), as in a run
        it = next(draws)
        s = store.sampler(seed=0, dedup=dedup, buffer_cap=cap)
        out = []
        for t in ("deduction", "abduction", "induction"):
            out += s.references(t, 6, it)
            out += s.solver_tasks(t, 64, it)
        out += s.induction_programs(64, it)
        return out

    for label, kw in (("plain", {}), ("dedup", {"dedup": True}), ("buffer_cap=16384", {"cap": 16384})):
        sampler_mod.clear_caches()
        t = time.perf_counter()
        got = sample_iteration(**kw)
        cold = time.perf_counter() - t
        best, med, _ = timed(lambda: sample_iteration(**kw), args.repeat)
        print(f"{label:17s} cold (new process, indexes read) {ms(cold)}; warm best {ms(best)}, median {ms(med)}"
              f"  ({len(got)} tasks)")

    # the loop's steady state: every iteration commits one more file, then samples over the grown history
    after = []
    for _ in range(3):
        n = store.last_committed() + 1
        tables = iteration_tables(store.run_id, n, per, pools, seed=0, iterations=n_iter)
        for name, table in tables.items():
            store.write_rows(n, name, table)
        store.commit(n, iteration_row(n, tables), refresh=False)
        t = time.perf_counter()
        sample_iteration()
        after.append(time.perf_counter() - t)
    print(f"plain, first draw after a new {per:,}-task commit (loop steady state): best {ms(min(after))}, "
          f"median {ms(statistics.median(after))}")

    # ---- five queries
    print("\n## five analysis queries: `azr sql` path (fresh in-memory views) and the catalog file")
    con = duckdb.connect(str(home / "catalog.duckdb"), read_only=True)
    for name, sql in QUERIES.items():
        best, med, result = timed(lambda: query(home, sql), args.repeat)
        cbest, cmed, _ = timed(lambda: con.execute(sql).fetchall(), args.repeat)
        print(f"{name:34s} azr sql best {ms(best)} median {ms(med)} | catalog best {ms(cbest)} median {ms(cmed)}"
              f"  ({result.num_rows} rows)")
    con.close()

    # ---- sizes
    print(f"\n## size on disk, the history as written ({n_iter} iterations)")
    print_sizes(first_sizes)
    print("\n## size on disk after the timed commits")
    print_sizes(sizes(home))
    print(f"{'catalog':18s} {(home / 'catalog.duckdb').stat().st_size / 1e6:8.1f} MB")
    avg = query(home, "select avg(length(prompt)) as p, avg(length(response)) as r from rollouts").to_pylist()[0]
    print(f"rollout text: prompts {avg['p']:.0f} chars, responses {avg['r']:.0f} chars on average")
    load()
    if tmp:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
