"""The three AZR task types, what a task holds, and the zero seed."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field


class TaskType(str, Enum):
    DEDUCTION = "deduction"  # given program and input, predict the output
    ABDUCTION = "abduction"  # given program and output, find an input
    INDUCTION = "induction"  # given input/output pairs and a message, write the program


class Role(str, Enum):
    PROPOSE = "propose"
    SOLVE = "solve"


# The six TRR++ groups, in a fixed order used everywhere (logs, tables, plots).
GROUPS: tuple[tuple[TaskType, Role], ...] = tuple((t, r) for t in TaskType for r in Role)


def group_key(task_type: TaskType | str, role: Role | str) -> str:
    return f"{TaskType(task_type).value}/{Role(role).value}"


class Task(BaseModel):
    """A validated task. Inputs are argument lists written as Python literals ("'a', [1, 2]"), outputs are
    the repr of the value the program returned; both are text so they store and display losslessly."""

    model_config = ConfigDict(frozen=True)

    task_type: TaskType
    program: str
    input: str = ""  # deduction / abduction
    output: str = ""  # deduction / abduction
    inputs: list[str] = Field(default_factory=list)  # induction: all N
    outputs: list[str] = Field(default_factory=list)  # induction: all N
    message: str = ""  # induction
    task_id: str = ""

    def shown_pairs(self, shown: int) -> list[tuple[str, str]]:
        return list(zip(self.inputs, self.outputs))[:shown]

    def hidden_pairs(self, shown: int) -> list[tuple[str, str]]:
        return list(zip(self.inputs, self.outputs))[shown:]


SEED_PROGRAM = "def f(a):\n    return a"
SEED_INPUT = "'Hello World'"
SEED_OUTPUT = "'Hello World'"


def seed_task(task_type: TaskType) -> Task:
    """The zero seed: the identity program. Induction gets a few inputs so its shown/hidden split works."""
    if task_type is TaskType.INDUCTION:
        inputs = ["'Hello World'", "42", "[1, 2, 3]", "{'a': 1}", "(True, None)", "''", "3.5", "'xyz'",
                  "[[1], [2]]", "-7"]
        return Task(task_type=task_type, program=SEED_PROGRAM, inputs=inputs, outputs=list(inputs),
                    message="The function hands back exactly what it is given.", task_id="seed-induction")
    return Task(task_type=task_type, program=SEED_PROGRAM, input=SEED_INPUT, output=SEED_OUTPUT,
                task_id=f"seed-{task_type.value}")
