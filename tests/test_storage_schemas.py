"""The row schemas and task helpers: what a stored task row holds and how it maps to azr.task_types.Task."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from azr.task_types import Task, TaskType, seed_task
from storage.schemas import (TABLES, IterationRow, ProposalRow, RolloutRow, TaskRow, arrow_schema, ast_nodes,
                             cyclomatic, duckdb_columns, program_hash, row_to_task, task_hash, task_to_row)


def test_program_hash_ignores_formatting_and_comments():
    a = "def f(x):\n    return x+1"
    b = "def f( x ):  # add one\n\n    return (x + 1)\n"
    assert program_hash(a) == program_hash(b)
    assert len(program_hash(a)) == 16


def test_program_hash_tells_different_programs_apart():
    assert program_hash("def f(x):\n    return x+1") != program_hash("def f(x):\n    return x+2")
    assert program_hash("def f(y):\n    return y+1") != program_hash("def f(x):\n    return x+1")


def test_unparsable_programs_still_hash_and_measure_zero():
    bad = "def f(:\n  return"
    assert program_hash(bad) == program_hash("  " + bad + "\n")
    assert ast_nodes(bad) == 0 and cyclomatic(bad) == 0


def test_task_hash_normalises_inputs_but_keeps_values():
    p = "def f(a, b):\n    return a"
    assert task_hash(p, "'x',[1,2]") == task_hash(p, "'x', [1, 2]")
    assert task_hash(p, "'x', [1, 2]") != task_hash(p, "'x', [1, 3]")
    assert task_hash(p, inputs=["1", "2"]) != task_hash(p, inputs=["2", "1"])


def test_complexity_measures():
    straight = "def f(a):\n    return a"
    branchy = ("def f(a):\n    if a > 1 and a < 5:\n        return [x for x in range(a) if x % 2]\n"
               "    for i in range(3):\n        a += i\n    return a if a else -1")
    assert ast_nodes(straight) == 7
    assert cyclomatic(straight) == 1
    # if (+1), `and` (+1), comprehension (+1) and its if (+1), for (+1), ternary (+1)
    assert cyclomatic(branchy) == 7
    assert ast_nodes(branchy) > ast_nodes(straight)


def test_task_row_round_trips_every_task_type():
    for t in TaskType:
        task = seed_task(t)
        row = task_to_row(task, iteration=0, source="seed")
        assert row.program_hash == program_hash(task.program)
        assert row.ast_nodes > 0 and row.cyclomatic == 1
        assert row_to_task(row) == task
        assert row_to_task(row.model_dump()) == task


def test_rows_reject_unknown_values_and_columns():
    with pytest.raises(ValidationError, match="task_type"):
        TaskRow(task_id="t", task_type="translation", program="def f(): pass")
    with pytest.raises(ValidationError, match="role"):
        RolloutRow(rollout_id="r", role="judge", task_type="deduction")
    with pytest.raises(ValidationError, match="extra"):
        ProposalRow(proposal_id="p", task_type="deduction", colour="red")


def test_enum_values_are_accepted_and_stored_as_text():
    row = RolloutRow(rollout_id="r", role="solve", task_type=TaskType.ABDUCTION)
    assert row.task_type == "abduction"


def test_iteration_row_encodes_dicts_as_json_text():
    row = IterationRow(step_seconds={"propose": 1.5}, metrics={"acc": 0.25})
    assert json.loads(row.step_seconds) == {"propose": 1.5}
    with pytest.raises(ValidationError):
        IterationRow(metrics="{not json")


def test_models_and_arrow_schemas_list_the_same_columns():
    for name, (model, schema) in TABLES.items():
        assert list(model.model_fields) == schema.names
        assert schema.names[:2] == ["run_id", "iteration"]
        assert [c for c, _ in duckdb_columns(name)] == schema.names
    assert set(TABLES) == {"tasks", "proposals", "rollouts", "iterations", "evals", "heldout"}
    assert str(arrow_schema("rollouts").field("flag_phrases").type) == "list<item: string>"


def test_task_objects_compare_after_storage():
    task = Task(task_type=TaskType.DEDUCTION, program="def f(a):\n    return a * 2", input="3", output="6",
                task_id="t1")
    assert row_to_task(task_to_row(task).model_dump()) == task
