"""How one step's work is split between actors: pure functions, no Ray.

Update batches travel as Parquet files on the run's storage (every rank reads the same file and keeps its shard),
so thousands of sequences never go through Prefect or the Ray object store one by one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence


def contiguous(n: int, parts: int) -> list[range]:
    """Split range(n) into `parts` contiguous, order-preserving ranges whose sizes differ by at most one
    (empty ranges dropped)."""
    parts = max(1, parts)
    base, extra = divmod(n, parts)
    out, start = [], 0
    for k in range(parts):
        size = base + (1 if k < extra else 0)
        if size:
            out.append(range(start, start + size))
        start += size
    return out


def token_shards(lengths: Sequence[int], ranks: int) -> list[list[int]]:
    """Sample indices per rank, balanced by tokens: longest first, each to the rank with the fewest tokens so far
    (ties to the lower rank). Deterministic, so every rank computes the same split from the same file."""
    load = [0] * ranks
    shards: list[list[int]] = [[] for _ in range(ranks)]
    for i in sorted(range(len(lengths)), key=lambda i: (-lengths[i], i)):
        r = min(range(ranks), key=lambda r: (load[r], r))
        shards[r].append(i)
        load[r] += lengths[i]
    return [sorted(s) for s in shards]


def write_batch(path: Path, samples: list[Any]) -> Path:
    """TrainSamples as one Parquet file (written under a temporary name, then renamed)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({
        "prompt_ids": pa.array([list(s.prompt_ids) for s in samples], type=pa.list_(pa.int32())),
        "response_ids": pa.array([list(s.response_ids) for s in samples], type=pa.list_(pa.int32())),
        "advantage": pa.array([float(s.advantage) for s in samples], type=pa.float64()),
    })
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp)
    tmp.replace(path)
    return path


def read_batch(path: Path) -> list[Any]:
    import pyarrow.parquet as pq

    from azr.policy.trainer import TrainSample

    t = pq.read_table(path).to_pydict()
    return [TrainSample(prompt_ids=p, response_ids=r, advantage=a)
            for p, r, a in zip(t["prompt_ids"], t["response_ids"], t["advantage"])]
