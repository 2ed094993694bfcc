"""Reading model text as Python literals, and comparing values strictly.

Model text (inputs, answers, outputs) is only ever *parsed* here, never executed: `ast.parse` plus
`ast.literal_eval` on the tree, with a cap on the raw text size (checked before any stripping, so padding does not
get around it) and on container nesting.

Equality is strict on types (`same_value`): `1`, `1.0` and `True` are three different answers, and so are `[1]` and
`(1,)`, at every level of nesting, dict keys and set members included. A deduction task asks for *the* output of a
program, and `True` is not what `return 1` returns. Floats compare by value (`0.0 == -0.0`); NaN and infinities
never appear because they have no literal form. Values that are not built-in literals cannot be compared at all,
which is what defeats answers carrying an always-equal `__eq__`.
"""

from __future__ import annotations

import ast
import math
import re
import warnings
from typing import Any


class SandboxError(ValueError):
    """A job, input or answer that cannot be used; `code` is one of the stable error codes."""

    def __init__(self, message: str, code: str = "bad_input") -> None:
        super().__init__(message)
        self.code = code


_CONTAINER_NODES = (ast.List, ast.Tuple, ast.Set, ast.Dict)
_ADDRESS = re.compile(r" object at 0x[0-9a-fA-F]+")


def _check_depth(node: ast.AST, max_depth: int, what: str, text: str | None = None) -> None:
    if text is not None and text.count("[") + text.count("(") + text.count("{") < max_depth:
        return  # cannot nest deeper than the brackets it has (the common case: skip the walk)
    stack: list[tuple[ast.AST, int]] = [(node, 0)]
    while stack:
        cur, depth = stack.pop()
        if isinstance(cur, _CONTAINER_NODES):
            depth += 1
            if depth > max_depth:
                raise SandboxError(f"{what} nests deeper than {max_depth} levels")
        for child in ast.iter_child_nodes(cur):
            stack.append((child, depth))


def _literal(node: ast.AST, what: str) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError) as exc:
        # No heap addresses ("<ast.Call object at 0x7f...>"): the same text must always get the same detail.
        msg = _ADDRESS.sub("", str(exc))
        raise SandboxError(f"{what} is not a Python literal ({type(exc).__name__}: {msg})"[:300]) from None


def _parse(text: str, what: str) -> ast.Expression:
    # Warnings off: "'\d'" or "1if 1 else 2" must get the same verdict under `-W error` as without, and model
    # text must not print SyntaxWarnings into the caller's stderr.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise SandboxError(f"{what} is not valid Python literal syntax: {exc.msg}") from None
    except (ValueError, MemoryError, RecursionError) as exc:
        raise SandboxError(f"{what} cannot be parsed ({type(exc).__name__})") from None


def _cap(text: Any, max_chars: int, what: str) -> str:
    if not isinstance(text, str):
        raise SandboxError(f"{what} must be a string, got {type(text).__name__}")
    if len(text) > max_chars:
        raise SandboxError(f"{what} has {len(text)} characters, limit {max_chars}")
    return text


def _check_finite(value: Any, what: str) -> None:
    """`1e400` parses to inf, which no repr round-trips and which equals every other overflowing float; refuse it."""
    stack = [value]
    while stack:
        v = stack.pop()
        t = type(v)
        if t is float:
            if not math.isfinite(v):
                raise SandboxError(f"{what} contains {v!r}, which has no literal form")
        elif t is complex:
            if not (math.isfinite(v.real) and math.isfinite(v.imag)):
                raise SandboxError(f"{what} contains {v!r}, which has no literal form")
        elif t is dict:
            stack.extend(v)
            stack.extend(v.values())
        elif t in (list, tuple, set, frozenset):
            stack.extend(v)


def parse_literal(text: str, max_chars: int = 10_000, max_depth: int = 32, what: str = "value") -> Any:
    """One Python literal (`ast.literal_eval` semantics) from size-capped text, or SandboxError. Values with no
    literal form (inf, nan) are refused too."""
    _cap(text, max_chars, what)
    tree = _parse(text.strip(), what)
    _check_depth(tree.body, max_depth, what, text)
    value = _literal(tree.body, what)
    _check_finite(value, what)
    return value


def parse_args(text: str, max_chars: int = 10_000, max_depth: int = 32, what: str = "argument list") -> tuple:
    """A call's positional arguments, written as in source: "'John', {'age': 20}" -> ('John', {'age': 20}).

    The text is wrapped as `f(<text>\\n)` and parsed, never run; the result must be exactly one call of that `f` with
    only literal positional arguments, so text that closes the parenthesis early ("1) or True or (0") or adds
    keywords, starred arguments or further expressions is rejected.
    """
    _cap(text, max_chars, what)
    tree = _parse("f(" + text + "\n)", what)
    call = tree.body
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "f"
            and call.func.lineno == 1 and call.func.col_offset == 0):
        raise SandboxError(f"{what} is not a plain list of arguments")
    if call.keywords:
        raise SandboxError(f"{what} uses keyword arguments; only positional literals are allowed")
    shallow = text.count("[") + text.count("(") + text.count("{") < max_depth
    for arg in call.args:
        if isinstance(arg, ast.Starred):
            raise SandboxError(f"{what} uses *unpacking; only positional literals are allowed")
        if not shallow:
            _check_depth(arg, max_depth, what)
    return tuple(_literal(arg, what) for arg in call.args)


# --------------------------------------------------------------------------- strict comparison

def canonical(value: Any) -> Any:
    """A hashable form that keeps the exact type at every level, so `==` on it is strict equality."""
    t = type(value)
    if t is list or t is tuple:
        return (t.__name__, tuple(canonical(v) for v in value))
    if t is dict:
        return ("dict", frozenset((canonical(k), canonical(v)) for k, v in value.items()))
    if t is set or t is frozenset:
        return (t.__name__, frozenset(canonical(v) for v in value))
    if t in (int, float, complex, str, bytes, bool, type(None)):
        return (t.__name__, value)
    raise SandboxError(f"a {t.__name__} is not a literal value", code="output_not_literal")


def same_value(a: Any, b: Any) -> bool:
    """Strict equality of two literal values (see the module docstring for the rules)."""
    return canonical(a) == canonical(b)
