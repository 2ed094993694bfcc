"""The runner: what a job process does after its lock-down, up to the record it sends and its exit.

Job code runs here, so everything the runner uses after the first line of job code is bound beforehand, to
locals and default arguments: a job that poisons builtins or module globals only breaks its own result. A job
that goes further (frames, the object graph, `os` reached at run time) can at most lie about its *own* result,
and only with a literal: the pool re-parses every returned repr before it becomes a verdict, the comparison with
a gold value happens in the pool, and another job's result lives in another process.

Values that differ between runs but not between two executions in one process are caught here as
`nondeterministic`: the second execution of a proposal sees every clock of the `time` module shifted by a year,
a day, an hour, a minute and a second (`install_clock_shift`), and the heap shifted by a spacer allocation.
"""

from __future__ import annotations

import builtins
import marshal
import math
import os
import signal
import sys

from guards import JOB_MODULE
from lockdown import lock_down
from protocol import CODE_ID, HEADER


class _Reject(Exception):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code, self.detail = code, detail


_SCALARS = (int, str, bytes, bool, type(None))
_CONTAINERS = (list, tuple, set, dict)


def _serialize(value, max_chars: int, max_depth: int, type=type, len=len, id=id, repr=repr, set=set, str=str,
               bytes=bytes, float=float, complex=complex, dict=dict, ValueError=ValueError,
               isfinite=math.isfinite, _Reject=_Reject, _SCALARS=_SCALARS, _CONTAINERS=_CONTAINERS) -> str:
    """repr of a value made only of exact built-in literal types (so the repr is produced by C code, not by the
    job, and parses back to an equal value); anything else is rejected before repr is called."""
    budget = [0]
    path: set = set()

    def walk(v, depth: int) -> None:
        t = type(v)
        if t in _SCALARS:
            if t is str or t is bytes:
                budget[0] += len(v) + 2
            else:
                budget[0] += 1
        elif t is float:
            if not isfinite(v):
                raise _Reject("output_not_literal", f"float {v!r} has no literal form")
            budget[0] += 3
        elif t is complex:
            if not (isfinite(v.real) and isfinite(v.imag)):
                raise _Reject("output_not_literal", f"complex {v!r} has no literal form")
            budget[0] += 4
        elif t in _CONTAINERS:
            if depth > max_depth:
                raise _Reject("output_too_large", f"output nests deeper than {max_depth} levels")
            key = id(v)
            if key in path:
                raise _Reject("output_not_literal", "output contains itself (recursive container)")
            budget[0] += 2 + len(v)
            if budget[0] > max_chars:
                raise _Reject("output_too_large", f"output repr is longer than {max_chars} characters")
            path.add(key)
            if t is dict:
                for k, x in v.items():
                    walk(k, depth + 1)
                    walk(x, depth + 1)
            else:
                for x in v:
                    walk(x, depth + 1)
            path.discard(key)
        else:
            raise _Reject("output_not_literal",
                          f"returned a {t.__module__}.{t.__qualname__}, not a built-in literal type")
        if budget[0] > max_chars:
            raise _Reject("output_too_large", f"output repr is longer than {max_chars} characters")

    walk(value, 1)
    try:
        text = repr(value)
    except ValueError:  # an int beyond sys.get_int_max_str_digits()
        raise _Reject("output_too_large", "output is an integer too large to print") from None
    if len(text) > max_chars:
        raise _Reject("output_too_large", f"output repr has {len(text)} characters, limit {max_chars}")
    return text




_PLAIN = frozenset({int, float, complex, str, bytes, bytearray, bool, type(None), list, tuple, dict, set, frozenset})


def check_plain(value, max_depth: int, type=type, id=id, len=len, _PLAIN=_PLAIN) -> str | None:
    """None when value is made only of exact built-in value types (so `==` on it is the built-in comparison and
    no job code runs in it); else what is wrong. Used for what a codegen candidate returns to the tests."""
    stack = [(value, 1)]
    seen: set = set()
    while stack:
        v, depth = stack.pop()
        t = type(v)
        if t not in _PLAIN:
            return f"a {t.__module__}.{t.__qualname__}"
        if t in (list, tuple, set, frozenset, dict):
            if depth > max_depth:
                return f"a value nested deeper than {max_depth} levels"
            if id(v) in seen:
                continue
            seen.add(id(v))
            if t is dict:
                for k, x in v.items():
                    stack.append((k, depth + 1))
                    stack.append((x, depth + 1))
            else:
                stack.extend((x, depth + 1) for x in v)
    return None


