"""Sampling tasks for the loop from a run's committed buffers.

A buffer is the committed tasks of one type in commit order (iteration, then row). Options:
- dedup: keep only the first task of each normalised (program, input) pair (`task_hash`); induction programs are
  de-duplicated by `program_hash`.
- buffer_cap: keep only the newest N tasks of each type (after dedup). The reference implementation keeps the oldest
  and drops new tasks; we keep the newest.

Every draw is made by a generator seeded from (seed, iteration, what is drawn, task type): the same seed over the
same committed history gives the same samples, whatever order the calls come in.

Only small index columns are kept in memory (task type, and hashes when dedup is on), cached per committed file for
the life of the process (the loop makes a new Sampler every iteration; only the newly committed file is read). The
sampled rows are read from each iteration's row file (storage/rowfile.py: one small block read per task), or from
the Parquet row groups that hold them when an iteration has no usable row file.
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from storage import rowfile
from storage.schemas import TASK_TYPES, row_to_task, task_hash
from storage.store import CorruptFileError, RunStore, StorageError, read_marker, read_parquet_file

log = logging.getLogger("azr.storage")

_PURPOSE = {"references": 1, "solver": 2, "induction": 3}
_TYPE_CODE = {t: i for i, t in enumerate(TASK_TYPES)}

# (path, size, mtime_ns) -> {"codes": int8 array, "task_hash": array|None, "program_hash": array|None}
_FILE_INDEX: dict[tuple, dict[str, Any]] = {}
# (path, size, mtime_ns) -> parquet footer, so fetching rows does not parse it again
_METADATA: dict[tuple, Any] = {}
TASK_COLUMNS = ["task_id", "task_type", "program", "input", "output", "inputs", "outputs", "message"]
# (file keys, options, type) -> (iterations array, file-slot array, row array)
_BUFFERS: dict[tuple, tuple] = {}
# (path, size, mtime_ns) of a row file -> the opened RowFile, or None when it cannot be used
_ROW_FILES: dict[tuple, rowfile.RowFile | None] = {}


# task type -> (file keys, (iterations, slots, rows)) of the last whole buffer built without dedup or cap
_LAST_BASE: dict[str, tuple[tuple, tuple]] = {}
_BUFFERS_KEPT = 24  # a few histories' worth (each new commit makes new keys); the oldest are dropped


def _remember(key: tuple, value: Any) -> None:
    _BUFFERS[key] = value
    while len(_BUFFERS) > _BUFFERS_KEPT:
        del _BUFFERS[next(iter(_BUFFERS))]


def _committed_markers(store: RunStore) -> list[tuple[int, Path, dict]]:
    """(iteration, folder, marker) of each committed iteration, oldest first: what store.committed_iterations and
    store.marker give, with one directory listing and one read per iteration (the loop does this every step)."""
    base = store.root / "iterations"
    try:
        with os.scandir(base) as entries:
            numbers = sorted(int(e.name) for e in entries if e.name.isdigit() and e.is_dir())
    except FileNotFoundError:
        return []
    out = []
    for n in numbers:
        folder = base / str(n)
        marker = read_marker(folder)
        if marker is not None:
            out.append((n, folder, marker))
    return out


def clear_caches() -> None:
    """Forget every cached index, footer and row file (what a new process starts with)."""
    for cache in (_FILE_INDEX, _METADATA, _BUFFERS, _ROW_FILES, _LAST_BASE):
        cache.clear()


def _type_name(task_type: Any) -> str:
    name = getattr(task_type, "value", task_type)
    if name not in _TYPE_CODE:
        raise StorageError(f"unknown task type {task_type!r}; expected one of {', '.join(TASK_TYPES)}")
    return name


class Sampler:
    def __init__(self, store: RunStore, seed: int, dedup: bool = False, buffer_cap: int | None = None,
                 reference_sampling: str = "uniform", recent_half_life: float = 8.0, config: Any = None):
        if config is not None:  # a SelfPlayConfig (or anything with the same fields)
            dedup = getattr(config, "dedup", dedup)
            buffer_cap = getattr(config, "buffer_cap", buffer_cap)
            reference_sampling = getattr(config, "reference_sampling", reference_sampling)
        if reference_sampling not in ("uniform", "recent"):
            raise StorageError(f"reference sampling must be 'uniform' or 'recent', got {reference_sampling!r}")
        if buffer_cap is not None and buffer_cap < 1:
            raise StorageError(f"buffer_cap must be at least 1 (or None), got {buffer_cap}")
        self.store = store
        self.seed = int(seed)
        self.dedup = bool(dedup)
        self.buffer_cap = buffer_cap
        self.reference_sampling = reference_sampling
        self.recent_half_life = float(recent_half_life)
        # Snapshot of the committed history: later commits do not change what this sampler sees.
        self._files: list[tuple[int, Path, tuple]] = []
        self._row_files: list[tuple[Path, tuple] | None] = []
        for n, folder, marker in _committed_markers(store):
            entry = marker.get("files", {}).get("tasks")
            if not entry or not entry.get("rows"):
                continue
            path = folder / entry["file"]
            try:
                st = os.stat(path)
            except FileNotFoundError:
                raise CorruptFileError(path, "the committed tasks file is missing") from None
            if st.st_size != entry["bytes"]:
                raise CorruptFileError(path, f"it is {st.st_size} bytes but was committed with {entry['bytes']}")
            self._files.append((n, path, (str(path), st.st_size, st.st_mtime_ns)))
            self._row_files.append(self._row_file_entry(path.parent, marker.get("sample_rows"), entry["rows"]))
        self._buffers: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    # ------------------------------------------------------------------ buffers

    @staticmethod
    def _row_file_entry(folder: Path, entry: dict | None, rows: int) -> tuple[Path, tuple] | None:
        """(path, cache key) of an iteration's row file when it looks usable, else None (with a warning when the
        marker lists one that is missing or has the wrong size)."""
        if not entry:
            return None  # committed before row files existed: the Parquet file serves
        path = folder / entry["file"]
        try:
            st = os.stat(path)
        except FileNotFoundError:
            log.warning("the row file %s listed in the commit marker is missing; sampling reads tasks.parquet "
                        "instead (slower)", path)
            return None
        if st.st_size != entry.get("bytes") or entry.get("rows") != rows:
            log.warning("the row file %s is %d bytes but was committed with %s; sampling reads tasks.parquet instead "
                        "(slower). Delete it to silence this warning", path, st.st_size, entry.get("bytes"))
            return None
        return path, (str(path), st.st_size, st.st_mtime_ns)

    def _row_file(self, slot: int) -> rowfile.RowFile | None:
        spec = self._row_files[slot]
        if spec is None:
            return None
        path, key = spec
        if key not in _ROW_FILES:
            try:
                _ROW_FILES[key] = rowfile.RowFile(path)
            except rowfile.RowFileError as exc:
                self._bad_row_file(slot, exc)
        return _ROW_FILES.get(key)

    def _bad_row_file(self, slot: int, exc: Exception) -> None:
        path, key = self._row_files[slot]
        log.warning("cannot use the row file %s (%s); sampling reads tasks.parquet instead (slower). It is derived "
                    "from tasks.parquet: delete it to silence this warning", path, exc)
        _ROW_FILES[key] = None

    def _index(self, slot: int, need_hashes: bool) -> dict[str, Any]:
        _, path, key = self._files[slot]
        idx = _FILE_INDEX.get(key)
        if idx is None or (need_hashes and idx["task_hash"] is None):
            rf = self._row_file(slot) if idx is None else None
            cols = (["task_type"] if idx is None and rf is None else []) + \
                (["task_hash", "program_hash"] if need_hashes else [])
            t = read_parquet_file(path, cols) if cols else None
            if idx is not None:
                codes = idx["codes"]
            elif rf is not None:
                codes = rf.codes
            else:
                types = t.column("task_type").to_numpy(zero_copy_only=False)
                codes = np.full(len(types), -1, dtype=np.int8)
                for name, code in _TYPE_CODE.items():
                    codes[types == name] = code
            idx = {"codes": codes, "task_hash": None, "program_hash": None,
                   "by_type": idx.get("by_type") if idx is not None else None}
            if need_hashes:
                idx["task_hash"] = t.column("task_hash").to_numpy(zero_copy_only=False).astype("S16")
                idx["program_hash"] = t.column("program_hash").to_numpy(zero_copy_only=False).astype("S16")
            _FILE_INDEX[key] = idx
        return idx

    def _buffer(self, task_type: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(iteration, file slot, row) of each task in the buffer, oldest first, after dedup and cap."""
        if task_type in self._buffers:
            return self._buffers[task_type]
        cache_key = (tuple(k for _, _, k in self._files), self.dedup, self.buffer_cap, task_type)
        if cache_key in _BUFFERS:
            self._buffers[task_type] = _BUFFERS[cache_key]
            return _BUFFERS[cache_key]
        files = tuple(k for _, _, k in self._files)
        code = _TYPE_CODE[task_type]
        start, its, slots, rows, hashes = 0, [], [], [], []
        prev = _LAST_BASE.get(task_type)
        if not self.dedup and prev is not None and files[:len(prev[0])] == prev[0]:
            # the history grew by a few commits since the last buffer: extend that one (the loop's steady state)
            start = len(prev[0])
            its, slots, rows = [prev[1][0]], [prev[1][1]], [prev[1][2]]
        for slot in range(start, len(self._files)):
            n = self._files[slot][0]
            idx = self._index(slot, self.dedup)
            by_type = idx.get("by_type")
            if by_type is None:
                by_type = idx["by_type"] = [np.flatnonzero(idx["codes"] == c) for c in range(len(TASK_TYPES))]
            where = by_type[code]
            its.append(np.full(len(where), n, dtype=np.int64))
            slots.append(np.full(len(where), slot, dtype=np.int32))
            rows.append(where.astype(np.int64))
            if self.dedup:
                hashes.append(idx["task_hash"][where])
        it = np.concatenate(its) if its else np.empty(0, np.int64)
        sl = np.concatenate(slots) if slots else np.empty(0, np.int32)
        rw = np.concatenate(rows) if rows else np.empty(0, np.int64)
        if not self.dedup:
            _LAST_BASE[task_type] = (files, (it, sl, rw))
        if self.dedup and len(it):
            _, first = np.unique(np.concatenate(hashes), return_index=True)
            keep = np.sort(first)
            it, sl, rw = it[keep], sl[keep], rw[keep]
        if self.buffer_cap is not None and len(it) > self.buffer_cap:
            it, sl, rw = it[-self.buffer_cap:], sl[-self.buffer_cap:], rw[-self.buffer_cap:]
        _remember(cache_key, (it, sl, rw))
        self._buffers[task_type] = (it, sl, rw)
        return it, sl, rw

    def buffer_size(self, task_type: Any) -> int:
        return len(self._buffer(_type_name(task_type))[0])

    def _hashes(self, task_type: str, column: str) -> frozenset[bytes]:
        cache_key = (tuple(k for _, _, k in self._files), self.dedup, self.buffer_cap, task_type, column)
        if cache_key not in _BUFFERS:
            _, sl, rw = self._buffer(task_type)
            out: set[bytes] = set()
            order = np.argsort(sl, kind="stable")
            for group in np.split(order, np.flatnonzero(np.diff(sl[order])) + 1):
                if len(group):
                    out.update(self._index(int(sl[group[0]]), True)[column][rw[group]].tolist())
            _remember(cache_key, frozenset(out))
        return _BUFFERS[cache_key]

    def is_duplicate(self, task: Any) -> bool:
        """Whether the buffer of the task's type already holds the same normalised program and input(s)."""
        h = task_hash(task.program, task.input, list(task.inputs)).encode()
        return h in self._hashes(_type_name(task.task_type), "task_hash")

    # ------------------------------------------------------------------ reading rows

    def _fetch(self, picks: Sequence[tuple[int, int]]) -> list:
        """Tasks for (file slot, row) pairs, in the given order: from the row files (one block read per task), else
        from the Parquet row groups that hold them, a few files at a time (pyarrow decodes without the GIL)."""
        by_slot: dict[int, list[int]] = defaultdict(list)
        for slot, row in picks:
            by_slot[slot].append(row)
        found: dict[tuple[int, int], dict] = {}
        for slot in list(by_slot):
            rf = self._row_file(slot)
            if rf is None:
                continue
            try:
                rows = rf.read(by_slot[slot])
            except rowfile.RowFileError as exc:
                self._bad_row_file(slot, exc)
                continue
            for r, d in rows.items():
                d["task_type"] = TASK_TYPES[rf.codes[r]]
                found[(slot, r)] = d
            del by_slot[slot]

        def read(slot: int) -> list[tuple[tuple[int, int], dict]]:
            _, path, key = self._files[slot]
            wanted = sorted(set(by_slot[slot]))
            try:
                md = _METADATA.get(key)
                if md is None:
                    md = _METADATA[key] = pq.read_metadata(path)
                starts = np.cumsum([0] + [md.row_group(g).num_rows for g in range(md.num_row_groups)])
                group_of = np.searchsorted(starts, wanted, side="right") - 1
                groups = sorted(set(int(g) for g in group_of))
                table = pq.ParquetFile(path, metadata=md).read_row_groups(groups, columns=TASK_COLUMNS,
                                                                          use_threads=False)
            except (pa.ArrowException, OSError) as exc:
                raise CorruptFileError(path, f"{type(exc).__name__}: {exc}") from None
            base, offset = 0, {}
            for g in groups:
                offset[g] = base - int(starts[g])
                base += int(starts[g + 1] - starts[g])
            local = [r + offset[int(g)] for r, g in zip(wanted, group_of)]
            return list(zip(((slot, r) for r in wanted), table.take(pa.array(local, pa.int64())).to_pylist()))

        slots = list(by_slot)
        if len(slots) > 2:
            with ThreadPoolExecutor(max_workers=min(4, len(slots))) as pool:
                results = list(pool.map(read, slots))
        else:
            results = [read(s) for s in slots]
        for part in results:
            found.update(part)
        return [row_to_task(found[p]) for p in picks]

    def _rng(self, purpose: str, task_type: str, iteration: int) -> np.random.Generator:
        return np.random.default_rng([self.seed % (1 << 63), int(iteration), _PURPOSE[purpose],
                                      _TYPE_CODE[task_type]])

    def _draw(self, rng: np.random.Generator, n: int, k: int, weights: np.ndarray | None = None) -> np.ndarray:
        """k distinct indices of range(n) (all of them, shuffled, if k >= n)."""
        k = min(k, n)
        if k <= 0:
            return np.empty(0, np.int64)
        if weights is None:
            return rng.choice(n, size=k, replace=False)
        # Weighted sampling without replacement (Efraimidis-Spirakis): the k largest u^(1/w).
        keys = np.log(rng.random(n)) / weights
        top = np.argpartition(-keys, k - 1)[:k]
        return top[np.argsort(-keys[top], kind="stable")]

    # ------------------------------------------------------------------ the loop's draws

    def references(self, task_type: Any, k: int, iteration: int, mode: str | None = None) -> list:
        """K reference tasks for the proposer: uniform over the buffer, or 'recent' (a task's weight halves every
        `recent_half_life` iterations of age). Fewer when the buffer is smaller; no repeats."""
        t = _type_name(task_type)
        mode = mode or self.reference_sampling
        if mode not in ("uniform", "recent"):
            raise StorageError(f"reference sampling must be 'uniform' or 'recent', got {mode!r}")
        it, sl, rw = self._buffer(t)
        weights = None
        if mode == "recent" and len(it):
            weights = np.power(0.5, (it.max() - it) / self.recent_half_life)
        picks = self._draw(self._rng("references", t, iteration), len(it), k, weights)
        return self._fetch([(int(sl[i]), int(rw[i])) for i in picks])

    def solver_tasks(self, task_type: Any, b: int, iteration: int, fresh: Iterable[Any] = ()) -> list:
        """B tasks for the solver: this iteration's fresh tasks first (in the order given, newest first), topped up
        uniformly from the committed buffer without repeats, then with repeats if the buffer is too small."""
        t = _type_name(task_type)
        rng = self._rng("solver", t, iteration)
        chosen = [x for x in fresh if _type_name(x.task_type) == t]
        if self.dedup and chosen:
            known, seen, kept = self._hashes(t, "task_hash"), set(), []
            for x in chosen:
                h = task_hash(x.program, x.input, list(x.inputs)).encode()
                if h not in known and h not in seen:
                    seen.add(h)
                    kept.append(x)
            chosen = kept
        chosen = chosen[:b]
        need = b - len(chosen)
        it, sl, rw = self._buffer(t)
        n = len(it)
        picks = list(self._draw(rng, n, need))
        if need > len(picks):
            if n:
                picks += list(rng.integers(0, n, size=need - len(picks)))
            elif chosen:
                return chosen + [chosen[int(i)] for i in rng.integers(0, len(chosen), size=need)]
        return chosen + self._fetch([(int(sl[i]), int(rw[i])) for i in picks])

    def induction_programs(self, n: int, iteration: int) -> list:
        """Programs for induction proposals, uniform over the deduction and abduction buffers together (distinct
        programs when dedup is on); with repeats only if there are fewer than n."""
        it, sl, rw = self._induction_pool()
        rng = self._rng("induction", "induction", iteration)
        total = len(it)
        picks = list(self._draw(rng, total, n))
        if n > len(picks) and total:
            picks += list(rng.integers(0, total, size=n - len(picks)))
        return self._fetch([(int(sl[i]), int(rw[i])) for i in picks])

    def _induction_pool(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The deduction and abduction buffers together (distinct programs when dedup is on), cached like buffers."""
        cache_key = (tuple(k for _, _, k in self._files), self.dedup, self.buffer_cap, "induction-pool")
        if cache_key in _BUFFERS:
            return _BUFFERS[cache_key]
        parts = [self._buffer(t) for t in ("deduction", "abduction")]
        it = np.concatenate([p[0] for p in parts])
        sl = np.concatenate([p[1] for p in parts])
        rw = np.concatenate([p[2] for p in parts])
        if self.dedup and len(it):
            ph = np.empty(len(it), dtype="S16")
            order = np.argsort(sl, kind="stable")
            bounds = np.flatnonzero(np.diff(sl[order])) + 1
            for group in np.split(order, bounds):
                ph[group] = self._index(int(sl[group[0]]), True)["program_hash"][rw[group]]
            _, first = np.unique(ph, return_index=True)
            keep = np.sort(first)
            it, sl, rw = it[keep], sl[keep], rw[keep]
        _remember(cache_key, (it, sl, rw))
        return it, sl, rw

    def state(self) -> dict:
        """What to save with a checkpoint to reproduce this sampler's draws."""
        return {"seed": self.seed, "dedup": self.dedup, "buffer_cap": self.buffer_cap,
                "reference_sampling": self.reference_sampling, "recent_half_life": self.recent_half_life,
                "committed": [n for n, _, _ in self._files]}
