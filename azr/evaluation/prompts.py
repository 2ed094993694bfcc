"""Evaluation prompts and answer extraction.

Deduction and abduction reuse the training solver prompt (`azr.prompts.solve_prompt`) and the training answer
parser (`azr.parsing.parse_solution`), so an eval score measures exactly the skill that self-play trains.
Code generation has no training counterpart; its prompt asks for the completed function in the same
<think>/<answer> wrapper and a ```python block.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass
from typing import Any

from azr.evaluation.benchmarks import BenchmarkItem
from azr.parsing import FormatError, blocks, parse_solution, split_response
from azr.prompts import Prompt, fence, solve_prompt
from azr.task_types import Role, Task, TaskType


def codegen_prompt(item: BenchmarkItem) -> Prompt:
    user = (
        "Finish the Python function below. Its signature and docstring say what it must do; hidden unit tests "
        f"will call `{item.entry_point}` to check it.\n"
        f"{fence('python', item.prompt)}\n\n"
        "Put the whole finished function (its signature, any imports or helpers it needs, and the body) inside "
        f"<answer> </answer>, in one block:\n{fence('python', 'the complete function')}"
    )
    # Prompt only uses the role/type as labels; code writing is closest to the induction solver.
    return Prompt(Role.SOLVE, TaskType.INDUCTION, user)


def item_task(item: BenchmarkItem, mode: str) -> Task:
    return Task(task_type=TaskType(mode), program=item.program, input=item.input, output=item.output,
                task_id=item.item_id)


def build_prompt(item: BenchmarkItem, mode: str, style: str = "r1", tokenizer: Any = None) -> str:
    """The full prompt text for one item, rendered in the training prompt style ('r1' or 'chat')."""
    if mode == "codegen":
        prompt = codegen_prompt(item)
    else:
        prompt = solve_prompt(item_task(item, mode))
    return prompt.render(style, tokenizer)


@dataclass(frozen=True)
class Extracted:
    """What a response answered: `answer` is the payload text (None on a format error, then `error` says why).
    For codegen, `program` is the runnable program built from the benchmark prompt and the answer."""

    answer: str | None
    error: str | None = None
    program: str = ""


def _defines(code: str, name: str) -> bool:
    return re.search(rf"^\s*(?:async\s+)?def\s+{re.escape(name)}\s*\(", code, re.MULTILINE) is not None


def complete_program(item: BenchmarkItem, code: str) -> str:
    """Join the benchmark prompt and the model's code into one program.

    A full definition goes after the prompt: the prompt's own imports and helpers stay defined, and the later
    definition of the entry point replaces the docstring-only one. A bare body is indented under the prompt.
    """
    if _defines(code, item.entry_point):
        head = item.prompt.rstrip()
        try:
            ast.parse(head)
        except SyntaxError:  # a signature without a docstring has no body yet
            head += "\n    pass"
        return f"{head}\n\n\n{code.rstrip()}\n"
    body = textwrap.dedent(code).strip("\n")
    return item.prompt.rstrip() + "\n" + textwrap.indent(body, "    ") + "\n"


def extract_answer(text: str, mode: str, item: BenchmarkItem | None = None) -> Extracted:
    """The payload of a response, parsed by the training rules. Never raises: format problems become `error`."""
    if mode in ("deduction", "abduction"):
        try:
            return Extracted(answer=parse_solution(text, TaskType(mode)))
        except FormatError as exc:
            return Extracted(answer=None, error=str(exc))
    if mode != "codegen":
        raise ValueError(f"unknown mode {mode!r}")
    if item is None:
        raise ValueError("codegen extraction needs the benchmark item (its prompt and entry point)")
    try:
        answer = split_response(text).answer
    except FormatError as exc:
        return Extracted(answer=None, error=str(exc))
    found = [b for b in blocks(answer, "python") if b] or [b for b in blocks(answer, "py") if b]
    if found:
        code = found[-1]
    elif "```" in answer:
        return Extracted(answer=None, error="the answer has fenced blocks but no non-empty ```python block")
    else:
        code = answer
    return Extracted(answer=code, program=complete_program(item, code))
