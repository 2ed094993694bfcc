"""`azr sandbox check`: JSONL jobs on stdin, one JSONL result per job on stdout, in the same order.

Users vet their own seed programs with it, and the evaluation tooling drives it. stdout carries result lines only
(jobs cannot print into it: their stdout is /dev/null), progress and diagnostics go to stderr, and the exit status
is 0 once every line has been answered, whatever the verdicts were.

Lines are read as they arrive: a batch is checked as soon as no further line is ready, so a caller that writes one
job and waits for its result is answered at once, while piped files still go in large batches. Each result echoes
its line's `id` exactly as given (any JSON value); the id never influences the check.
"""

from __future__ import annotations

import argparse
import math
import os
import select
import sys
from typing import Any

MAX_LINE_BYTES = 64 << 20  # a longer line is a bad_job (and is never held in memory whole)
BATCH_BYTES = 256 << 20  # a batch is checked once this much job text has been read, whatever --batch says
MAX_TIMEOUT_S = 86_400.0  # limits past these overflow the kernel's and the interpreter's time and size types
MAX_MEMORY_MB = 1 << 30
MAX_WORKERS = 1024
_EOF = object()
_TOO_LONG = object()


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    from azr.config_cli import add_config_args

    p = sub.add_parser("sandbox", help="run model-written Python in the sandbox")
    ssub = p.add_subparsers(dest="sandbox_command", metavar="ACTION", required=True)
    check = ssub.add_parser(
        "check", help="check JSONL jobs from stdin, write JSONL results to stdout",
        description="Reads one JSON job per line ({\"id\", \"kind\", \"program\", \"input\", \"inputs\", \"output\", "
        "\"outputs\", \"answer\", \"tests\", \"entry_point\"}) and writes one result line per job, in order: "
        "{\"id\", \"ok\", \"output\" (or \"outputs\"), \"error\", \"detail\"}. Kinds: validate, induction_inputs, "
        "deduction, abduction, induction, codegen. Blank lines are skipped; any other malformed line gets a "
        "bad_job result.",
    )
    add_config_args(check)
    check.add_argument("--workers", type=int, metavar="N", help="parallel workers (default or 0: one per core)")
    check.add_argument("--timeout", type=float, metavar="S", help="wall-clock seconds per execution")
    check.add_argument("--memory-mb", type=int, metavar="M", help="address-space limit per job, MiB")
    check.add_argument("--batch", type=_positive_int, default=2048, metavar="K",
                       help="at most this many jobs checked together (default 2048)")
    check.add_argument("--progress", action="store_true", help="progress bar on stderr")
    check.add_argument("--protections", action="store_true", help="print active protections to stderr first")
    check.set_defaults(handler=_check)


class _LineReader:
    """Lines from a raw file descriptor, with a non-blocking "is another line ready?" mode and a length cap
    (an over-long line is skipped as it streams past and reported as _TOO_LONG)."""

    def __init__(self, fd: int, max_line: int = MAX_LINE_BYTES) -> None:
        self.fd, self.max_line = fd, max_line
        self.buf = bytearray()
        self.scanned = 0  # buf[:scanned] holds no newline (so a long line is not searched again per chunk)
        self.eof = False
        self.skipping = False  # inside an over-long line: drop bytes up to its newline

    def _ready(self) -> bool:
        try:
            return bool(select.select([self.fd], [], [], 0)[0])
        except (OSError, ValueError):
            return True  # not selectable (or closed): a read will tell

    def next(self, block: bool) -> Any:
        """A line (bytes, newline stripped), _TOO_LONG, _EOF, or None when block is False and no line is ready."""
        while True:
            nl = self.buf.find(b"\n", self.scanned)
            if nl >= 0:
                line = bytes(self.buf[:nl])
                del self.buf[:nl + 1]
                self.scanned = 0
                if self.skipping or len(line) > self.max_line:
                    self.skipping = False
                    return _TOO_LONG
                return line
            if self.eof:
                if self.skipping:
                    self.skipping = False
                    self.buf.clear()
                    return _TOO_LONG
                if self.buf:
                    line = bytes(self.buf)
                    self.buf.clear()
                    self.scanned = 0
                    return line if len(line) <= self.max_line else _TOO_LONG
                return _EOF
            self.scanned = len(self.buf)
            if len(self.buf) > self.max_line:
                self.skipping = True
                self.buf.clear()
                self.scanned = 0
            if not block and not self._ready():
                return None
            try:
                chunk = os.read(self.fd, 1 << 20)
            except InterruptedError:
                continue
            except BlockingIOError:  # a stdin left non-blocking by the caller: wait for data, do not take it as EOF
                if not block:
                    return None
                select.select([self.fd], [], [])
                continue
            except OSError:
                chunk = b""
            if not chunk:
                self.eof = True
            elif self.skipping:
                nl = chunk.find(b"\n")
                if nl >= 0:
                    self.buf += b"\n" + chunk[nl + 1:]  # ends the skipped line
            else:
                self.buf += chunk


