"""Progress of long work, for whoever watches: a terminal gets a tqdm bar, the run's log gets a few lines.

A run watched in the Prefect UI sees only its logs, so every long piece of work (generation, sandbox batches,
the update) writes `progress <what>: <done>/<total> <unit> (<pct>%), <rate> <rate unit>/s` lines: one at the
start, one at each quarter, and one at least every `heartbeat_s` seconds while a long batch is still running.
Inside a Prefect task the lines go to the task run's logger (they show in the UI); elsewhere to the
`azr.progress` logger."""

from __future__ import annotations

import logging
import math
import sys
import time
from typing import Any, Callable

PREFIX = "progress"
POINTS = 4  # lines at each quarter
HEARTBEAT_S = 30.0

_LOG = logging.getLogger("azr.progress")


def run_logger() -> Any:
    """The Prefect run logger when called inside a flow or task run, else the module's logger."""
    try:
        from prefect.exceptions import MissingContextError
        from prefect.logging import get_run_logger
    except ImportError:  # bare GPU image: plain calls
        return _LOG
    try:
        return get_run_logger()
    except MissingContextError:
        return _LOG


def format_line(what: str, done: int, total: int, unit: str, rate: float | None, rate_unit: str,
                note: str = "") -> str:
    pct = 100.0 * done / total if total else 100.0
    text = f"{PREFIX} {what}: {done}/{total} {unit} ({pct:.0f}%)"
    if rate is not None:
        text += f", {rate:.1f} {rate_unit}/s"
    return text + (f", {note}" if note else "")


class Progress:
    """Counts `done` out of `total` and an `amount` behind the rate (tokens for generation; `done` itself when
    no rate unit is given). The logger is bound at construction, so updates from worker threads (the vLLM
    engine's request pool) still reach the task run's log."""

    def __init__(self, what: str, total: int, unit: str, *, rate_unit: str | None = None, bar: bool = True,
                 heartbeat_s: float = HEARTBEAT_S, logger: Any = None, clock: Callable[[], float] = time.monotonic):
        self.what, self.total, self.unit = what, int(total), unit
        self.rate_unit = rate_unit or unit
        self._rate_on_done = rate_unit is None
        self.done, self.amount = 0, 0.0
        self.heartbeat_s = heartbeat_s
        self._clock = clock
        self._log = logger if logger is not None else run_logger()
        self._t0 = self._last = clock()
        self._next_point = 1
        self._bar = _tqdm(what, total, unit) if bar and total > 1 else None
        self._emit(rate=False)

    def update(self, n: int = 1, amount: float = 0.0) -> None:
        self.done += n
        self.amount += amount
        if self._bar is not None:
            self._bar.update(n)
        passed = False
        while self._next_point <= POINTS and self.done >= math.ceil(self.total * self._next_point / POINTS):
            self._next_point += 1
            passed = True
        if passed:
            self._emit()

    def heartbeat(self, partial_amount: float = 0.0, note: str = "") -> None:
        """Called often from inside a long batch: writes a line only when none came for `heartbeat_s`."""
        if self._clock() - self._last >= self.heartbeat_s:
            self._emit(extra=partial_amount, note=note)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _emit(self, rate: bool = True, extra: float = 0.0, note: str = "") -> None:
        now = self._clock()
        self._last = now
        elapsed = now - self._t0
        value = None
        if rate and elapsed > 0:
            value = (self.done if self._rate_on_done else self.amount + extra) / elapsed
        self._log.info(format_line(self.what, self.done, self.total, self.unit, value, self.rate_unit, note))


def _tqdm(what: str, total: int, unit: str) -> Any:
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, desc=what, unit=unit, file=sys.stderr)
