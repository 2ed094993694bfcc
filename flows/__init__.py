"""Prefect flows: train (outer loop), iteration, seed, evaluate."""