CLOCK_SHIFT_S = 367 * 86400 + 3600 + 61  # a year and two days, an hour, a minute and a second


def install_clock_shift() -> list:
    """Wrap the `time` module's clocks (the zygote does this once; every module that imports `time`, gzip and
    uuid among them, sees the wrappers) so that the runner can shift what the second execution of a proposal
    reads. Returns the shift cell (seconds). A program whose output depends on the time of day, at any
    granularity from a second to a year, then returns two different values and is `nondeterministic`."""
    import time as _time

    shift = [0]
    real = {n: getattr(_time, n) for n in ("time", "time_ns", "monotonic", "monotonic_ns", "perf_counter",
                                           "perf_counter_ns", "localtime", "gmtime", "ctime", "asctime",
                                           "strftime")}
    r_time, r_time_ns, r_mono, r_mono_ns, r_perf, r_perf_ns = (real[n] for n in (
        "time", "time_ns", "monotonic", "monotonic_ns", "perf_counter", "perf_counter_ns"))
    r_local, r_gm, r_ctime, r_asctime, r_strftime = (real[n] for n in ("localtime", "gmtime", "ctime", "asctime",
                                                                        "strftime"))
    G = 1_000_000_000
    r_clock, r_clock_ns = _time.clock_gettime, _time.clock_gettime_ns
    cpu_clocks = {getattr(_time, n) for n in ("CLOCK_PROCESS_CPUTIME_ID", "CLOCK_THREAD_CPUTIME_ID")
                  if hasattr(_time, n)}

    def clock_gettime(clk_id):
        return r_clock(clk_id) + (0 if clk_id in cpu_clocks else shift[0])

    def clock_gettime_ns(clk_id):
        return r_clock_ns(clk_id) + (0 if clk_id in cpu_clocks else shift[0] * G)

    def time():
        return r_time() + shift[0]

    def time_ns():
        return r_time_ns() + shift[0] * G

    def monotonic():
        return r_mono() + shift[0]

    def monotonic_ns():
        return r_mono_ns() + shift[0] * G

    def perf_counter():
        return r_perf() + shift[0]

    def perf_counter_ns():
        return r_perf_ns() + shift[0] * G

    def localtime(secs=None):
        return r_local(time() if secs is None else secs)

    def gmtime(secs=None):
        return r_gm(time() if secs is None else secs)

    def ctime(secs=None):
        return r_ctime(time() if secs is None else secs)

    def asctime(t=None):
        return r_asctime(localtime() if t is None else t)

    def strftime(format, t=None):
        return r_strftime(format, localtime() if t is None else t)

    for fn in (time, time_ns, monotonic, monotonic_ns, perf_counter, perf_counter_ns, localtime, gmtime, ctime,
               asctime, strftime, clock_gettime, clock_gettime_ns):
        fn.__module__ = "time"
        setattr(_time, fn.__name__, fn)
    return shift


