"""Without Prefect the pipeline's tasks are plain calls that keep Prefect's retry rule (tasks/common.py)."""

import pytest

from tasks import common


@pytest.fixture(autouse=True)
def _no_delay(monkeypatch):
    monkeypatch.setattr(common, "RETRY_DELAY_S", 0.0)


def _flaky(failures: list[Exception]):
    calls = []

    def step(x):
        calls.append(x)
        if failures:
            raise failures.pop(0)
        return x * 2

    return step, calls


def test_transient_errors_are_retried_up_to_the_task_retries():
    step, calls = _flaky([RuntimeError("worker died"), BrokenPipeError("pipe")])
    assert common._plain_task(step, retries=2)(21) == 42 and len(calls) == 3


def test_a_transient_error_past_the_retries_is_raised():
    step, calls = _flaky([RuntimeError("a"), RuntimeError("b"), RuntimeError("c")])
    with pytest.raises(RuntimeError, match="c"):
        common._plain_task(step, retries=2)(1)
    assert len(calls) == 3


@pytest.mark.parametrize("exc", [ValueError("bad config"), KeyError("k"), FileNotFoundError("f")])
def test_deterministic_errors_fail_at_once(exc):
    step, calls = _flaky([exc])
    with pytest.raises(type(exc)):
        common._plain_task(step, retries=2)(1)
    assert len(calls) == 1


def test_the_plain_task_exposes_fn_like_a_prefect_task():
    step, _ = _flaky([])
    wrapped = common._plain_task(step, retries=0)
    assert wrapped.fn is step and wrapped.__name__ == "step"