def _parse_line(line: bytes) -> tuple:
    """(id as given, kind or None, Job or None, bad_job Result or None). The Job is built without the id, so an id of
    any JSON type is echoed and never reaches the sandbox."""
    import json

    from pydantic import ValidationError

    from .models import REQUIRED, Job, Result

    def bad(detail: str, job_id: Any = None, kind: str | None = None) -> tuple:
        return job_id, kind, None, Result(ok=False, error="bad_job", detail=detail[:500])

    def no_constants(name: str) -> Any:
        raise ValueError(f"{name} is not a JSON value")

    try:
        data = json.loads(line.decode("utf-8"), parse_constant=no_constants)
    except UnicodeDecodeError as exc:
        return bad(f"line is not valid UTF-8: {exc}"[:300])
    except (ValueError, RecursionError, MemoryError) as exc:
        return bad(f"line is not valid JSON: {exc}"[:300])
    if not isinstance(data, dict):
        return bad("a job must be a JSON object")
    job_id = data.get("id")
    kind = data.get("kind") if isinstance(data.get("kind"), str) and data.get("kind") in REQUIRED else None
    try:
        return job_id, kind, Job.model_validate({**data, "id": None}), None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'job'}: {e['msg']}" for e in exc.errors()[:5])
        return bad(problems, job_id, kind)


def _result_line(result, job_id: Any, kind: str | None) -> str:
    """Strict JSON (no NaN/Infinity); an id that has no strict JSON form (a number past float range) becomes null."""
    import json

    d = result.to_json_dict(kind)
    d["id"] = job_id
    try:
        return json.dumps(d, allow_nan=False)
    except (ValueError, TypeError):
        d["id"] = None
        return json.dumps(d, allow_nan=False)


def _limits(cfg):
    """Reject limits the sandbox cannot apply (they would surface as crashed jobs, not as a clear error)."""
    from azr.cli import CLIError

    if not (math.isfinite(cfg.timeout_s) and cfg.timeout_s <= MAX_TIMEOUT_S):
        raise CLIError(f"timeout_s: must be a finite number of seconds, at most {MAX_TIMEOUT_S:g}")
    if cfg.memory_mb > MAX_MEMORY_MB:
        raise CLIError(f"memory_mb: must be at most {MAX_MEMORY_MB}")
    if cfg.workers > MAX_WORKERS:
        raise CLIError(f"workers: must be at most {MAX_WORKERS}")
    return cfg


def _check(args: argparse.Namespace) -> int:
    import json

    from azr.config import load_config

    from .literals import SandboxError
    from .models import Result
    from .pool import Sandbox

    cfg = load_config(args.config, args.overrides).sandbox if (args.config or args.overrides) else None
    if cfg is None:
        from azr.config import SandboxConfig

        cfg = SandboxConfig()
    updates = {}
    if args.workers is not None:
        updates["workers"] = args.workers
    if args.timeout is not None:
        updates["timeout_s"] = args.timeout
    if args.memory_mb is not None:
        updates["memory_mb"] = args.memory_mb
    if updates:
        from pydantic import ValidationError

        from azr.cli import CLIError

        try:
            cfg = cfg.model_validate({**cfg.model_dump(), **updates})
        except ValidationError as exc:
            raise CLIError("; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())) from None
    cfg = _limits(cfg)

    out = sys.stdout
    reader = _LineReader(0)
    try:
        with Sandbox(cfg) as sandbox:
            if args.protections:
                try:
                    print(json.dumps(sandbox.protections), file=sys.stderr)
                except SandboxError as exc:
                    from azr.cli import CLIError

                    raise CLIError(f"the sandbox did not start: {exc}") from None
            done = False
            while not done:
                entries: list = []  # (id, kind, Job or None, ready Result or None)
                size = 0
                while len(entries) < args.batch and size < BATCH_BYTES:
                    raw = reader.next(block=not entries)
                    if raw is None:
                        break  # nothing more ready now: answer what we have
                    if raw is _EOF:
                        done = True
                        break
                    if raw is _TOO_LONG:
                        entries.append((None, None, None, Result(ok=False, error="bad_job", detail=(
                            f"line is longer than {MAX_LINE_BYTES} bytes"))))
                        continue
                    if raw.startswith(b"\xef\xbb\xbf"):
                        raw = raw[3:]  # a UTF-8 byte-order mark
                    if not raw.strip():
                        continue
                    size += len(raw)
                    entries.append(_parse_line(raw))
                if not entries:
                    continue
                jobs = [e[2] for e in entries if e[2] is not None]
                try:
                    results = iter(sandbox.run(jobs, progress=args.progress))
                except Exception as exc:  # e.g. workers that cannot be (re)started: every job still gets a line
                    detail = f"sandbox unavailable: {type(exc).__name__}: {exc}"[:300]
                    print(f"azr sandbox check: {detail}", file=sys.stderr)
                    results = iter([Result(ok=False, error="crashed", detail=detail)] * len(jobs))
                for job_id, kind, job, bad in entries:
                    result = bad if bad is not None else next(results)
                    out.write(_result_line(result, job_id, kind) + "\n")
                out.flush()
    except BrokenPipeError:
        # The reader went away: nobody is left to answer. Quietly, without a traceback or a second error at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    return 0
