"""Prefect tasks, one module per pipeline step; each loads inputs, calls plain functions, writes outputs."""
