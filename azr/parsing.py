"""Reading model responses: the <think>/<answer> structure and the fenced payload blocks inside the answer.

Rules (documented in the README):
- The response must be `<think> … </think>` followed by `<answer> … </answer>`. The opening <think> may be
  missing because the prompt already ends with it. Text after </answer> is ignored.
- Only blocks inside <answer> count. When a kind appears several times, the last block wins (a model that
  corrects itself writes the correction last), except induction inputs, where the first N are taken in order.
- A solver answer without its fenced block falls back to the whole answer text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from azr.task_types import TaskType

_FENCE = re.compile(r"```[ \t]*([A-Za-z]*)[ \t]*\n(.*?)```", re.DOTALL)


class FormatError(ValueError):
    """The response does not follow the required format; the message says what is missing."""


@dataclass(frozen=True)
class Structured:
    think: str
    answer: str


def split_response(text: str) -> Structured:
    body = text.lstrip()
    if body.startswith("<think>"):
        body = body[len("<think>"):]
    close = body.find("</think>")
    if close < 0:
        raise FormatError("missing </think>: reasoning must end with </think> before the <answer>")
    think, rest = body[:close], body[close + len("</think>"):]
    if "<think>" in think:
        raise FormatError("a second <think> opens before the first one closed")
    rest = rest.lstrip()
    if not rest.startswith("<answer>"):
        if "<answer>" in rest:
            raise FormatError("unexpected text between </think> and <answer>")
        raise FormatError("missing <answer> after </think>")
    end = rest.find("</answer>")
    if end < 0:
        raise FormatError("missing </answer>: the answer is not closed")
    answer = rest[len("<answer>"):end]
    if not answer.strip():
        raise FormatError("empty <answer>")
    return Structured(think=think.strip(), answer=answer.strip())


def blocks(answer: str, kind: str) -> list[str]:
    """Bodies of the ```kind blocks in order (kind compared case-insensitively), stripped."""
    return [m.group(2).strip() for m in _FENCE.finditer(answer) if m.group(1).lower() == kind]


def _last(answer: str, kind: str) -> str | None:
    found = [b for b in blocks(answer, kind) if b]
    return found[-1] if found else None


@dataclass(frozen=True)
class Proposal:
    task_type: TaskType
    program: str = ""
    input: str = ""
    inputs: list[str] = field(default_factory=list)
    message: str = ""


def parse_proposal(text: str, task_type: TaskType, n_inputs: int = 10) -> Proposal:
    """Deduction/abduction: a ```python program and an ```input. Induction: N ```input blocks and a ```message."""
    answer = split_response(text).answer
    task_type = TaskType(task_type)
    if task_type is TaskType.INDUCTION:
        inputs = [b for b in blocks(answer, "input") if b]
        if len(inputs) < n_inputs:
            raise FormatError(f"expected {n_inputs} non-empty ```input blocks, found {len(inputs)}")
        message = _last(answer, "message")
        if message is None:
            raise FormatError("missing ```message block")
        return Proposal(task_type, inputs=inputs[:n_inputs], message=message)
    program = _last(answer, "python")
    if program is None:
        raise FormatError("missing ```python block with the program")
    inp = _last(answer, "input")
    if inp is None:
        raise FormatError("missing ```input block with the arguments")
    return Proposal(task_type, program=program, input=inp)


_SOLVER_BLOCK = {TaskType.DEDUCTION: "output", TaskType.ABDUCTION: "input", TaskType.INDUCTION: "python"}


def parse_solution(text: str, task_type: TaskType) -> str:
    """The solver's payload: an output literal, an argument list, or a program. Raises FormatError."""
    answer = split_response(text).answer
    kind = _SOLVER_BLOCK[TaskType(task_type)]
    found = _last(answer, kind)
    if found is not None:
        return found
    if "```" in answer:
        raise FormatError(f"the answer has fenced blocks but no non-empty ```{kind} block")
    return answer
