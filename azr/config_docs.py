"""What every configuration setting means, read from the pydantic models in azr/config.py.

One source for three views: the Prefect form (the fields' `title`/`description` in the flow's JSON schema),
`azr config show --describe` (`describe_lines`) and the README's configuration table (`markdown_table`, printed
by `azr config docs`). Pure functions over the model classes; nothing here knows a setting by name.
"""

from __future__ import annotations

import re
import textwrap
import types
from collections.abc import Iterator
from dataclasses import dataclass
from functools import reduce
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from azr.config import AZRConfig

README_BEGIN, README_END = "<!-- config-table:begin -->", "<!-- config-table:end -->"
_WORDS = {int: "integer", float: "number", bool: "true/false", str: "text", type(None): "empty"}


@dataclass(frozen=True)
class FieldDoc:
    """One setting (kind 'field') or one section heading (kind 'section'), in model order."""

    key: str  # dotted: "rollout.temperature"; fields of list items as "eval.benchmarks[].path"
    kind: Literal["section", "field"]
    title: str | None
    type: str
    default: Any  # PydanticUndefined when required
    description: str | None


def _model_in(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """(model, is_list) when the annotation is a model or a list of models, else (None, False)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    if get_origin(annotation) is list:
        inner = get_args(annotation)[0]
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return inner, True
    return None, False


def type_words(annotation: Any) -> str:
    """A type as a person says it: 'number', 'text or empty', 'list of text', 'auto/cpu'."""
    origin = get_origin(annotation)
    if origin is Literal:
        return "/".join(str(a) for a in get_args(annotation))
    if origin in (Union, types.UnionType):
        return " or ".join(type_words(a) for a in get_args(annotation))
    model, is_list = _model_in(annotation)
    if model is not None:
        inner = "{" + ", ".join(model.model_fields) + "}"
        return f"list of {inner}" if is_list else inner
    if origin is list:
        return f"list of {type_words(get_args(annotation)[0])}"
    return _WORDS.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _walk(model: type[BaseModel], prefix: str = "") -> Iterator[FieldDoc]:
    for name, f in model.model_fields.items():
        key = f"{prefix}{name}"
        sub, is_list = _model_in(f.annotation)
        default = f.get_default(call_default_factory=True) if not f.is_required() else PydanticUndefined
        if sub is not None and not is_list:
            yield FieldDoc(key, "section", f.title, type_words(f.annotation), None, f.description)
            yield from _walk(sub, key + ".")
            continue
        yield FieldDoc(key, "field", f.title, type_words(f.annotation), default, f.description)
        if sub is not None:
            yield from _walk(sub, key + "[].")


def field_docs(model: type[BaseModel] = AZRConfig) -> list[FieldDoc]:
    """Every section and setting of `model`, depth first in declaration order (list items included)."""
    return list(_walk(model))


def undocumented(model: type[BaseModel] = AZRConfig) -> list[str]:
    """What lacks documentation: models without a docstring, fields without an explicit title or description."""
    problems, seen, todo = [], set(), [model]
    while todo:
        m = todo.pop(0)
        if m in seen:
            continue
        seen.add(m)
        if not (m.__dict__.get("__doc__") or "").strip():
            problems.append(f"{m.__name__}: no docstring")
        for name, f in m.model_fields.items():
            if not (f.title or "").strip():
                problems.append(f"{m.__name__}.{name}: no title")
            if not (f.description or "").strip():
                problems.append(f"{m.__name__}.{name}: no description")
            sub, _ = _model_in(f.annotation)
            if sub is not None:
                todo.append(sub)
    return problems


def compact(value: Any, limit: int = 40) -> str:
    """A value as short YAML-like text: null, true, "", [a, b, … 19 in all], {path: x, mode: y}."""
    if value is PydanticUndefined:
        return "required"
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, str):
        return value if value else '""'
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {compact(v, limit)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        parts: list[str] = []
        for v in value:
            if parts and len(", ".join(parts + [compact(v, limit)])) > limit:
                return "[" + ", ".join(parts) + f", … {len(value)} in all]"
            parts.append(compact(v, limit))
        return "[" + ", ".join(parts) + "]"
    return repr(value)


def _md(text: str) -> str:
    """Table-cell safe markdown: pipes escaped, and '<' outside code spans so GitHub does not eat '<home>'."""
    pieces = (text or "").replace("|", "\\|").split("`")
    return "`".join(p if i % 2 else p.replace("<", "&lt;") for i, p in enumerate(pieces))


def markdown_table(model: type[BaseModel] = AZRConfig) -> str:
    """The README's configuration table: a bold row per section, then one row per setting."""
    rows = ["| key | default | what it does |", "|---|---|---|"]
    for d in field_docs(model):
        if d.kind == "section":
            rows.append(f"| **`{d.key}`** | | **{_md(d.title)}**: {_md(d.description)} |")
        else:
            default = compact(d.default).replace("|", "\\|")
            rows.append(f"| `{d.key}` | `{default}` | **{_md(d.title)}.** {_md(d.description)} |")
    return "\n".join(rows) + "\n"


def describe_lines(cfg: BaseModel, width: int = 100) -> list[str]:
    """`azr config show --describe`: each section, then every key = its value in `cfg`, with its description."""
    lines: list[str] = []
    for d in field_docs(type(cfg)):
        depth = d.key.count(".")
        if d.kind == "section":
            lines += [""] + textwrap.wrap(f"[{d.key}] {d.title}: {d.description}", width=width,
                                          initial_indent="  " * depth, subsequent_indent="  " * depth + "    ")
            continue
        value = "(in each list item)" if "[]" in d.key else compact(reduce(getattr, d.key.split("."), cfg), limit=60)
        lines.append(f"  {d.key} = {value}    ({d.title})")
        lines += textwrap.wrap(re.sub(r"\s+", " ", d.description or ""), width=width,
                               initial_indent="      ", subsequent_indent="      ")
    return lines[1:] if lines and not lines[0] else lines
