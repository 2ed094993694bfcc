"""A run's folder on disk and the commit protocol.

    $AZR_HOME/runs/<run_id>/run.json                    config, status, MLflow run id, created_at
    $AZR_HOME/runs/<run_id>/iterations/<n>/<table>.parquet   rows written by the pipeline steps (atomic, replaceable)
    $AZR_HOME/runs/<run_id>/iterations/<n>/*.json       small step outputs (step resume)
    $AZR_HOME/runs/<run_id>/iterations/<n>/COMMITTED    the commit marker, written last: the iteration now counts
    $AZR_HOME/runs/<run_id>/checkpoints/<n>/            model, optimizer, RNG and sampler state
    $AZR_HOME/runs/<run_id>/evals/<name>.parquet        evaluations outside an iteration (visible once written)
    $AZR_HOME/runs/<run_id>/rolled_back/                iterations and checkpoints moved away by rollback_after
    $AZR_HOME/catalog.duckdb                            DuckDB views over every run's committed Parquet

Every file is written to a hidden temporary name, fsynced and renamed into place, so a crash at any instant leaves the
old file or the new one. The marker lists each table file with its size, row count and CRC-32; readers (catalog,
sampler, resume) look at committed iterations only, through their markers.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import secrets
import shutil
import zlib
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, ValidationError

from storage import rowfile
from storage.atomic import atomic_write_bytes, atomic_write_json, fsync_dir, remove_stale_temps
from storage.schemas import TABLES, arrow_schema, row_model, schema_fingerprint

log = logging.getLogger("azr.storage")

MARKER = "COMMITTED"
RUN_FILE = "run.json"
FORMAT_VERSION = 1
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_JSON_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
# One row group per iteration's file in practice: DuckDB scans few large groups far faster than many small ones, and
# dictionaries are stored once per group. (The sampler fetches single tasks from tasks.rows, not from Parquet.)
ROW_GROUP_ROWS = 1 << 17
ZSTD_LEVEL = 9
# Unique, sorted-looking ids: prefix (delta) encoding stores them in a fraction of the space of plain strings.
DELTA_COLUMNS = {"proposals": ["proposal_id"], "rollouts": ["rollout_id"]}
# Row order within a file, where it is not meaningful and a sort helps the typical queries (see write_rows).
SORT_KEYS = {"rollouts": ("role", "task_id")}  # a stable sort: ties keep the order given


class StorageError(Exception):
    """A storage operation that cannot proceed; the message says why and what to do."""


class CorruptFileError(StorageError):
    """A Parquet or JSON file of the history cannot be read (truncated, overwritten, damaged)."""

    def __init__(self, path: Path | str, reason: str, advice: str | None = None):
        self.path = Path(path)
        self.reason = reason
        self.advice = advice or advice_for(self.path)
        super().__init__(f"cannot read {self.path}: {reason}. {self.advice}")


def advice_for(path: Path) -> str:
    """What a user can do about an unreadable file, from where it sits in the layout."""
    parts = Path(path).parts
    if "iterations" in parts:
        i = parts.index("iterations")
        run_id = parts[i - 1] if i > 0 else "?"
        it = parts[i + 1] if i + 1 < len(parts) else "?"
        return (f"It belongs to run {run_id!r}, iteration {it}. Restore it from a backup, or roll the run back so the "
                f"iteration is re-run (RunStore.open(home, {run_id!r}).rollback_after({_prev(it)}) and resume), or "
                f"delete the folder {Path(*parts[: i + 2])} if you no longer need that iteration; other runs and "
                "iterations stay readable, and `azr sql` skips this file meanwhile")
    return ("Restore it from a backup or delete it; other files stay readable, and `azr sql` skips this "
            "file meanwhile")


def _prev(it: str) -> str:
    if not it.isdigit():
        return "N-1"
    return str(int(it) - 1) if int(it) > 0 else "None"


def utcnow_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)


def runs_dir(home: Path | str) -> Path:
    return Path(home).expanduser().resolve() / "runs"


def read_marker(iter_dir: Path) -> dict | None:
    """The commit marker of an iteration folder, or None when it is not committed."""
    path = iter_dir / MARKER
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:  # a marker is written atomically, so this is outside damage
        raise CorruptFileError(path, f"the commit marker is not valid JSON ({exc})") from None


def iteration_numbers(run_root: Path) -> list[int]:
    base = run_root / "iterations"
    if not base.is_dir():
        return []
    return sorted(int(p.name) for p in base.iterdir() if p.name.isdigit() and p.is_dir())


def parquet_bytes(table: pa.Table, row_group_rows: int | None = ROW_GROUP_ROWS, delta: list[str] = ()) -> bytes:
    buf = io.BytesIO()
    kw: dict[str, Any] = {}
    if delta:
        kw = {"use_dictionary": [c for c in table.schema.names if c not in delta],
              "column_encoding": {c: "DELTA_BYTE_ARRAY" for c in delta}}
    pq.write_table(table, buf, compression="zstd", compression_level=ZSTD_LEVEL, row_group_size=row_group_rows,
                   write_statistics=True, **kw)
    return buf.getvalue()


def to_arrow(table: str, rows: Any, run_id: str, iteration: int) -> pa.Table:
    """Validate rows (pydantic models, dicts, or an arrow table) and build the table's arrow table, with run_id and
    iteration filled in. Rows that name another run or iteration are refused."""
    schema = arrow_schema(table)
    if isinstance(rows, pa.Table):
        return _arrow_rows(table, rows, schema, run_id, iteration)
    model = row_model(table)
    out = []
    for i, r in enumerate(rows):
        d = r.model_dump() if isinstance(r, BaseModel) else dict(r)
        for key, want in (("run_id", run_id), ("iteration", iteration)):
            have = d.get(key)
            if have in (None, "", -1):
                d[key] = want
            elif have != want:
                raise StorageError(f"{table} row {i} has {key}={have!r} but is written to {key}={want!r}")
        try:
            out.append(model.model_validate(d).model_dump())
        except ValidationError as exc:
            raise StorageError(f"{table} row {i} is invalid: {exc}") from None
    return pa.Table.from_pylist(out, schema=schema)


def _arrow_rows(name: str, t: pa.Table, schema: pa.Schema, run_id: str, iteration: int) -> pa.Table:
    n = t.num_rows
    cols = []
    for field in schema:
        if field.name in t.column_names:
            col = t.column(field.name)
            if field.name in ("run_id", "iteration"):
                want = run_id if field.name == "run_id" else iteration
                vals = set(col.unique().to_pylist())
                if vals - {want}:
                    raise StorageError(f"{name} rows name {field.name}={sorted(map(str, vals))} but are written to "
                                       f"{field.name}={want!r}")
            cols.append(col.cast(field.type))
        elif field.name == "run_id":
            cols.append(pa.array([run_id] * n, pa.string()))
        elif field.name == "iteration":
            cols.append(pa.array([iteration] * n, pa.int64()))
        elif field.nullable:
            cols.append(pa.nulls(n, field.type))
        else:
            raise StorageError(f"{name} rows lack the column {field.name!r}")
    extra = set(t.column_names) - set(schema.names)
    if extra:
        raise StorageError(f"{name} rows have unknown columns: {', '.join(sorted(extra))}")
    return pa.Table.from_arrays(cols, schema=schema)


def read_parquet_file(path: Path, columns: list[str] | None = None) -> pa.Table:
    try:
        return pq.read_table(path, columns=columns)
    except FileNotFoundError:
        raise
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise CorruptFileError(path, f"{type(exc).__name__}: {exc}") from None


def file_crc32(path: Path) -> int:
    crc = 0
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            crc = zlib.crc32(chunk, crc)
    return crc


class RunStore:
    """One run's folder. Cheap to open; holds no open files. One writer per run at a time."""

    def __init__(self, home: Path, run_id: str):
        self.home = Path(home).expanduser().resolve()
        self.run_id = run_id
        self.root = runs_dir(self.home) / run_id
        self._meta: dict | None = None

    # ------------------------------------------------------------------ runs

    @classmethod
    def create(cls, home: Path | str, config: dict | BaseModel | None = None, run_id: str | None = None,
               **meta: Any) -> "RunStore":
        """Make runs/<run_id>/ with run.json. Refuses to reuse an existing run id."""
        run_id = run_id or new_run_id()
        if not _RUN_ID.match(run_id):
            raise StorageError(f"run id {run_id!r} may use letters, digits, '.', '_' and '-' only "
                               "(and must start with a letter or digit)")
        if isinstance(config, BaseModel):
            config = config.model_dump(mode="json")
        store = cls(home, run_id)
        store.root.parent.mkdir(parents=True, exist_ok=True)
        try:
            store.root.mkdir()
        except FileExistsError:
            raise StorageError(f"run {run_id!r} already exists in {store.root.parent}; open it with "
                               "RunStore.open or choose another id") from None
        (store.root / "iterations").mkdir()
        (store.root / "checkpoints").mkdir()
        info = {"run_id": run_id, "created_at": utcnow_iso(), "status": "created", "config": config or {},
                "mlflow_run_id": None, "format_version": FORMAT_VERSION}
        info.update(meta)
        atomic_write_json(store.root / RUN_FILE, info)
        fsync_dir(store.root.parent)
        store._meta = info
        return store

    @classmethod
    def open(cls, home: Path | str, run_id: str) -> "RunStore":
        store = cls(home, run_id)
        if not (_RUN_ID.match(run_id or "") and (store.root / RUN_FILE).is_file()):
            runs = [r["run_id"] for r in cls.list_runs(home)]
            listing = ", ".join(runs[-20:]) if runs else "none yet"
            raise StorageError(f"no run {run_id!r} in {runs_dir(home)}; existing runs: {listing}")
        store.meta  # fail early on a damaged run.json
        return store

    @classmethod
    def latest(cls, home: Path | str) -> "RunStore | None":
        """The most recently created run in the home, or None."""
        runs = cls.list_runs(home)
        return cls(home, runs[-1]["run_id"]) if runs else None

    @staticmethod
    def list_runs(home: Path | str) -> list[dict]:
        """One dict per run, oldest first: run_id, status, last_committed, created_at, name, kind ('train' or
        'eval': a standalone `azr eval` records its items as a one-iteration run)."""
        base = runs_dir(home)
        if not base.is_dir():
            return []
        out = []
        for d in base.iterdir():
            if not (d.is_dir() and (d / RUN_FILE).is_file()):
                continue
            try:
                meta = json.loads((d / RUN_FILE).read_text())
            except (OSError, ValueError):
                meta = {"status": "unreadable run.json"}
            committed = [n for n in iteration_numbers(d) if (d / "iterations" / str(n) / MARKER).is_file()]
            config = meta.get("config") if isinstance(meta.get("config"), dict) else {}
            out.append({"run_id": d.name, "status": meta.get("status"),
                        "last_committed": committed[-1] if committed else None,
                        "created_at": meta.get("created_at"), "name": meta.get("name"),
                        "kind": meta.get("kind") or config.get("kind") or "train"})
        out.sort(key=lambda r: (r["created_at"] or "", r["run_id"]))
        return out

    @property
    def meta(self) -> dict:
        if self._meta is None:
            path = self.root / RUN_FILE
            try:
                self._meta = json.loads(path.read_text())
            except ValueError as exc:
                raise CorruptFileError(path, f"not valid JSON ({exc})",
                                       "Restore run.json from a backup, or rewrite it with the run's config") from None
        return self._meta

    def update_meta(self, **fields: Any) -> dict:
        """Merge fields into run.json (atomic rewrite) and return the new contents."""
        self._meta = None
        meta = dict(self.meta)
        meta.update(fields)
        atomic_write_json(self.root / RUN_FILE, meta)
        self._meta = meta
        return meta

    # ------------------------------------------------------------------ folders

    def iteration_dir(self, n: int, create: bool = True) -> Path:
        d = self.root / "iterations" / str(_check_n(n))
        if create:
            d.mkdir(parents=True, exist_ok=True)
        return d

    def checkpoint_dir(self, n: int, create: bool = True) -> Path:
        d = self.root / "checkpoints" / str(_check_n(n))
        if create:
            d.mkdir(parents=True, exist_ok=True)
        return d

    def table_path(self, n: int, table: str) -> Path:
        arrow_schema(table)  # validates the name
        return self.iteration_dir(n, create=False) / f"{table}.parquet"

    # ------------------------------------------------------------------ rows

    def write_rows(self, n: int, table: str, rows: Iterable[dict | BaseModel] | pa.Table) -> Path:
        """Write iteration n's file for `table` atomically, replacing an earlier uncommitted one. Rollouts are stored
        ordered by role and task id (every row carries its own id; the order given is not kept): each task's attempts
        sit together, which makes per-task aggregates such as solve rates markedly cheaper to compute."""
        if self.is_committed(n):
            raise StorageError(f"iteration {n} of run {self.run_id!r} is committed; its {table} rows are final "
                               f"(roll back with rollback_after({n - 1}) to redo it)")
        data = to_arrow(table, rows if isinstance(rows, pa.Table) else list(rows), self.run_id, n)
        if table in SORT_KEYS and data.num_rows > 1:
            data = data.sort_by([(c, "ascending") for c in SORT_KEYS[table]])
        path = self.table_path(n, table)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, parquet_bytes(data, delta=DELTA_COLUMNS.get(table, [])))
        return path

    def read_table(self, n: int, table: str) -> pa.Table:
        """Iteration n's rows of `table` as an arrow table (empty when never written), committed or not."""
        path = self.table_path(n, table)
        if not path.is_file():
            return arrow_schema(table).empty_table()
        return read_parquet_file(path)

    def read_rows(self, n: int, table: str) -> list[dict]:
        return self.read_table(n, table).to_pylist()

    def write_json(self, n: int, name: str, obj: Any) -> Path:
        path = self.iteration_dir(n) / _json_name(name)
        atomic_write_json(path, obj)
        return path

    def read_json(self, n: int, name: str) -> Any:
        path = self.iteration_dir(n, create=False) / _json_name(name)
        try:
            return json.loads(path.read_text())
        except FileNotFoundError:
            return None
        except ValueError as exc:
            raise CorruptFileError(path, f"not valid JSON ({exc})",
                                   "Delete it so the step that wrote it runs again") from None

    def write_evals(self, rows: Iterable[dict | BaseModel] | pa.Table, name: str, iteration: int = -1) -> Path:
        """Evaluation rows that belong to no iteration's commit (e.g. `azr eval` of a checkpoint): written atomically
        to runs/<id>/evals/<name>.parquet and visible as soon as the write completes. Same name replaces."""
        path = self.root / "evals" / f"{_json_name(name, suffix='')}.parquet"
        path.parent.mkdir(exist_ok=True)
        data = to_arrow("evals", rows if isinstance(rows, pa.Table) else list(rows), self.run_id, iteration)
        atomic_write_bytes(path, parquet_bytes(data))
        return path

    # ------------------------------------------------------------------ commits

    def marker(self, n: int) -> dict | None:
        return read_marker(self.iteration_dir(n, create=False))

    def is_committed(self, n: int) -> bool:
        return (self.iteration_dir(n, create=False) / MARKER).is_file()

    def committed_iterations(self) -> list[int]:
        return [n for n in iteration_numbers(self.root) if self.is_committed(n)]

    def last_committed(self) -> int | None:
        done = self.committed_iterations()
        return done[-1] if done else None

    def commit(self, n: int, iteration_row: dict | BaseModel | None = None, refresh: bool = True) -> dict:
        """Make iteration n count: write its `iterations` row, then the marker (last, atomically), then refresh the
        catalog. Every <table>.parquet in the folder becomes part of the commit. Returns the marker."""
        if self.is_committed(n):
            raise StorageError(f"iteration {n} of run {self.run_id!r} is already committed")
        row = iteration_row.model_dump() if isinstance(iteration_row, BaseModel) else dict(iteration_row or {})
        row.setdefault("finished_at", datetime.now(timezone.utc))
        self.write_rows(n, "iterations", [row])
        d = self.iteration_dir(n)
        remove_stale_temps(d)
        files = {}
        for table in TABLES:
            path = d / f"{table}.parquet"
            if not path.is_file():
                continue
            entry = {"file": path.name, "bytes": path.stat().st_size, "crc32": file_crc32(path)}
            try:
                md = pq.read_metadata(path)
            except (pa.ArrowException, OSError) as exc:
                raise CorruptFileError(path, f"{type(exc).__name__}: {exc}",
                                       f"Rewrite it with write_rows({n}, {table!r}, ...) before committing") from None
            entry["rows"] = md.num_rows
            entry["schema"] = schema_fingerprint(md.schema.to_arrow_schema())
            if table == "tasks":
                entry["types"], sample_rows = self._write_row_file(d, path)
            files[table] = entry
        if "tasks" not in files:
            (d / rowfile.NAME).unlink(missing_ok=True)  # left by an earlier attempt; never listed, never read
        checkpoint = self.read_table(n, "iterations").column("checkpoint")[0].as_py()
        marker = {"format_version": FORMAT_VERSION, "run_id": self.run_id, "iteration": n,
                  "committed_at": utcnow_iso(), "checkpoint": checkpoint, "files": files}
        if "tasks" in files:
            marker["sample_rows"] = sample_rows
        atomic_write_json(d / MARKER, marker)
        if refresh:
            self.refresh_catalog()
        return marker

    @staticmethod
    def _write_row_file(d: Path, tasks_path: Path) -> tuple[dict[str, int], dict]:
        """Write the sampler's row file (tasks.rows) from the iteration's tasks.parquet; returns the task type counts
        and the marker entry of the row file."""
        t = read_parquet_file(tasks_path, ["task_type"] + rowfile.COLUMNS)
        counts = t.column("task_type").value_counts()
        types = dict(zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist()))
        path = d / rowfile.NAME
        data = rowfile.build(t)
        atomic_write_bytes(path, data)
        return types, {"file": path.name, "bytes": len(data), "crc32": zlib.crc32(data), "rows": t.num_rows}

    def refresh_catalog(self) -> list:
        """Rebuild catalog.duckdb; a failure here never undoes a commit (the catalog is derived data)."""
        try:
            from storage.catalog import refresh_catalog
        except ImportError as exc:  # no DuckDB (a bare GPU image): the Parquet files are complete without it
            log.info("catalog not refreshed (%s); `azr sql` rebuilds it where DuckDB is installed", exc)
            return []
        try:
            return refresh_catalog(self.home)
        except Exception as exc:  # noqa: BLE001 - derived data; the next refresh repairs it
            log.warning("could not refresh the catalog in %s: %s", self.home, exc)
            return []

    def latest_checkpoint(self) -> int | None:
        """The newest committed iteration whose marker records a checkpoint that exists on disk."""
        for n in reversed(self.committed_iterations()):
            c = (self.marker(n) or {}).get("checkpoint")
            if c is not None and self.checkpoint_dir(c, create=False).is_dir():
                return c
        return None

    def rollback_after(self, n: int | None) -> list[int]:
        """Un-commit every iteration after n (None: all of them), e.g. after restoring checkpoint n. Their folders and
        checkpoints move to rolled_back/ (kept for forensics, never read), newest first, one atomic rename each: at
        every instant the committed iterations are a prefix of the old ones. Returns the iterations moved."""
        keep = -1 if n is None else _check_n(n)
        moved = []
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(2)
        graveyard = self.root / "rolled_back" / stamp
        for kind in ("iterations", "checkpoints"):
            base = self.root / kind
            numbers = sorted((int(p.name) for p in base.iterdir() if p.name.isdigit()), reverse=True) \
                if base.is_dir() else []
            for m in numbers:
                if m <= keep:
                    continue
                (graveyard / kind).mkdir(parents=True, exist_ok=True)
                os.rename(base / str(m), graveyard / kind / str(m))
                fsync_dir(base)
                if kind == "iterations":
                    moved.append(m)
        if moved:
            self.refresh_catalog()
        return sorted(moved)

    def purge_rolled_back(self) -> None:
        """Delete what rollback_after moved aside."""
        shutil.rmtree(self.root / "rolled_back", ignore_errors=True)

    # ------------------------------------------------------------------ reading committed history

    def committed_files(self, table: str) -> list[Path]:
        """The committed Parquet files of `table` in this run, oldest iteration first."""
        out = []
        for n in self.committed_iterations():
            entry = (self.marker(n) or {}).get("files", {}).get(table)
            if entry:
                out.append(self.iteration_dir(n, create=False) / entry["file"])
        if table == "evals" and (self.root / "evals").is_dir():
            out += sorted(p for p in (self.root / "evals").glob("*.parquet") if not p.name.startswith("."))
        return out

    def read_committed(self, table: str, columns: list[str] | None = None) -> pa.Table:
        """All committed rows of `table` in this run (what a resumed run sees)."""
        parts = [read_parquet_file(p, columns) for p in self.committed_files(table)]
        if not parts:
            schema = arrow_schema(table)
            return schema.empty_table() if columns is None else pa.schema([schema.field(c) for c in columns]) \
                .empty_table()
        return pa.concat_tables(parts)

    def sampler(self, seed: int, **options: Any):
        """A Sampler over this run's committed tasks (options: dedup, buffer_cap, recent_half_life)."""
        from storage.sampler import Sampler

        return Sampler(self, seed, **options)

    def __repr__(self) -> str:
        return f"RunStore({str(self.home)!r}, {self.run_id!r})"


def _check_n(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise StorageError(f"iteration must be a non-negative integer, got {n!r}")
    return n


def _json_name(name: str, suffix: str = ".json") -> str:
    if not _JSON_NAME.match(name or ""):
        raise StorageError(f"file name {name!r} may use letters, digits, '.', '_' and '-' only")
    return name if name.endswith(suffix) else name + suffix
