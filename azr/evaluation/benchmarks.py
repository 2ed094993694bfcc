"""Reading benchmark files: CRUXEval-style lines for deduction/abduction, HumanEval-style lines for codegen.

Formats (one JSON object per line; blank lines are skipped):
- deduction / abduction: ``code`` (a program defining ``f``), ``input`` (the arguments of one call, as Python
  literals separated by commas), ``output`` (the value ``f`` returns, as a Python literal), ``id``.
- codegen: ``task_id``, ``prompt`` (a signature and docstring to complete), ``entry_point`` (the function the tests
  call), ``test`` (code defining ``check(candidate)``).

Every problem is reported as ``<file> line <n>: <what is wrong>`` so a broken file is fixed in one look.
"""

from __future__ import annotations

import ast
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

EvalMode = Literal["deduction", "abduction", "codegen"]
MODES: tuple[str, ...] = ("deduction", "abduction", "codegen")

CRUX_FIELDS = ("code", "input", "output", "id")
HUMANEVAL_FIELDS = ("task_id", "prompt", "entry_point", "test")
FIELDS = {"deduction": CRUX_FIELDS, "abduction": CRUX_FIELDS, "codegen": HUMANEVAL_FIELDS}


class BenchmarkError(ValueError):
    """A benchmark file that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class BenchmarkItem:
    """One benchmark problem. CRUXEval items use program/input/output; HumanEval items use prompt/entry_point/test."""

    item_id: str
    program: str = ""
    input: str = ""
    output: str = ""
    prompt: str = ""
    entry_point: str = ""
    test: str = ""
    line: int = 0


@dataclass(frozen=True)
class Benchmark:
    name: str
    path: str
    mode: str
    items: list[BenchmarkItem] = field(default_factory=list)
    total: int = 0  # items in the file before `limit`

    def __len__(self) -> int:
        return len(self.items)


def benchmark_name(path: str | os.PathLike) -> str:
    """A short label for metrics and tables: the file name without .jsonl."""
    name = Path(path).name
    for suffix in (".jsonl", ".json", ".jl"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _defines_top_level(tree: ast.Module, name: str) -> bool:
    return any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name for n in tree.body)


def _syntax(text: str, mode: str) -> str | None:
    try:
        ast.parse(text, mode=mode)
    except SyntaxError as exc:
        return f"{exc.msg} (line {exc.lineno})" if exc.lineno else str(exc.msg)
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, absurd nesting
        return str(exc) or type(exc).__name__
    return None


def _check_crux(obj: dict, where: str) -> BenchmarkItem:
    code, inp, out = obj["code"], obj["input"], obj["output"]
    err = _syntax(code, "exec")
    if err:
        raise BenchmarkError(f"{where}: 'code' is not valid Python: {err}")
    if not _defines_top_level(ast.parse(code), "f"):
        raise BenchmarkError(f"{where}: 'code' must define a top-level function `f` (the entry point)")
    if not inp.strip():
        raise BenchmarkError(f"{where}: 'input' is empty; write the arguments of one call, e.g. \"'abc', 3\"")
    err = _syntax(f"f({inp})", "eval")
    if err:
        raise BenchmarkError(f"{where}: 'input' {inp[:80]!r} is not a valid argument list: {err}")
    err = _syntax(out, "eval") if out.strip() else "empty"
    if err:
        raise BenchmarkError(f"{where}: 'output' {out[:80]!r} is not a Python expression: {err}")
    return BenchmarkItem(item_id=str(obj["id"]), program=code, input=inp, output=out)


def _check_humaneval(obj: dict, where: str) -> BenchmarkItem:
    entry = obj["entry_point"]
    if not entry.isidentifier():
        raise BenchmarkError(f"{where}: 'entry_point' {entry!r} is not a Python identifier")
    if f"def {entry}" not in obj["prompt"]:
        raise BenchmarkError(f"{where}: 'prompt' does not contain `def {entry}`")
    err = _syntax(obj["test"], "exec")
    if err:
        raise BenchmarkError(f"{where}: 'test' is not valid Python: {err}")
    if not _defines_top_level(ast.parse(obj["test"]), "check"):
        raise BenchmarkError(f"{where}: 'test' must define `check(candidate)`")
    return BenchmarkItem(item_id=str(obj["task_id"]), prompt=obj["prompt"], entry_point=entry, test=obj["test"])


def _wrong_format_hint(obj: dict, mode: str) -> str:
    if mode != "codegen" and all(k in obj for k in HUMANEVAL_FIELDS):
        return " (this looks like a HumanEval line: use --mode codegen)"
    if mode == "codegen" and all(k in obj for k in CRUX_FIELDS[:3]):
        return " (this looks like a CRUXEval line: use --mode deduction or --mode abduction)"
    return ""


def load_benchmark(path: str | os.PathLike, mode: str, limit: int | None = None) -> Benchmark:
    """Read and validate a whole benchmark file (all lines, so errors surface before any model runs),
    then keep the first `limit` items."""
    if mode not in MODES:
        raise BenchmarkError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    if limit is not None and limit < 1:
        raise BenchmarkError(f"limit must be at least 1, got {limit}")
    file = Path(path)
    if not file.is_file():
        raise BenchmarkError(f"benchmark file {str(file)!r} does not exist")
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise BenchmarkError(f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    required = FIELDS[mode]
    items: list[BenchmarkItem] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        where = f"{file} line {n}"
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise BenchmarkError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(obj, dict):
            raise BenchmarkError(f"{where}: expected a JSON object, got {type(obj).__name__}")
        missing = [k for k in required if k not in obj]
        if missing:
            raise BenchmarkError(
                f"{where}: missing field{'s' if len(missing) > 1 else ''} {', '.join(repr(k) for k in missing)} "
                f"for mode {mode} (each line needs {', '.join(required)}){_wrong_format_hint(obj, mode)}"
            )
        for k in required:
            v = obj[k]
            if k in ("id", "task_id") and isinstance(v, int) and not isinstance(v, bool):
                continue
            if not isinstance(v, str):
                raise BenchmarkError(f"{where}: field {k!r} must be a string, got {type(v).__name__}")
        item = _check_humaneval(obj, where) if mode == "codegen" else _check_crux(obj, where)
        if item.item_id in seen:
            raise BenchmarkError(f"{where}: id {item.item_id!r} repeats line {seen[item.item_id]}")
        seen[item.item_id] = n
        items.append(BenchmarkItem(**{**item.__dict__, "line": n}))
    if not items:
        raise BenchmarkError(f"{file}: no benchmark items (the file is empty)")
    total = len(items)
    return Benchmark(name=benchmark_name(file), path=str(file), mode=mode,
                     items=items[:limit] if limit else items, total=total)
