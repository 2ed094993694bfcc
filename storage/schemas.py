"""The five history tables, in one place: a pydantic model per row (what the pipeline builds) and the pyarrow schema
each table is stored with (what Parquet files and the DuckDB views carry).

Every row has `run_id` and `iteration`; `RunStore.write_rows` fills both, so pipeline code may leave them out.
Task rows compute their own `program_hash`, `task_hash`, `ast_nodes` and `cyclomatic` when they are not given.
"""

from __future__ import annotations

import ast
import hashlib
import json
from datetime import datetime, timezone
from enum import Enum
from typing import Any, Optional

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

TASK_TYPES = ("deduction", "abduction", "induction")
ROLES = ("propose", "solve")
PURPOSES = ("train", "learnability", "holdout")
SOURCES = ("seed", "proposed")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# --------------------------------------------------------------------------- program measures

def _parse(program: str) -> ast.AST | None:
    try:
        return ast.parse(program)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def program_hash(program: str) -> str:
    """A 16-hex-digit hash of the program's syntax tree: formatting, comments and line numbers do not change it.
    A program that does not parse is hashed on its stripped text (prefixed, so it never collides with a tree)."""
    tree = _parse(program)
    if tree is None:
        return _digest("raw\x00" + program.strip())
    return _digest(ast.dump(tree, annotate_fields=False, include_attributes=False))


def _normalise_args(text: str) -> str:
    """An argument list such as `'a',  [1,2]` in a canonical spelling (its parsed call), else its stripped text."""
    try:
        return ast.dump(ast.parse(f"f({text})", mode="eval"), annotate_fields=False)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return "raw\x00" + text.strip()


def task_hash(program: str, input: str = "", inputs: list[str] | None = None) -> str:
    """Dedup key of a task: the normalised program plus its normalised input(s)."""
    parts = [program_hash(program), _normalise_args(input or "")]
    parts += [_normalise_args(i) for i in (inputs or [])]
    return _digest("\x00".join(parts))


def measures(program: str) -> tuple[str, int, int]:
    """(program_hash, ast_nodes, cyclomatic) with one parse."""
    tree = _parse(program)
    if tree is None:
        return program_hash(program), 0, 0
    nodes = list(ast.walk(tree))
    return (_digest(ast.dump(tree, annotate_fields=False, include_attributes=False)), len(nodes),
            _cyclomatic(nodes))


def ast_nodes(program: str) -> int:
    """Number of nodes in the program's syntax tree (0 when it does not parse)."""
    tree = _parse(program)
    return 0 if tree is None else sum(1 for _ in ast.walk(tree))


_BRANCHES = (ast.If, ast.IfExp, ast.For, ast.AsyncFor, ast.While, ast.ExceptHandler, ast.Assert, ast.comprehension)


def cyclomatic(program: str) -> int:
    """McCabe-style complexity: 1 + decision points (if/elif, loops, except, assert, ternaries, comprehension
    loops and their ifs, extra operands of and/or, match cases). 0 when the program does not parse."""
    tree = _parse(program)
    return 0 if tree is None else _cyclomatic(ast.walk(tree))


def _cyclomatic(nodes) -> int:
    n = 1
    match_case = getattr(ast, "match_case", None)
    for node in nodes:
        if isinstance(node, _BRANCHES):
            n += 1
            if isinstance(node, ast.comprehension):
                n += len(node.ifs)
        elif isinstance(node, ast.BoolOp):
            n += len(node.values) - 1
        elif match_case is not None and isinstance(node, match_case):
            n += 1
    return n


# --------------------------------------------------------------------------- row models

def _enum_value(v: Any) -> Any:
    return v.value if isinstance(v, Enum) else v


def _one_of(v: Any, allowed: tuple[str, ...], what: str) -> str:
    v = _enum_value(v)
    if v not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(allowed)}; got {v!r}")
    return v


class Row(BaseModel):
    model_config = ConfigDict(extra="forbid")

    run_id: str = ""
    iteration: int = Field(-1, description="Filled by RunStore.write_rows.")


class ProposalRow(Row):
    """Every proposer output, valid or not. `error` is the failure code (None when valid), `detail` the reason."""

    proposal_id: str
    task_type: str
    prompt: str = ""
    response: str = ""
    program: Optional[str] = None
    input: Optional[str] = None
    inputs: list[str] = Field(default_factory=list)
    message: Optional[str] = None
    parent_program: Optional[str] = None
    format_ok: bool = False
    valid: bool = False
    error: Optional[str] = None
    detail: Optional[str] = None
    task_id: Optional[str] = None
    solve_rate: Optional[float] = None
    reward: Optional[float] = None
    response_tokens: Optional[int] = None
    created_at: datetime = Field(default_factory=utcnow)

    @field_validator("task_type", mode="before")
    @classmethod
    def _type(cls, v):
        return _one_of(v, TASK_TYPES, "task_type")


