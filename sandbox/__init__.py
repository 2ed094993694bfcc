"""Isolated, parallel execution of model-written Python."""
