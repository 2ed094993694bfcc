"""Run layout, Parquet history, DuckDB catalog, the commit protocol, and `azr sql`."""

from storage.sampler import Sampler
from storage.store import CorruptFileError, RunStore, StorageError

__all__ = ["RunStore", "Sampler", "CorruptFileError", "StorageError"]
