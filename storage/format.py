"""Render a query result (an arrow table) as a readable box table, CSV, or JSON."""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pyarrow as pa


def _jsonable(v: Any) -> Any:
    if isinstance(v, (datetime, date, time)):
        return v.isoformat()
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, float) and not math.isfinite(v):
        return None if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    if isinstance(v, bytes):
        return v.hex()
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return v


def _number(v: float) -> str:
    if v != v or v in (math.inf, -math.inf):
        return str(v)
    if v != 0 and (abs(v) >= 1e9 or abs(v) < 1e-4):
        return f"{v:.4g}"
    return f"{round(v, 4):.4f}".rstrip("0").rstrip(".") if v != int(v) else f"{v:.1f}"


def _cell(v: Any) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return _number(v)
    if isinstance(v, datetime):
        return v.isoformat(sep=" ", timespec="seconds")
    if isinstance(v, (list, tuple, dict)):
        return json.dumps(_jsonable(v), ensure_ascii=False)
    return str(v)


def _clip(s: str, width: int) -> str:
    s = s.replace("\r", "").replace("\n", "⏎").replace("\t", " ")
    return s if width <= 0 or len(s) <= width else s[: max(width - 1, 1)] + "…"


def _type_name(t: pa.DataType) -> str:
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return _type_name(t.value_type) + "[]"
    names = {"string": "varchar", "large_string": "varchar", "int64": "bigint", "int32": "integer",
             "double": "double", "bool": "boolean", "float": "float", "int16": "smallint", "int8": "tinyint"}
    s = str(t)
    if s.startswith("timestamp"):
        return "timestamp"
    return names.get(s, s)


def _numeric(t: pa.DataType) -> bool:
    return pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)


def render_table(table: pa.Table, max_width: int = 60) -> str:
    names = table.column_names
    if not names:
        return "(no result)\n"
    rows = [[_clip(_cell(v), max_width) for v in r.values()] for r in table.to_pylist()] if table.num_rows else []
    types = [_type_name(f.type) for f in table.schema]
    right = [_numeric(f.type) for f in table.schema]
    widths = [max([len(n), len(t)] + [len(r[i]) for r in rows]) for i, (n, t) in enumerate(zip(names, types))]

    def line(left: str, mid: str, end: str) -> str:
        return left + mid.join("─" * (w + 2) for w in widths) + end

    def cells(values: list[str], align: list[bool]) -> str:
        return "│" + "│".join(f" {v.rjust(w) if a else v.ljust(w)} " for v, w, a in zip(values, widths, align)) + "│"

    out = [line("┌", "┬", "┐"), cells(names, [False] * len(names)), cells(types, [False] * len(names)),
           line("├", "┼", "┤")]
    out += [cells(r, right) for r in rows]
    out.append(line("└", "┴", "┘"))
    n = table.num_rows
    out.append(f"{n} row{'s' * (n != 1)}")
    return "\n".join(out) + "\n"


def render_csv(table: pa.Table) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(table.column_names)
    for r in table.to_pylist():
        w.writerow(["" if v is None else ("true" if v is True else "false" if v is False else
                                          json.dumps(_jsonable(v), ensure_ascii=False)
                                          if isinstance(v, (list, dict, tuple)) else _jsonable(v))
                    for v in r.values()])
    return buf.getvalue()


def render_json(table: pa.Table) -> str:
    rows = [json.dumps({k: _jsonable(v) for k, v in r.items()}, ensure_ascii=False) for r in table.to_pylist()]
    return "[\n" + ",\n".join(rows) + "\n]\n" if rows else "[]\n"


def render(table: pa.Table, fmt: str = "table", max_width: int = 60) -> str:
    if fmt == "table":
        return render_table(table, max_width)
    if fmt == "csv":
        return render_csv(table)
    if fmt == "json":
        return render_json(table)
    raise ValueError(f"unknown format {fmt!r}; use table, csv or json")