class TaskRow(Row):
    """A valid task in a buffer. Hashes and complexity measures are computed from the program when left empty."""

    task_id: str
    task_type: str
    program: str
    input: str = ""
    output: str = ""
    inputs: list[str] = Field(default_factory=list)
    outputs: list[str] = Field(default_factory=list)
    message: str = ""
    parent_program: Optional[str] = None
    program_hash: str = ""
    task_hash: str = ""
    ast_nodes: int = -1
    cyclomatic: int = -1
    source: str = "proposed"
    created_at: datetime = Field(default_factory=utcnow)

    @field_validator("task_type", mode="before")
    @classmethod
    def _type(cls, v):
        return _one_of(v, TASK_TYPES, "task_type")

    @field_validator("source", mode="before")
    @classmethod
    def _source(cls, v):
        return _one_of(v, SOURCES, "source")

    @model_validator(mode="after")
    def _measures(self) -> "TaskRow":
        if not self.program_hash or self.ast_nodes < 0 or self.cyclomatic < 0:
            h, nodes, cyc = measures(self.program)
            self.program_hash = self.program_hash or h
            self.ast_nodes = nodes if self.ast_nodes < 0 else self.ast_nodes
            self.cyclomatic = cyc if self.cyclomatic < 0 else self.cyclomatic
        if not self.task_hash:
            self.task_hash = task_hash(self.program, self.input, self.inputs)
        return self


class RolloutRow(Row):
    """One generation. `purpose='learnability'` rollouts only estimate a proposal's solve rate (never trained)."""

    rollout_id: str
    role: str
    task_type: str
    task_id: Optional[str] = None
    purpose: str = "train"
    prompt: str = ""
    response: str = ""
    parsed_answer: Optional[str] = None
    format_ok: bool = False
    correct: Optional[bool] = None
    error: Optional[str] = None
    reward: Optional[float] = None
    advantage: Optional[float] = None
    prompt_tokens: Optional[int] = None
    response_tokens: Optional[int] = None
    finish_reason: Optional[str] = None
    trained: bool = False
    flagged: bool = False
    flag_phrases: list[str] = Field(default_factory=list)
    created_at: datetime = Field(default_factory=utcnow)

    @field_validator("task_type", mode="before")
    @classmethod
    def _type(cls, v):
        return _one_of(v, TASK_TYPES, "task_type")

    @field_validator("role", mode="before")
    @classmethod
    def _role(cls, v):
        return _one_of(v, ROLES, "role")

    @field_validator("purpose", mode="before")
    @classmethod
    def _purpose(cls, v):
        return _one_of(v, PURPOSES, "purpose")


class IterationRow(Row):
    """One per committed iteration. `step_seconds` and `metrics` are JSON text (dicts are encoded for you);
    query them with DuckDB's JSON functions, e.g. `metrics->>'solve/deduction'`."""

    status: str = "committed"
    started_at: Optional[datetime] = None
    finished_at: Optional[datetime] = None
    step_seconds: str = "{}"
    metrics: str = "{}"
    checkpoint: Optional[int] = None

    @field_validator("step_seconds", "metrics", mode="before")
    @classmethod
    def _json(cls, v):
        if isinstance(v, str):
            json.loads(v)  # must be valid JSON text
            return v
        return json.dumps(v if v is not None else {}, sort_keys=True, default=str)


class EvalRow(Row):
    """One scored answer of an evaluation benchmark."""

    benchmark: str
    mode: str
    model: str = ""
    item_id: str
    sample: int = 0
    prompt: str = ""
    response: str = ""
    answer: Optional[str] = None
    correct: bool = False
    error: Optional[str] = None
    created_at: datetime = Field(default_factory=utcnow)


# --------------------------------------------------------------------------- arrow schemas

_TS = pa.timestamp("us", tz="UTC")
_STRS = pa.list_(pa.string())
_KEYS = [pa.field("run_id", pa.string(), nullable=False), pa.field("iteration", pa.int64(), nullable=False)]


def _schema(*fields: tuple) -> pa.Schema:
    return pa.schema(_KEYS + [pa.field(*f) for f in fields])


