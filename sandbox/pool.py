"""The batch API: jobs in, results out in input order, spread over warm workers (one per core by default).

Division of labour, chosen for speed and for a small trusted surface:
- here (the caller's process): job validation, literal parsing of inputs/answers/gold outputs, deduction checks
  (a literal compared with a literal needs no process), deduplication, scheduling, and every comparison of values;
- `worker/` (one process pair per core, started once, stdlib-only): syntax/entry/banned-import checks, compile,
  the kernel boundary (filesystem view, Landlock, seccomp, namespaces) and one forked child per run of untrusted
  code, which locks itself down before job code runs; `boundary.py` computes, here, what each worker is given;
- the child only ever sees the program and its arguments, never a gold output or hidden pair, so whatever it
  reports can only be "what f returned", which we compare here after re-parsing it as a literal.
"""

from __future__ import annotations

import atexit
import marshal
import os
import selectors
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
import weakref
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

from azr.config import SandboxConfig
from azr.progress import Progress

from .boundary import seccomp_programs, view_plan
from .literals import SandboxError, parse_args, parse_literal, same_value
from .models import REQUIRED, Job, Result

WORKER_SCRIPT = str(Path(__file__).resolve().parent / "worker" / "main.py")
# Protections a benchmark or a test of the kernel boundary may switch off (Sandbox(disable=...)); never in training.
DISABLEABLE = frozenset({"seccomp", "landlock", "filesystem_view", "fixed_job_pid", "clock_shift"})
_LEN = struct.Struct("<I")
PIPELINE = 2  # runs queued per worker, so a worker never waits on us between runs
Outcome = tuple  # (code, text): code "ok" with the output repr, or an error code with a detail


@dataclass
class _Run:
    program: str
    items: list
    opts: dict
    done: Callable[[list], None]
    attempts: int = 0
    opts_key: tuple = ()

    def __post_init__(self) -> None:
        self.opts_key = tuple(sorted(self.opts.items()))


@dataclass
class _Worker:
    index: int
    proc: subprocess.Popen
    pid: int = 0
    zygote: int = 0
    tmp: str = ""
    prot: dict = field(default_factory=dict)
    inbuf: bytearray = field(default_factory=bytearray)
    outbuf: bytearray = field(default_factory=bytearray)
    inflight: deque = field(default_factory=deque)
    writing: bool = False
    last: float = 0.0
    known: set = field(default_factory=set)

    @property
    def rfd(self) -> int:
        return self.proc.stdout.fileno()

    @property
    def wfd(self) -> int:
        return self.proc.stdin.fileno()


