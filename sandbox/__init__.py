"""Isolated, parallel execution of model-written Python.

`Sandbox.run(jobs)` checks AZR proposals and answers (and HumanEval-style code) in fresh processes forked from warm
workers, with kernel limits and namespaces where available; model text is only ever parsed as literals outside the
sandbox. See README "## Sandbox" for job kinds, error codes and protections.
"""

from .literals import SandboxError, canonical, parse_args, parse_literal, same_value
from .models import ERROR_CODES, Job, JobKind, Result
from .pool import Sandbox

__all__ = [
    "Sandbox", "Job", "JobKind", "Result", "SandboxError", "ERROR_CODES",
    "parse_literal", "parse_args", "same_value", "canonical",
]
