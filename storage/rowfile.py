"""The sampler's row file: `tasks.rows` next to an iteration's `tasks.parquet`, written at commit (before the marker).

Parquet is built for scans: fetching one row decodes a whole row group of every column it needs, which costs about a
millisecond however few rows are wanted. The loop samples a few hundred tasks scattered over the whole history at every
iteration, so it reads them from this file instead: the task types of all rows (the sampler's index), then the tasks
themselves in zstd-compressed blocks of BLOCK_ROWS rows, any row reachable with one read of its block.

    b"AZRROWS3" | u32 header length | header JSON | zstd(task type codes, one byte a row) | block | block | ...

The header names the columns and gives each block's offset, decompressed size and CRC-32 (checked at every read). A
block is its rows' lengths (u32 each) followed by the rows, each a JSON list of the columns' values. The file is
derived data: the commit marker records its size and checksum, and when it is missing or damaged the sampler reads
tasks.parquet instead (slower, same tasks).
"""

from __future__ import annotations

import json
import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pyarrow as pa

from storage.schemas import TASK_TYPES

MAGIC = b"AZRROWS3"
NAME = "tasks.rows"
BLOCK_ROWS = 128
LEVEL = 9
COLUMNS = ["task_id", "program", "input", "output", "inputs", "outputs", "message"]
_CODEC = pa.Codec("zstd", compression_level=LEVEL)
_TYPE_CODE = {t: i for i, t in enumerate(TASK_TYPES)}


class RowFileError(Exception):
    """The row file cannot be used (the sampler then reads tasks.parquet)."""


def build(tasks: pa.Table) -> bytes:
    """The row file of an iteration's tasks table (it needs `task_type` and COLUMNS)."""
    n = tasks.num_rows
    types = np.array(tasks.column("task_type").to_pylist(), dtype=object)
    codes = np.full(n, -1, dtype=np.int8)
    for name, code in _TYPE_CODE.items():
        codes[types == name] = code
    cols = [tasks.column(c).to_pylist() for c in COLUMNS]
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    lines = [dumps(list(r)).encode("utf-8") for r in zip(*cols)]
    blocks, offsets, raw_sizes, crcs, at = [], [], [], [], 0
    for i in range(0, n, BLOCK_ROWS):
        chunk = lines[i:i + BLOCK_ROWS]
        raw = np.array([len(x) for x in chunk], dtype="<u4").tobytes() + b"".join(chunk)
        comp = _CODEC.compress(raw, asbytes=True)
        blocks.append(comp)
        offsets.append(at)
        raw_sizes.append(len(raw))
        crcs.append(zlib.crc32(comp))
        at += len(comp)
    packed_codes = _CODEC.compress(codes.tobytes(), asbytes=True)
    header = json.dumps({"rows": n, "block_rows": BLOCK_ROWS, "columns": COLUMNS, "codes_bytes": len(packed_codes),
                         "offsets": offsets + [at], "raw_sizes": raw_sizes, "crc32": crcs},
                        separators=(",", ":")).encode()
    return b"".join([MAGIC, struct.pack("<I", len(header)), header, packed_codes] + blocks)


class RowFile:
    """A row file opened for reading: its header and type codes in memory, blocks read on demand."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        try:
            with open(self.path, "rb") as fh:
                head = fh.read(1 << 16)
                if head[:8] != MAGIC or len(head) < 12:
                    raise RowFileError("not a row file (bad magic)")
                (hlen,) = struct.unpack("<I", head[8:12])
                if len(head) < 12 + hlen:
                    head += fh.read(12 + hlen - len(head))
                header = json.loads(head[12:12 + hlen])
                start = 12 + hlen
                clen = int(header["codes_bytes"])
                if len(head) < start + clen:
                    fh.seek(len(head))
                    head += fh.read(start + clen - len(head))
                self.rows = int(header["rows"])
                codes = _CODEC.decompress(head[start:start + clen], decompressed_size=self.rows, asbytes=True)
        except (OSError, ValueError, KeyError, TypeError, struct.error, pa.ArrowException) as exc:
            raise RowFileError(f"{type(exc).__name__}: {exc}") from None
        self.codes = np.frombuffer(codes, dtype=np.int8)
        self.block_rows = int(header["block_rows"])
        self.columns = list(header["columns"])
        base = start + clen
        self.offsets = np.asarray(header["offsets"], dtype=np.int64) + base
        self.raw_sizes = np.asarray(header["raw_sizes"], dtype=np.int64)
        self.crcs = [int(c) for c in header["crc32"]]
        blocks = len(self.raw_sizes)
        if len(self.codes) != self.rows or len(self.offsets) != blocks + 1 or len(self.crcs) != blocks \
                or blocks * self.block_rows < self.rows:
            raise RowFileError("the header does not match the data")

    def read(self, rows: list[int]) -> dict[int, dict]:
        """{row: {column: value}} for the given row numbers (one read and decompression per block)."""
        by_block: dict[int, list[int]] = {}
        for r in rows:
            if not 0 <= r < self.rows:
                raise RowFileError(f"row {r} is out of range (the file has {self.rows})")
            by_block.setdefault(r // self.block_rows, []).append(r)
        out: dict[int, dict] = {}
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError as exc:
            raise RowFileError(f"{type(exc).__name__}: {exc}") from None
        try:
            for b, wanted in by_block.items():
                start, end = int(self.offsets[b]), int(self.offsets[b + 1])
                comp = os.pread(fd, end - start, start)
                if len(comp) != end - start:
                    raise RowFileError(f"block {b} is cut short (truncated file)")
                if zlib.crc32(comp) != self.crcs[b]:
                    raise RowFileError(f"block {b} does not match its checksum (damaged file)")
                raw = _CODEC.decompress(comp, decompressed_size=int(self.raw_sizes[b]), asbytes=True)
                count = min(self.block_rows, self.rows - b * self.block_rows)
                ends = np.cumsum(np.frombuffer(raw, dtype="<u4", count=count), dtype=np.int64) + 4 * count
                for r in wanted:
                    i = r - b * self.block_rows
                    out[r] = dict(zip(self.columns, json.loads(raw[(ends[i - 1] if i else 4 * count):ends[i]])))
        except RowFileError:
            raise
        except (OSError, ValueError, IndexError, pa.ArrowException) as exc:
            raise RowFileError(f"{type(exc).__name__}: {exc}") from None
        finally:
            os.close(fd)
        return out
