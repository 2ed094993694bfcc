"""Differential test: the sandbox must give the same outputs as plain CPython for legitimate programs.

Every program of tests/stdlib_corpus.py (small, deterministic, standard-library-only functions of the kind an AZR
proposer writes) runs twice: once in a plain interpreter (one subprocess, `python -S -s -X utf8`, fixed hash seed),
and once through `Sandbox.run` as a `validate` job. Where plain Python returns a value, the sandbox must return
the same repr (exact text, and an equal literal); where plain Python raises, the sandbox must report
`runtime_error` with the same exception type name. Each test aggregates every mismatch into one message.
"""

from __future__ import annotations

import ast
import json
import math
import subprocess
import sys
import time

import pytest

from azr.config import SandboxConfig
from sandbox import Job, Sandbox

from stdlib_corpus import PROGRAMS

# Runs in a plain interpreter: reads [[name, program, input], ...] as JSON on stdin, writes
# {name: ["ok", repr] | ["raise", type name] | ["harness", detail]} as JSON on stdout.
RUNNER = r'''
import ast, io, json, sys

def main():
    corpus = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    real_stdout = sys.stdout
    out = {}
    for name, program, text in corpus:
        sys.stdout = io.StringIO()  # a program's print() must not corrupt the JSON reply
        try:
            args = ast.literal_eval("(" + text + ",)") if text.strip() else ()
            namespace = {"__name__": "__program__"}
            code = compile(program, "<program>", "exec", dont_inherit=True)
        except BaseException as exc:
            out[name] = ["harness", f"{type(exc).__name__}: {exc}"]
            continue
        try:
            exec(code, namespace)
            value = namespace["f"](*args)
        except BaseException as exc:
            out[name] = ["raise", type(exc).__name__]
            continue
        finally:
            sys.stdout = real_stdout
        try:
            out[name] = ["ok", repr(value)]
        except BaseException as exc:
            out[name] = ["harness", f"repr failed: {type(exc).__name__}: {exc}"]
    real_stdout.write(json.dumps(out))

main()
'''


def run_plain(programs, hash_seed: str = "0", timeout: float = 300.0) -> dict:
    """Expected results from plain CPython: {name: (status, text)}."""
    payload = json.dumps([[p.name, p.program, p.input] for p in programs]).encode("utf-8")
    proc = subprocess.run(
        [sys.executable, "-S", "-s", "-X", "utf8", "-c", RUNNER], input=payload, capture_output=True,
        env={"PYTHONHASHSEED": hash_seed}, timeout=timeout,
    )
    assert proc.returncode == 0, f"plain runner failed (rc {proc.returncode}):\n{proc.stderr.decode()[-3000:]}"
    return {name: tuple(v) for name, v in json.loads(proc.stdout.decode("utf-8")).items()}


def _short(text, limit: int = 300) -> str:
    text = str(text)
    return text if len(text) <= limit else text[:limit] + f"... [{len(text)} chars]"


@pytest.fixture(scope="module")
def expected() -> dict:
    return run_plain(PROGRAMS)


@pytest.fixture(scope="module")
def sandboxed() -> dict:
    jobs = [Job(id=p.name, kind="validate", program=p.program, input=p.input) for p in PROGRAMS]
    start = time.monotonic()
    with Sandbox(SandboxConfig(workers=2)) as sb:
        results = sb.run(jobs)
    elapsed = time.monotonic() - start
    print(f"\nsandbox: {len(jobs)} programs in {elapsed:.1f}s")
    return {p.name: r for p, r in zip(PROGRAMS, results)}


def _mismatches(expected: dict, sandboxed: dict) -> tuple[list[str], list[str]]:
    """(every mismatch, the subset where the sandbox returned ok with a different value)."""
    problems, wrong_values = [], []
    for p in PROGRAMS:
        status, text = expected[p.name]
        r = sandboxed[p.name]
        got = f"ok {_short(r.output)}" if r.ok else f"{r.error}: {_short(r.detail)}"
        if status == "ok":
            if not r.ok:
                problems.append(f"{p.name}\n    plain:   {_short(text)}\n    sandbox: {got}")
                continue
            same_text = r.output == text
            try:
                same_value = ast.literal_eval(r.output) == ast.literal_eval(text)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as exc:
                same_value = False
                got += f" (not a literal: {type(exc).__name__})"
            if not (same_text and same_value):
                line = (f"{p.name}\n    plain:   {_short(text)}\n    sandbox: {got}"
                        f"  [same text: {same_text}, equal value: {same_value}]")
                problems.append(line)
                wrong_values.append(line)
        else:  # "raise"
            if r.ok:
                line = f"{p.name}\n    plain:   raises {text}\n    sandbox: {got}"
                problems.append(line)
                wrong_values.append(line)
            elif r.error != "runtime_error" or not (r.detail == text or (r.detail or "").startswith(text + ":")):
                problems.append(f"{p.name}\n    plain:   raises {text}\n    sandbox: {got}")
    return problems, wrong_values