def _spawn(index: int, plan: dict) -> _Worker:
    # -S -s: no site-packages, no user site; the environment is empty except for a fixed hash seed, so set and
    # dict-of-str iteration orders are the same in every worker and every run (gold outputs stay reproducible).
    proc = subprocess.Popen(
        [sys.executable, "-S", "-s", "-X", "utf8", WORKER_SCRIPT, str(index)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        env={"PYTHONHASHSEED": "0"}, close_fds=True, start_new_session=True, cwd="/",
    )
    w = _Worker(index=index, proc=proc)
    data = marshal.dumps(plan)
    try:
        proc.stdin.write(_LEN.pack(len(data)) + data)  # the worker's plan: its first frame, read before set-up
        proc.stdin.flush()
    except OSError:
        pass  # the handshake reports the dead worker
    return w


def _read_frame(w: _Worker) -> Optional[Any]:
    buf = w.inbuf
    if len(buf) < 4:
        return None
    (n,) = _LEN.unpack_from(buf)
    if len(buf) < 4 + n:
        return None
    data = bytes(buf[4:4 + n])
    del buf[:4 + n]
    return marshal.loads(data)


def _finish_worker(w: _Worker) -> None:
    for stream in (w.proc.stdin, w.proc.stdout):
        try:
            stream.close()
        except OSError:
            pass
    try:
        w.proc.wait(timeout=1.0)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(w.proc.pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        w.proc.kill()
        w.proc.wait(timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        pass
    if w.tmp:
        shutil.rmtree(w.tmp, ignore_errors=True)


def _shutdown(workers: list) -> None:
    for w in list(workers):
        _finish_worker(w)
    workers.clear()


class Sandbox:
    """Isolated, parallel execution of model-written Python. Use as a context manager (or call close())."""

    def __init__(self, cfg: SandboxConfig | None = None, *, strict_determinism: bool = False,
                 python_checks: bool = True, disable: Iterable[str] = ()) -> None:
        """strict_determinism: the second execution of a validate job runs in a second fresh process instead of
        fresh globals in the same process (about twice the cost; see README for what each one catches).
        python_checks=False and `disable` switch off the Python-level filters and individual kernel protections:
        for tests that show the kernel boundary holding on its own and for benchmarks that price each
        protection; never for training."""
        self.cfg = cfg or SandboxConfig()
        self.n_workers = self.cfg.workers or len(os.sched_getaffinity(0)) or 1
        self.strict_determinism = strict_determinism
        self.python_checks = bool(python_checks)
        self.disabled = frozenset(disable)
        unknown = self.disabled - DISABLEABLE
        if unknown:
            raise ValueError(f"Sandbox(disable=...): unknown protection(s) {sorted(unknown)}; "
                             f"choose from {sorted(DISABLEABLE)}")
        banned = [m for m in self.cfg.banned_modules if m.replace(".", "").isidentifier()]
        self._worker_plan = dict(view_plan(), seccomp=seccomp_programs(), disable=sorted(self.disabled),
                                 python_checks=self.python_checks, banned=banned)
        self._workers: list[_Worker] = []
        self._blob_cache: dict[str, bytes] = {}
        self._gold_cache: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._closed = False
        self._finalizer = weakref.finalize(self, _shutdown, self._workers)
        atexit.register(self._finalizer)

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker (and with it any job still running). Idempotent."""
        self._closed = True
        self._finalizer()

    def _start(self) -> None:
        if self._closed:
            raise SandboxError("this Sandbox is closed", code="crashed")
        missing = [i for i in range(self.n_workers) if i not in {w.index for w in self._workers}]
        fresh = [_spawn(i, self._worker_plan) for i in missing]
        for w in fresh:
            self._handshake(w)
            self._workers.append(w)
        self._workers.sort(key=lambda w: w.index)

    def _handshake(self, w: _Worker) -> None:
        deadline = time.monotonic() + 60
        sel = selectors.DefaultSelector()
        sel.register(w.rfd, selectors.EVENT_READ)
        try:
            while True:
                msg = _read_frame(w)
                if msg is not None:
                    break
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(timeout=left):
                    raise SandboxError("a sandbox worker did not start in time", code="crashed")
                chunk = os.read(w.rfd, 1 << 16)
                if not chunk:
                    raise SandboxError("a sandbox worker exited during start-up", code="crashed")
                w.inbuf += chunk
        except BaseException:
            _finish_worker(w)
            raise
        finally:
            sel.close()
        _, w.pid, w.tmp, w.prot, w.zygote = msg
        os.set_blocking(w.wfd, False)

    @property
    def worker_pids(self) -> list[int]:
        with self._lock:
            self._start()
            return [w.proc.pid for w in self._workers]

    @property
    def zygote_pids(self) -> list[int]:
        """The forker process of each worker (a child of the worker; every job process is a child of one)."""
        with self._lock:
            self._start()
            return [w.zygote for w in self._workers]

    @property
    def protections(self) -> dict[str, bool | str]:
        """Which protections are active on this kernel (as reported by the workers at start-up)."""
        with self._lock:
            self._start()
            prot = dict(self._workers[0].prot)
        for w in self._workers[1:]:
            for k, v in w.prot.items():
                if isinstance(v, bool):
                    prot[k] = bool(prot.get(k)) and v
        prot.update({"literal_parsing": True, "wall_clock_kill": True, "workers": str(self.n_workers),
                     "strict_determinism": self.strict_determinism, "landlock": bool(prot.get("landlock_abi")),
                     "disabled": ",".join(sorted(self.disabled))})
        return prot

    # ------------------------------------------------------------------ the batch API

    def run(self, jobs: Iterable[Job], progress: bool = False) -> list[Result]:
        """Check every job; results come back in input order. Never raises for a bad job: that is a result.
        Thread-safe: concurrent calls are served one batch at a time."""
        jobs = list(jobs)
        with self._lock:
            return self._run_locked(jobs, progress)

    def _run_locked(self, jobs: list[Job], progress: bool) -> list[Result]:
        results: list[Optional[Result]] = [None] * len(jobs)
        self._blob_cache, self._gold_cache = {}, {}
        runs: list[_Run] = []
        for i, job in enumerate(jobs):
            try:
                self._plan(i, job, results, runs)
            except SandboxError as exc:
                results[i] = _fail(job, exc.code, str(exc))
        runs = _dedup(runs)
        if runs:
            self._start()
            self._execute(runs, progress)
        self._blob_cache, self._gold_cache = {}, {}
        for i, r in enumerate(results):
            if r is None:  # defensive: every path above fills its slot
                results[i] = _fail(jobs[i], "crashed", "no result was produced")
        return results  # type: ignore[return-value]

    # ------------------------------------------------------------------ planning (all parsing happens here)

    def _opts(self, **kw: Any) -> dict:
        c = self.cfg
        opts = {"mode": "call", "entry": "f", "repeat": False, "stop": True, "static": True, "tests": None,
                "timeout": float(c.timeout_s), "memory_mb": int(c.memory_mb),
                "max_output_chars": int(c.max_output_chars), "max_depth": int(c.max_literal_depth),
                "banned": tuple(c.banned_modules), "literal_returns": bool(c.codegen_literal_returns),
                "shifted": False}
        opts.update(kw)
        return opts

    def _args(self, text: str, what: str, code: str) -> bytes:
        blob = self._blob_cache.get(text)  # the G checks of one task share its inputs: parse each text once
        if blob is None:
            try:
                args = parse_args(text, self.cfg.max_literal_chars, self.cfg.max_literal_depth, what)
            except SandboxError as exc:
                raise SandboxError(str(exc), code=code) from None
            blob = self._blob_cache[text] = marshal.dumps(args)
        return blob

    def _gold(self, text: str, what: str = "gold output") -> Any:
        if text in self._gold_cache:
            return self._gold_cache[text]
        cap = max(self.cfg.max_output_chars, self.cfg.max_literal_chars)
        try:
            value = parse_literal(text, cap, self.cfg.max_literal_depth, what)
        except SandboxError as exc:
            raise SandboxError(str(exc), code="bad_job") from None
        self._gold_cache[text] = value
        return value

    def _same_as_gold(self, text: str, gold_text: str, gold: Any) -> bool:
        """Strict equality of a returned repr with the gold value. Identical text parses to an identical value,
        so that common case needs no parse; otherwise the repr is re-parsed here (SandboxError if it is not a
        literal) and compared by value with exact types."""
        if text == gold_text:
            return True
        return same_value(self._returned(text), gold)

    def _program(self, text: str, code: str, what: str = "program") -> str:
        if len(text) > self.cfg.max_program_chars:
            raise SandboxError(f"{what} has {len(text)} characters, limit {self.cfg.max_program_chars}", code=code)
        return text

    def _returned(self, text: str) -> Any:
        """Re-parse a child's repr here: only a real literal survives, whatever the child claimed."""
        return parse_literal(text, self.cfg.max_output_chars, self.cfg.max_literal_depth, "returned value")

    def _plan(self, i: int, job: Job, results: list, runs: list) -> None:
        missing = [f for f in REQUIRED[job.kind] if getattr(job, f) is None]
        if missing:
            raise SandboxError(f"kind '{job.kind}' needs field(s): {', '.join(missing)}", code="bad_job")
        kind = job.kind
        if kind == "deduction":
            gold = self._gold(job.output)
            try:
                answer = parse_literal(job.answer, self.cfg.max_literal_chars, self.cfg.max_literal_depth, "answer")
            except SandboxError as exc:
                raise SandboxError(str(exc), code="bad_answer") from None
            if same_value(answer, gold):
                results[i] = _ok(job, output=job.output)
            else:
                results[i] = _fail(job, "wrong", f"answer {_short(job.answer)} != gold {_short(job.output)}")
            return
        if kind == "validate":
            program = self._program(job.program, "bad_job")
            blob = self._args(job.input, "input", "bad_input")
            self._deterministic_runs(runs, program, [blob], lambda out, i=i, job=job:
                                     self._done_validate(i, job, out, results))
        elif kind == "induction_inputs":
            program = self._program(job.program, "bad_job")
            if not job.inputs:
                raise SandboxError("inputs is empty", code="bad_job")
            blobs = []
            for k, text in enumerate(job.inputs):
                blobs.append(self._args(text, f"input {k}", "bad_input"))
            self._deterministic_runs(runs, program, blobs, lambda out, i=i, job=job:
                                     self._done_inputs(i, job, out, results))
        elif kind == "abduction":
            program = self._program(job.program, "bad_job")
            gold = self._gold(job.output)
            blob = self._args(job.answer, "answer", "bad_answer")
            runs.append(self._abduction_run(program, i, job, blob, gold, results))
        elif kind == "induction":
            program = self._program(job.answer, "bad_answer", "answer program")
            if not job.inputs or len(job.inputs) != len(job.outputs):
                raise SandboxError("inputs and outputs must be non-empty and of equal length", code="bad_job")
            blobs = [self._args(t, f"hidden input {k}", "bad_job") for k, t in enumerate(job.inputs)]
            golds = [self._gold(t, f"hidden output {k}") for k, t in enumerate(job.outputs)]
            runs.append(_Run(program, blobs, self._opts(), lambda out, i=i, job=job, golds=golds:
                             self._done_induction(i, job, out, golds, results)))
        elif kind == "codegen":
            program = self._program(job.program, "bad_answer")
            if len(job.tests) > 1_000_000:
                raise SandboxError("tests are longer than 1,000,000 characters", code="bad_job")
            opts = self._opts(mode="codegen", entry=job.entry_point, static=False, tests=job.tests)
            runs.append(_Run(program, [], opts, lambda out, i=i, job=job: self._done_codegen(i, job, out, results)))
        else:  # pragma: no cover - the Literal type rules this out
            raise SandboxError(f"unknown kind {kind!r}", code="bad_job")

    def _deterministic_runs(self, runs: list, program: str, blobs: list, done: Callable[[list], None]) -> None:
        """Proposals run twice. Default: two executions with fresh module globals in one fresh process (hash seed
        fixed for every worker, addresses shifted between the two). strict_determinism: two separate processes,
        compared here; about twice the cost."""
        if not self.strict_determinism:
            runs.append(_Run(program, blobs, self._opts(repeat=True), done))
            return
        got: list = []

        def half(out: list) -> None:
            got.append(out)
            if len(got) < 2:
                return
            a, b = got
            merged = []
            for k in range(max(len(a), len(b))):
                x = a[k] if k < len(a) else ("crashed", "no result")
                y = b[k] if k < len(b) else ("crashed", "no result")
                if x[0] != "ok":
                    merged.append(x)
                elif y[0] != "ok":
                    merged.append(y)
                elif x[1] != y[1]:
                    merged.append(("nondeterministic", f"two processes disagree: {_short(x[1])} vs {_short(y[1])}"))
                else:
                    merged.append(x)
                if merged[-1][0] != "ok":
                    break
            done(merged)

        opts = self._opts()
        runs.append(_Run(program, blobs, opts, half))
        # The twin reads shifted clocks (see worker/runner.py), so time-derived outputs disagree here too.
        runs.append(_Run(program, blobs, dict(opts, shifted=True), half))  # distinct key: not deduplicated

    def _abduction_run(self, program: str, i: int, job: Job, blob: bytes, gold: Any, results: list) -> _Run:
        """One abduction check, in a process of its own: the checks of one program are different jobs, and a
        program that keeps state in a module would otherwise let one answer change the verdict on the next.
        Identical answers (the same right input, sampled G times) still run once (see _dedup)."""
        def done(out: list) -> None:
            code, text = out[0] if out else ("crashed", "no result")
            if code != "ok":
                results[i] = _fail(job, code, text)
                return
            try:
                same = self._same_as_gold(text, job.output, gold)
            except SandboxError as exc:
                results[i] = _fail(job, "output_not_literal", str(exc))
                return
            if same:
                results[i] = _ok(job, output=text)
            else:
                results[i] = _fail(job, "wrong", f"f(*answer) returned {_short(text)}, expected "
                                                 f"{_short(job.output)}", output=text)

        return _Run(program, [blob], self._opts(), done)

    # ------------------------------------------------------------------ turning outcomes into results

    def _done_validate(self, i: int, job: Job, out: list, results: list) -> None:
        code, text = out[0] if out else ("crashed", "no result")
        if code != "ok":
            results[i] = _fail(job, code, text)
            return
        # Re-parsed here exactly as it will be read back as a gold output: whatever the job process did to
        # itself, only a real literal that the rest of the pipeline can use becomes a valid proposal.
        try:
            self._gold(text, "returned value")
        except SandboxError as exc:
            results[i] = _fail(job, "output_not_literal", str(exc))
            return
        results[i] = _ok(job, output=text)

    def _done_inputs(self, i: int, job: Job, out: list, results: list) -> None:
        outputs = []
        for k in range(len(job.inputs)):
            code, text, where = _item(out, k, "input")
            if code != "ok":
                results[i] = _fail(job, code, where + text)
                return
            try:
                self._returned(text)
            except SandboxError as exc:
                results[i] = _fail(job, "output_not_literal", f"{where}{exc}")
                return
            outputs.append(text)
        results[i] = Result.model_construct(id=job.id, ok=True, output=None, outputs=outputs, error=None,
                                            detail=None)

    def _done_induction(self, i: int, job: Job, out: list, golds: list, results: list) -> None:
        for k, gold in enumerate(golds):
            code, text, where = _item(out, k, "hidden pair")
            if code != "ok":
                results[i] = _fail(job, code, where + text)
                return
            try:
                same = self._same_as_gold(text, job.outputs[k], gold)
            except SandboxError as exc:
                results[i] = _fail(job, "output_not_literal", f"{where}{exc}")
                return
            if not same:
                results[i] = _fail(job, "wrong", f"{where}expected {_short(job.outputs[k])}, got {_short(text)}")
                return
        results[i] = _ok(job)

    def _done_codegen(self, i: int, job: Job, out: list, results: list) -> None:
        code, text = out[0] if out else ("crashed", "no result")
        results[i] = _ok(job) if code == "ok" else _fail(job, code, text)

    # ------------------------------------------------------------------ scheduling over the workers

    def _execute(self, runs: list[_Run], progress: bool) -> None:
        bar = Progress("sandbox", len(runs), "runs") if progress else None
        pending: deque[int] = deque(range(len(runs)))
        remaining = len(runs)
        sel = selectors.DefaultSelector()
        by_fd: dict[int, _Worker] = {}

        def attach(w: _Worker) -> None:
            sel.register(w.rfd, selectors.EVENT_READ, ("r", w))
            by_fd[w.rfd] = w
            w.writing = False
            w.last = time.monotonic()

        def detach(w: _Worker) -> None:
            for fd in (w.rfd, w.wfd):
                try:
                    sel.unregister(fd)
                except (KeyError, ValueError, OSError):
                    pass

        def complete(rid: int, outcomes: list) -> None:
            nonlocal remaining
            runs[rid].done(outcomes)
            remaining -= 1
            if bar is not None:
                bar.update(1)

        def lost(w: _Worker, why: str, blame: bool = True) -> None:
            """Replace a worker. Only the run it was executing (the head of its queue) can be to blame; the runs
            queued behind it go back to the queue uncharged, so no job loses its result for another's sake."""
            detach(w)
            _finish_worker(w)
            self._workers.remove(w)
            for k, rid in enumerate(reversed(w.inflight)):
                head = k == len(w.inflight) - 1
                if blame and head:
                    runs[rid].attempts += 1
                if runs[rid].attempts >= 2:
                    complete(rid, [("crashed", f"the sandbox worker died on this job twice ({why})")])
                else:
                    pending.appendleft(rid)
            w.inflight.clear()
            if not self._closed:
                nw = _spawn(w.index, self._worker_plan)
                self._handshake(nw)
                self._workers.append(nw)
                attach(nw)

        for w in self._workers:
            attach(w)
        def max_run(rid: int) -> float:  # a backstop only: every call has its own time limit in the worker
            return self.cfg.timeout_s * 2 * (len(runs[rid].items) + 1) + 30

        try:
            while remaining:
                for w in list(self._workers):
                    while pending and len(w.inflight) < PIPELINE:
                        rid = pending.popleft()
                        r = runs[rid]
                        # Options go once per worker; later runs name them by key (smaller messages, less work).
                        key = r.opts_key
                        if key in w.known:
                            data = marshal.dumps((rid, r.program, r.items, key, None))
                        else:
                            w.known.add(key)
                            data = marshal.dumps((rid, r.program, r.items, key, r.opts))
                        w.outbuf += _LEN.pack(len(data)) + data
                        w.inflight.append(rid)
                        w.last = time.monotonic()
                    if w.outbuf:
                        self._flush(w, sel)
                events = sel.select(timeout=1.0)
                now = time.monotonic()
                if bar is not None:
                    bar.heartbeat()
                for key, _mask in events:
                    kind, w = key.data
                    if w not in self._workers:
                        continue
                    if kind == "w":
                        self._flush(w, sel)
                        continue
                    try:
                        chunk = os.read(w.rfd, 1 << 20)
                    except OSError:
                        chunk = b""
                    if not chunk:
                        lost(w, "worker exited")
                        continue
                    w.inbuf += chunk
                    w.last = now
                    while True:
                        msg = _read_frame(w)
                        if msg is None:
                            break
                        rid, outcomes = msg
                        if rid == -1:  # the worker retires (see worker/main.py): nothing it holds is to blame
                            lost(w, str(outcomes), blame=False)
                            break
                        if w.inflight and w.inflight[0] == rid:
                            w.inflight.popleft()
                        elif rid in w.inflight:
                            w.inflight.remove(rid)
                        else:
                            continue
                        complete(rid, outcomes)
                for w in list(self._workers):
                    if w.inflight and now - w.last > max_run(w.inflight[0]):
                        lost(w, "worker stopped responding")
        finally:
            detach_all = list(self._workers)
            for w in detach_all:
                detach(w)
            sel.close()
            if bar is not None:
                bar.close()

    def _flush(self, w: _Worker, sel: selectors.BaseSelector) -> None:
        try:
            n = os.write(w.wfd, w.outbuf)
            del w.outbuf[:n]
        except BlockingIOError:
            pass
        except OSError:
            w.outbuf.clear()  # the worker is gone; its read side will report EOF
        if w.outbuf and not w.writing:
            sel.register(w.wfd, selectors.EVENT_WRITE, ("w", w))
            w.writing = True
        elif not w.outbuf and w.writing:
            sel.unregister(w.wfd)
            w.writing = False


def _dedup(runs: list[_Run]) -> list[_Run]:
    """Identical runs (same program, arguments and options: e.g. the same answer sampled twice) execute once and
    every job that asked gets the outcome."""
    first: dict = {}
    out: list[_Run] = []
    for r in runs:
        key = (r.program, tuple(r.items), r.opts_key)
        seen = first.get(key)
        if seen is None:
            first[key] = r
            out.append(r)
        else:
            done_a, done_b = seen.done, r.done
            seen.done = lambda outcomes, a=done_a, b=done_b: (a(outcomes), b(outcomes))
    return out


def _item(out: list, k: int, label: str) -> tuple[str, str, str]:
    """(code, text, where) of item k of a run; `where` prefixes its details ("input 3: "), except for a fault of
    the whole program (syntax, no entry, banned import), which the worker reports once, for item 0."""
    code, text = out[k] if k < len(out) else ("crashed", "no result")
    return code, text, "" if code in ("syntax", "no_entry", "banned_import") else f"{label} {k}: "


def _short(text: Optional[str], n: int = 120) -> str:
    text = text or ""
    return text if len(text) <= n else text[:n] + "..."


def _ok(job: Job, output: Optional[str] = None) -> Result:
    return Result.model_construct(id=job.id, ok=True, output=output, outputs=None, error=None, detail=None)


def _fail(job: Any, code: str, detail: str, output: Optional[str] = None) -> Result:
    return Result.model_construct(id=getattr(job, "id", None), ok=False, output=output, outputs=None, error=code,
                                  detail=detail)