PROPOSALS = _schema(
    ("proposal_id", pa.string()), ("task_type", pa.string()), ("prompt", pa.string()), ("response", pa.string()),
    ("program", pa.string()), ("input", pa.string()), ("inputs", _STRS), ("message", pa.string()),
    ("parent_program", pa.string()), ("format_ok", pa.bool_()), ("valid", pa.bool_()), ("error", pa.string()),
    ("detail", pa.string()), ("task_id", pa.string()), ("solve_rate", pa.float64()), ("reward", pa.float64()),
    ("response_tokens", pa.int64()), ("created_at", _TS),
)
TASKS = _schema(
    ("task_id", pa.string()), ("task_type", pa.string()), ("program", pa.string()), ("input", pa.string()),
    ("output", pa.string()), ("inputs", _STRS), ("outputs", _STRS), ("message", pa.string()),
    ("parent_program", pa.string()), ("program_hash", pa.string()), ("task_hash", pa.string()),
    ("ast_nodes", pa.int64()), ("cyclomatic", pa.int64()), ("source", pa.string()), ("created_at", _TS),
)
ROLLOUTS = _schema(
    ("rollout_id", pa.string()), ("role", pa.string()), ("task_type", pa.string()), ("task_id", pa.string()),
    ("purpose", pa.string()), ("prompt", pa.string()), ("response", pa.string()), ("parsed_answer", pa.string()),
    ("format_ok", pa.bool_()), ("correct", pa.bool_()), ("error", pa.string()), ("reward", pa.float64()),
    ("advantage", pa.float64()), ("prompt_tokens", pa.int64()), ("response_tokens", pa.int64()),
    ("finish_reason", pa.string()), ("trained", pa.bool_()), ("flagged", pa.bool_()), ("flag_phrases", _STRS),
    ("created_at", _TS),
)
ITERATIONS = _schema(
    ("status", pa.string()), ("started_at", _TS), ("finished_at", _TS), ("step_seconds", pa.string()),
    ("metrics", pa.string()), ("checkpoint", pa.int64()),
)
EVALS = _schema(
    ("benchmark", pa.string()), ("mode", pa.string()), ("model", pa.string()), ("item_id", pa.string()),
    ("sample", pa.int64()), ("prompt", pa.string()), ("response", pa.string()), ("answer", pa.string()),
    ("correct", pa.bool_()), ("error", pa.string()), ("created_at", _TS),
)

# table name -> (row model, arrow schema). The order is the order of the views in the catalog.
TABLES: dict[str, tuple[type[Row], pa.Schema]] = {
    "tasks": (TaskRow, TASKS),
    "proposals": (ProposalRow, PROPOSALS),
    "rollouts": (RolloutRow, ROLLOUTS),
    "iterations": (IterationRow, ITERATIONS),
    "evals": (EvalRow, EVALS),
    # Valid proposals held out of training (selfplay.holdout_fraction): same columns as tasks, never sampled.
    "heldout": (TaskRow, TASKS),
}

for _name, (_model, _schema_) in TABLES.items():  # the two descriptions must never drift apart
    assert list(_model.model_fields) == _schema_.names, _name


def row_model(table: str) -> type[Row]:
    return _lookup(table)[0]


def arrow_schema(table: str) -> pa.Schema:
    return _lookup(table)[1]


def _lookup(table: str):
    try:
        return TABLES[table]
    except KeyError:
        raise ValueError(f"unknown table {table!r}; tables are {', '.join(TABLES)}") from None


def schema_fingerprint(schema: pa.Schema) -> str:
    """A short digest of column names and types: files with the current table's fingerprint can be read together
    without reconciling their schemas (DuckDB's union_by_name, which reads every file's footer)."""
    return _digest(", ".join(f"{f.name} {_type_name(f.type)}" for f in schema))


def _type_name(t: pa.DataType) -> str:
    # a list's item field is named 'item' in memory and 'element' when read back from Parquet: the same column
    return f"list<{_type_name(t.value_type)}>" if pa.types.is_list(t) else str(t)


_DUCK_TYPES = {
    pa.string(): "VARCHAR", pa.int64(): "BIGINT", pa.float64(): "DOUBLE", pa.bool_(): "BOOLEAN",
    _TS: "TIMESTAMP WITH TIME ZONE", _STRS: "VARCHAR[]",
}


def duckdb_columns(table: str) -> list[tuple[str, str]]:
    """(column, DuckDB type) pairs, for typed empty views and the README."""
    return [(f.name, _DUCK_TYPES[f.type]) for f in arrow_schema(table)]


# --------------------------------------------------------------------------- Task <-> TaskRow

def task_to_row(task, *, iteration: int = -1, run_id: str = "", source: str = "proposed",
                parent_program: str | None = None, created_at: datetime | None = None) -> TaskRow:
    """A TaskRow for an `azr.task_types.Task` (measures and hashes computed here)."""
    extra = {"created_at": created_at} if created_at is not None else {}
    return TaskRow(
        run_id=run_id, iteration=iteration, task_id=task.task_id, task_type=_enum_value(task.task_type),
        program=task.program, input=task.input, output=task.output, inputs=list(task.inputs),
        outputs=list(task.outputs), message=task.message, parent_program=parent_program, source=source, **extra,
    )


def row_to_task(row: TaskRow | dict):
    """The `azr.task_types.Task` a stored task row describes."""
    from azr.task_types import Task, TaskType

    d = row.model_dump() if isinstance(row, BaseModel) else row
    return Task(
        task_type=TaskType(d["task_type"]), program=d["program"], input=d.get("input") or "",
        output=d.get("output") or "", inputs=list(d.get("inputs") or []), outputs=list(d.get("outputs") or []),
        message=d.get("message") or "", task_id=d.get("task_id") or "",
    )