_ALLOWED = (int, float, complex, str, bytes, bool, type(None), list, tuple, dict, set)


def _literal_problem(text: str) -> str | None:
    """Why an expected repr is not an allowed return value (None when it is)."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as exc:
        return f"not a literal ({type(exc).__name__})"
    stack = [value]
    while stack:
        v = stack.pop()
        if type(v) not in _ALLOWED:
            return f"contains a {type(v).__name__}"
        if type(v) is float and not math.isfinite(v):
            return f"contains {v!r}"
        if type(v) is complex and not (math.isfinite(v.real) and math.isfinite(v.imag)):
            return f"contains {v!r}"
        if type(v) is dict:
            stack.extend(v.keys())
            stack.extend(v.values())
        elif type(v) in (list, tuple, set):
            stack.extend(v)
    return None


def test_corpus_is_well_formed(expected):
    names = [p.name for p in PROGRAMS]
    assert len(names) == len(set(names)), "duplicate program names"
    assert len(PROGRAMS) >= 300, f"only {len(PROGRAMS)} programs"
    assert sum(p.expects_raise for p in PROGRAMS) >= 15
    assert sum(p.handles_error for p in PROGRAMS) >= 60
    bad = []
    for p in PROGRAMS:
        status, text = expected[p.name]
        if status == "harness":
            bad.append(f"{p.name}: the plain runner could not run it: {text}")
        elif p.expects_raise != (status == "raise"):
            bad.append(f"{p.name}: plain Python gives {status} {_short(text, 200)}")
        elif status == "ok" and len(text) > 5000:
            bad.append(f"{p.name}: output repr has {len(text)} characters")
        elif status == "ok" and _literal_problem(text):
            bad.append(f"{p.name}: the returned value {_literal_problem(text)}")
    if bad:
        pytest.fail(f"{len(bad)} corpus problems:\n" + "\n".join(bad), pytrace=False)


# Never imported by a corpus program: the default config's banned modules plus the OS-level ones every job kind
# is refused; and the names the static checker treats as escape hatches.
_NEVER_IMPORTED = set(SandboxConfig().banned_modules) | {
    "posix", "select", "selectors", "mmap", "fcntl", "gc", "inspect", "importlib", "pickle", "marshal", "asyncio",
    "concurrent", "tempfile", "pathlib", "sysconfig", "site", "code", "codeop", "runpy", "urllib", "http", "sqlite3",
    "platform", "tracemalloc", "pdb", "threading"}
_ESCAPE_NAMES = {"__subclasses__", "__globals__", "__builtins__", "__code__", "__closure__", "__loader__",
                 "__spec__", "__import__", "import_module", "f_globals", "f_locals", "f_back", "tb_frame", "gi_frame"}
# Attribute names through which the static checker sees a banned module reached via another module (`x.os`).
_ROUTE_ATTRS = {"os", "sys", "posix", "subprocess", "socket", "ctypes", "importlib", "threading", "marshal",
                "inspect", "mmap", "fcntl", "shutil", "multiprocessing", "pathlib", "tempfile", "_os", "_sys"}


def test_corpus_avoids_banned_modules_and_escape_names():
    bad = []
    for p in PROGRAMS:
        for node in ast.walk(ast.parse(p.program)):
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                mods = [node.module or ""]
            else:
                mods = []
            bad += [f"{p.name}: imports {m}" for m in mods if m.partition(".")[0] in _NEVER_IMPORTED]
            name = (node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name)
                    else node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None)
            if name in _ESCAPE_NAMES or (isinstance(node, ast.Attribute) and name in _ROUTE_ATTRS):
                bad.append(f"{p.name}: uses {name!r}")
    if bad:
        pytest.fail("corpus programs that break the rules:\n" + "\n".join(bad), pytrace=False)


def test_corpus_is_deterministic_in_plain_python(expected):
    """The expected values themselves must not depend on the hash seed (nor on the run)."""
    again = run_plain(PROGRAMS, hash_seed="12345")
    diff = [f"{name}\n    seed 0:     {_short(expected[name])}\n    seed 12345: {_short(again.get(name))}"
            for name in expected if expected[name] != again.get(name)]
    if diff:
        pytest.fail(f"{len(diff)} programs are not deterministic in plain Python:\n" + "\n".join(diff), pytrace=False)


def test_sandbox_matches_plain_python(expected, sandboxed):
    problems, _ = _mismatches(expected, sandboxed)
    if problems:
        pytest.fail(f"{len(problems)} of {len(PROGRAMS)} programs behave differently in the sandbox than in plain "
                    f"Python:\n" + "\n".join(problems), pytrace=False)


def test_sandbox_never_returns_a_different_value(expected, sandboxed):
    """Where the sandbox cannot offer something it must fail with an error, never succeed with another value."""
    _, wrong_values = _mismatches(expected, sandboxed)
    if wrong_values:
        pytest.fail(f"{len(wrong_values)} programs returned ok in the sandbox with a value plain Python does not "
                    f"give:\n" + "\n".join(wrong_values), pytrace=False)