def child(wfd: int, run: tuple, ctx: dict) -> None:
    """Never returns. Runs in a fresh process forked from the zygote, which has already unpacked the run (program
    compiled and checked by the manager, options, import state): every page a child writes costs a copy-on-write
    fault, so it writes as few as it can."""
    _write, _exit, _len, _mv, _callable, _exec = os.write, os._exit, len, memoryview, callable, exec
    _loads, _Module, _modules, _getattr = marshal.loads, type(sys), sys.modules, getattr
    _serial, _Rej, _type, _str, _plain = _serialize, _Reject, type, str, check_plain
    _pack, _ids = HEADER.pack, CODE_ID
    _Base, _MemErr = BaseException, MemoryError
    nonce, code, tests_code, items, opts, armed = run
    max_chars, max_depth, timeout = opts["max_output_chars"], opts["max_depth"], opts["timeout"]
    _alarm, _ITIMER = signal.setitimer, signal.ITIMER_REAL  # SIGALRM's default action ends an overrunning call
    mode, entry, repeat, stop = opts["mode"], opts["entry"], opts["repeat"], opts["stop"]
    literal_returns = opts["literal_returns"]
    flag = armed[3] if armed is not None else [None]
    shift, shift_s = ctx["clock_shift"], CLOCK_SHIFT_S
    if opts["shifted"]:  # the second process of a strict_determinism pair
        shift[0] = shift_s

    def report(index: int, code_: str, text: str) -> None:
        data = text.encode("utf-8", "backslashreplace")
        data = _mv(_pack(nonce, index, _ids[code_], _len(data)) + data)
        while data:
            data = data[_write(wfd, data):]

    if code is None:
        report(0, "crashed", "sandbox set-up failed: the zygote could not load the program")
        _exit(4)
    try:
        lock_down(wfd, _len(items), opts, ctx)
        del run
        if armed is not None:
            ctx["hook_state"][0] = armed  # arm the hook installed by the worker
    except BaseException as exc:
        try:
            report(0, "crashed", f"sandbox set-up failed: {type(exc).__name__}: {exc}")
        finally:
            _exit(4)

    # ---- from here on, job code may run; only names bound above are used.
    def describe(exc) -> tuple:
        t = _type(exc)
        if t is _MemErr:
            return "memory", "MemoryError: the job ran out of its memory limit"
        if flag[0] is not None:
            return "banned_import", f"import of banned module '{flag[0]}'"
        try:
            msg = _str(exc)
        except _Base:
            msg = "<unprintable>"
        try:
            name = _str(_getattr(t, "__name__", "Exception"))
        except _Base:
            name = "Exception"
        return "runtime_error", (f"{name}: {msg}" if msg else name)[:500]

    def load(namespace_name: str) -> dict:
        # A real module object registered under its name, so dataclasses, typing and pickle find the namespace.
        mod = _Module(namespace_name)
        g = mod.__dict__
        g["__builtins__"] = builtins
        _modules[namespace_name] = mod
        _exec(code, g)
        return g

    def call(args_blob: bytes) -> str:
        g = load(JOB_MODULE)
        f = g.get(entry)
        if not _callable(f):
            raise _Rej("no_entry", f"'{entry}' is not a function after the program ran")
        value = f(*_loads(args_blob))
        return _serial(value, max_chars, max_depth)

    def run_codegen() -> None:
        g = load(JOB_MODULE)
        _exec(tests_code, g)
        cand = g.get(entry)
        if not _callable(cand):
            raise _Rej("no_entry", f"entry point '{entry}' is not defined")
        check = g.get("check")
        if not _callable(check):
            raise _Rej("runtime_error", "the tests do not define check(candidate)")
        bad: list = []
        if literal_returns:
            def candidate(*args, **kwargs):
                value = cand(*args, **kwargs)
                problem = _plain(value, max_depth)
                if problem is not None:
                    bad.append(problem)
                    raise _Rej("wrong", f"the candidate returned {problem}, not a built-in value; the tests only "
                                        "compare built-in values (sandbox.codegen_literal_returns)")
                return value
            candidate.__name__, candidate.__doc__, candidate.__wrapped__ = entry, cand.__doc__, cand
        else:
            candidate = cand
        try:
            check(candidate)
        except AssertionError as exc:
            if bad:
                raise _Rej("wrong", f"the candidate returned {bad[0]}, not a built-in value; the tests only "
                                    "compare built-in values (sandbox.codegen_literal_returns)") from None
            raise _Rej("wrong", f"a test assertion failed: {exc}"[:500]) from None
        if bad:  # the tests caught the refusal themselves
            raise _Rej("wrong", f"the candidate returned {bad[0]}, not a built-in value; the tests only compare "
                                "built-in values (sandbox.codegen_literal_returns)")

    try:
        if mode == "codegen":
            try:
                _alarm(_ITIMER, timeout)
                run_codegen()
                report(0, "ok", "")
            except _Rej as rej:
                report(0, rej.code, rej.detail)
            except _Base as exc:
                report(0, *describe(exc))
            _exit(0)
        for i, blob in enumerate(items):
            try:
                _alarm(_ITIMER, timeout)
                text = call(blob)
                if flag[0] is not None:
                    raise _Rej("banned_import", f"import of banned module '{flag[0]}'")
                if repeat:
                    _alarm(_ITIMER, timeout)  # the second execution gets its own time limit
                    spacer = [object() for _ in range(31 + i)]  # shift addresses so id()-based results differ
                    spacer.append(bytearray(4099))
                    shift[0] = shift_s
                    again = call(blob)
                    shift[0] = 0
                    del spacer
                    if again != text:
                        raise _Rej("nondeterministic", f"two executions disagree: {text[:200]} vs {again[:200]}")
                report(i, "ok", text)
            except _Rej as rej:
                report(i, rej.code, rej.detail)
                if stop:
                    break
            except _Base as exc:
                report(i, *describe(exc))
                if stop:
                    break
    except _Base:
        _exit(5)
    _exit(0)
