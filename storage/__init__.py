"""Run layout, Parquet history, DuckDB catalog, the commit protocol, and `azr sql`."""
