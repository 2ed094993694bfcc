"""DuckDB views over every run's committed Parquet: `tasks`, `proposals`, `rollouts`, `iterations`, `evals`.

`refresh_catalog(home)` writes $AZR_HOME/catalog.duckdb, a small database holding only views whose file lists are
absolute paths, so any DuckDB client can open it from any working directory:

    duckdb -readonly $AZR_HOME/catalog.duckdb "select count(*) from tasks"

The file is rebuilt under a temporary name and renamed into place, so clients never see a half-written catalog and
the trainer never waits for a client's lock. `query(home, sql)` runs SQL on fresh in-memory views (what `azr sql`
uses): always current, never locked, optionally restricted to one run.

Unreadable files (truncated, damaged) are left out of the views with a warning naming them and what to do; the rest
of the history stays queryable.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from storage.atomic import fsync_dir
from storage.schemas import TABLES, arrow_schema, duckdb_columns, schema_fingerprint
from storage.store import (CorruptFileError, RunStore, StorageError, advice_for, file_crc32, read_marker,
                           iteration_numbers, runs_dir)

log = logging.getLogger("azr.storage")

CATALOG = "catalog.duckdb"
VIEWS = tuple(TABLES)


class QueryError(StorageError):
    """DuckDB refused or failed the query; the message is DuckDB's own."""


@dataclass(frozen=True)
class DataFile:
    table: str
    path: Path
    run_id: str
    iteration: int | None  # None for standalone eval files
    size: int | None  # from the commit marker
    crc32: int | None
    schema: str | None = None  # schema fingerprint from the commit marker


@dataclass(frozen=True)
class Problem:
    path: Path
    reason: str

    @property
    def message(self) -> str:
        return f"skipped unreadable file {self.path}: {self.reason}. {advice_for(self.path)}"


def committed_files(home: Path | str, run_id: str | None = None) -> dict[str, list[DataFile]]:
    """Every committed data file of every run (or of one run), per table, in run and iteration order."""
    out: dict[str, list[DataFile]] = {t: [] for t in VIEWS}
    if run_id is not None:
        run_ids = [RunStore.open(home, run_id).run_id]
    else:
        base = runs_dir(home)
        run_ids = sorted(p.name for p in base.iterdir() if (p / "run.json").is_file()) if base.is_dir() else []
    for rid in run_ids:
        root = runs_dir(home) / rid
        for n in iteration_numbers(root):
            folder = root / "iterations" / str(n)
            try:
                marker = read_marker(folder)
            except CorruptFileError as exc:
                log.warning("%s", exc)
                continue
            for table, entry in (marker or {}).get("files", {}).items():
                if table in out:
                    out[table].append(DataFile(table, folder / entry["file"], rid, n, entry.get("bytes"),
                                               entry.get("crc32"), entry.get("schema")))
        evals = root / "evals"
        if evals.is_dir():
            for p in sorted(evals.glob("*.parquet")):
                if not p.name.startswith("."):
                    out["evals"].append(DataFile("evals", p, rid, None, None, None))
    return out


_footer_ok: dict[tuple, str | None] = {}


def check_file(f: DataFile, footer: bool = True) -> str | None:
    """Why the file cannot be used, or None. Size against the commit marker (catches truncation), then the Parquet
    footer (catches overwritten or foreign files); results are cached per (path, size, mtime)."""
    try:
        st = f.path.stat()
    except FileNotFoundError:
        return "the file is missing"
    if f.size is not None and st.st_size != f.size:
        return f"it is {st.st_size} bytes but was committed with {f.size} bytes (truncated or overwritten)"
    if not footer:
        return None
    key = (str(f.path), st.st_size, st.st_mtime_ns)
    if key not in _footer_ok:
        try:
            pq.read_metadata(f.path)
            _footer_ok[key] = None
        except (pa.ArrowException, OSError) as exc:
            _footer_ok[key] = f"not a readable Parquet file ({exc})"
    return _footer_ok[key]


def verify(home: Path | str, run_id: str | None = None) -> list[Problem]:
    """Full check of every committed file: size, footer and CRC-32 against the commit marker (reads all data)."""
    problems = []
    for files in committed_files(home, run_id).values():
        for f in files:
            reason = check_file(f)
            if reason is None and f.crc32 is not None and file_crc32(f.path) != f.crc32:
                reason = "its checksum does not match the one recorded at commit (the data is damaged)"
            if reason:
                problems.append(Problem(f.path, reason))
    return problems


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def view_sql(table: str, paths: list[Path], same_schema: bool = False) -> str:
    """The view over `paths`. Files of differing schemas (older formats) are reconciled by column name, which makes
    DuckDB read every file's footer at every query; `same_schema` (all files have the current schema) skips that."""
    cols = duckdb_columns(table)
    if not paths:
        select = ", ".join(f"CAST(NULL AS {typ}) AS {name}" for name, typ in cols)
        return f"CREATE OR REPLACE VIEW {table} AS SELECT {select} WHERE false"
    files = ", ".join(_sql_str(str(p)) for p in paths)
    names = ", ".join(name for name, _ in cols)
    union = "" if same_schema else ", union_by_name = true"
    return f"CREATE OR REPLACE VIEW {table} AS SELECT {names} FROM read_parquet([{files}]{union})"


