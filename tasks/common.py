"""What every pipeline task shares: the retry policy and the step-output convention.

A step writes its output as `step-<name>` JSON in the iteration folder (atomically, through the run store);
when that output exists the step is skipped, which is how a failed iteration resumes from its last completed step.

Without Prefect installed (a bare GPU image running bench/learning_bench.py) the same task and flow functions run as
plain calls, with the same retry rule, so the bench drives exactly the flow's steps in the flow's order.
"""

from __future__ import annotations

import functools
import time
from typing import Any, Callable

from azr.config import ConfigError

try:
    from prefect import flow as _prefect_flow
    from prefect import task as _prefect_task
    from prefect.cache_policies import NO_CACHE

    HAVE_PREFECT = True
except ImportError:
    HAVE_PREFECT = False

# Deterministic failures: retrying cannot help, so the task fails at once with the message.
NOT_TRANSIENT = (ConfigError, ValueError, TypeError, KeyError, FileNotFoundError, MemoryError)


def transient_only(task_obj: Any, task_run: Any, state: Any) -> bool:
    """Retry crashes of helpers (a sandbox worker died, a broken pipe), not bugs or bad configuration."""
    try:
        exc = state.result(raise_on_failure=False)
    except Exception as e:  # noqa: BLE001 - the state's own error is what we classify
        exc = e
    return not isinstance(exc, NOT_TRANSIENT)


RETRY_DELAY_S = 2.0


def pipeline_task(name: str, retries: int = 2) -> Callable:
    if HAVE_PREFECT:
        return _prefect_task(name=name, retries=retries, retry_delay_seconds=RETRY_DELAY_S,
                             retry_condition_fn=transient_only, cache_policy=NO_CACHE, log_prints=True)
    return functools.partial(_plain_task, retries=retries)


def pipeline_flow(**kwargs: Any) -> Callable:
    """Prefect's @flow when installed; otherwise the function itself (its tasks are plain calls then)."""
    if HAVE_PREFECT:
        return _prefect_flow(**kwargs)
    return lambda fn: fn


def _plain_task(fn: Callable, retries: int) -> Callable:
    """Prefect's retry rule without Prefect: transient errors are retried `retries` times, the rest raise."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        for attempt in range(retries + 1):
            try:
                return fn(*args, **kwargs)
            except NOT_TRANSIENT:
                raise
            except Exception as exc:  # noqa: BLE001 - same classification as transient_only
                if attempt == retries:
                    raise
                print(f"{fn.__name__}: attempt {attempt + 1} failed ({type(exc).__name__}: {exc}); retrying")
                time.sleep(RETRY_DELAY_S)

    wrapper.fn = fn  # the same attribute a Prefect task has
    return wrapper


def step_output(store: Any, iteration: int, step: str) -> dict | None:
    return store.read_json(iteration, f"step-{step}")


def save_step(store: Any, iteration: int, step: str, payload: dict) -> None:
    store.write_json(iteration, f"step-{step}", payload)


def run_once(home: str, run_id: str, iteration: int, step: str, work: Callable[[Any], dict],
             summary: Callable[[Any, dict], str]) -> str:
    """The body of every generating/scoring task: skip when the step's output exists, else do the work, save
    its output atomically and print a one-line count."""
    from flows.runtime import get_runtime

    rt = get_runtime(home, run_id)
    if step_output(rt.store, iteration, step) is None:
        out = work(rt)
        save_step(rt.store, iteration, step, out)
        print(f"{step}: {summary(rt, out)}")
    return step


def timed(fn: Callable) -> Callable:
    """Record the wall time of a step's real work in its output under 'seconds'."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> dict:
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)
        out["seconds"] = time.perf_counter() - t0
        return out

    return wrapper