def _usable(files: dict[str, list[DataFile]], footer: bool, exclude: dict[Path, str]) \
        -> tuple[dict, list[Problem], dict[str, bool]]:
    """The usable paths per table, the files left out, and per table whether every usable file has the current
    schema (by its fingerprint in the commit marker)."""
    problems, usable, same = [], {}, {}
    for table, fs in files.items():
        usable[table] = []
        current = schema_fingerprint(arrow_schema(table))
        same[table] = True
        for f in fs:
            reason = exclude.get(f.path) or check_file(f, footer)
            if reason:
                problems.append(Problem(f.path, reason))
            else:
                usable[table].append(f.path)
                same[table] = same[table] and f.schema == current
    return usable, problems, same


def refresh_catalog(home: Path | str) -> list[Problem]:
    """Rebuild $AZR_HOME/catalog.duckdb from the commit markers of every run. Returns the files it skipped (each also
    logged as a warning)."""
    home = Path(home).expanduser().resolve()
    home.mkdir(parents=True, exist_ok=True)
    with open(home / ".catalog.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for stale in home.glob(f".{CATALOG}.tmp-*"):  # left by a refresh that was killed (we hold the lock)
            stale.unlink(missing_ok=True)
        usable, problems, same = _usable(committed_files(home), footer=True, exclude={})
        for p in problems:
            log.warning("%s", p.message)
        tmp = home / f".{CATALOG}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            con = duckdb.connect(str(tmp))
            try:
                for table in VIEWS:
                    con.execute(view_sql(table, usable[table], same[table]))
                con.execute("CHECKPOINT")
            finally:
                con.close()
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, home / CATALOG)
            fsync_dir(home)
        finally:
            for p in (tmp, Path(str(tmp) + ".wal")):
                if p.exists():
                    p.unlink()
    return problems


def views_in(sql: str) -> tuple[str, ...]:
    """The views a query names (all of them when it names none, e.g. SHOW TABLES): DuckDB reads every file's footer
    when a view is created, so `query` creates only the views a query can use."""
    named = tuple(v for v in VIEWS if re.search(rf"\b{v}\b", sql, flags=re.I))
    return named or VIEWS


def connect(home: Path | str, run_id: str | None = None, exclude: dict[Path, str] | None = None,
            views: tuple[str, ...] = VIEWS) -> tuple[duckdb.DuckDBPyConnection, list[Problem]]:
    """An in-memory DuckDB connection with the views over the current committed history (of one run if run_id
    is given), leaving out files that are visibly damaged. Returns the connection and the files left out."""
    files = {t: fs for t, fs in committed_files(home, run_id).items() if t in views}
    usable, problems, same = _usable(files, footer=False, exclude=exclude or {})
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET parquet_metadata_cache = true")
        for table in views:
            con.execute(view_sql(table, usable[table], same[table]))
    except BaseException:
        con.close()
        raise
    return con, problems


# Errors about the query itself, never about a damaged file.
_QUERY_ERRORS = tuple(getattr(duckdb, n) for n in (
    "ParserException", "BinderException", "CatalogException", "SyntaxException", "ConversionException",
    "OutOfRangeException", "NotImplementedException", "ConstraintException", "TypeMismatchException",
    "DependencyException", "PermissionException", "TransactionException") if hasattr(duckdb, n))


def _culprit(exc: duckdb.Error, home: Path, run_id: str | None, exclude: dict[Path, str]) -> Path | None:
    """Which data file a DuckDB error is about: named in the message, else found by checksum; None when the error is
    about the query."""
    message = str(exc)
    files = [f for fs in committed_files(home, run_id).values() for f in fs if f.path not in exclude]
    for f in files:
        if str(f.path) in message:
            return f.path
    if isinstance(exc, _QUERY_ERRORS):
        return None
    for f in files:
        if check_file(f) is not None:
            return f.path
        if f.crc32 is not None and file_crc32(f.path) != f.crc32:
            return f.path
    for f in files:  # uncommitted-checksum files (standalone evals): try reading them whole
        try:
            pq.read_table(f.path)
        except (pa.ArrowException, OSError):
            return f.path
    return None


def query(home: Path | str, sql: str, run_id: str | None = None,
          problems: list[Problem] | None = None) -> pa.Table:
    """Run SQL over the views and return the result as an arrow table. Damaged files are left out (appended to
    `problems` and logged); a query DuckDB rejects raises QueryError with DuckDB's message."""
    home = Path(home).expanduser().resolve()
    exclude: dict[Path, str] = {}
    for _ in range(32):
        con = None
        try:
            con, found = connect(home, run_id, exclude, views_in(sql))
            rel = con.sql(sql)
            result = rel.to_arrow_table() if rel is not None else pa.table({})
        except duckdb.Error as exc:
            message = str(exc)
            culprit = _culprit(exc, home, run_id, exclude)
            if culprit is None:
                raise QueryError(message) from None
            exclude[culprit] = f"DuckDB could not read it ({message.strip().splitlines()[0]})"
            continue
        finally:
            if con is not None:
                con.close()
        for p in found:
            log.warning("%s", p.message)
        if problems is not None:
            problems.extend(found)
        return result
    raise QueryError("too many unreadable files; run storage.catalog.verify(home) to list them")
