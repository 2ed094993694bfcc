"""Prompt builders for the six roles (propose/solve × deduction/abduction/induction).

Written in our own words; each carries the requirements of the paper's prompts: an entry function `f`,
deterministic self-contained code, no banned modules, inputs as literal argument lists, the answer inside
<answer> with fenced payload blocks, and K reference tasks drawn from the buffer to encourage new, harder tasks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Sequence

from azr.task_types import Role, Task, TaskType

PromptStyle = Literal["r1", "chat"]

SYSTEM = (
    "You are a careful Python reasoner. First reason step by step inside <think> </think>, then give the "
    "final result inside <answer> </answer>. Put code and values inside the fenced blocks the task asks for."
)

R1_TEMPLATE = (
    "A dialogue between a User and an Assistant. The Assistant works the problem out privately before "
    "replying: its reasoning goes between <think> and </think>, and its reply goes between <answer> and "
    "</answer>, like this: <think> reasoning here </think> <answer> reply here </answer>.\n"
    "User: {user}\n"
    "Assistant: <think>"
)


def fence(kind: str, body: str) -> str:
    return f"```{kind}\n{body.strip()}\n```"


PROGRAM_PLACEHOLDER = "```python\ndef f(...):\n    ...\n```"


@dataclass(frozen=True)
class Prompt:
    role: Role
    task_type: TaskType
    user: str

    def render(self, style: PromptStyle = "r1", tokenizer: Any = None) -> str:
        """Final prompt text. Both styles end with an opened <think>, so every response starts inside it."""
        if style == "r1":
            return R1_TEMPLATE.format(user=self.user)
        if tokenizer is None or not getattr(tokenizer, "chat_template", None):
            raise ValueError("prompt_style 'chat' needs a tokenizer with a chat template; use prompt_style 'r1'")
        messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": self.user}]
        text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        return text + "<think>"


def _rules(banned: Sequence[str]) -> str:
    return (
        "Rules for the program:\n"
        "- Name the entry function `f`. Helper functions and classes are allowed, but `f` is what gets called.\n"
        "- It must be deterministic and self-contained: the same input always gives the same output; no "
        "randomness, clock, files, network, user input or printing as the result.\n"
        "- `f` must return a value that can be written as a Python literal (numbers, strings, lists, tuples, "
        "dicts, sets, booleans, None).\n"
        f"- Do not import or use these modules: {', '.join(banned)}.\n"
        "- Write inputs as the arguments of one call, as Python literals separated by commas: "
        "`'John', {'age': 20}` means `f('John', {'age': 20})`.\n"
    )


def _reference_block(refs: Sequence[Task]) -> str:
    if not refs:
        return ""
    parts = ["Earlier tasks, for reference (write something different from all of them):"]
    for i, t in enumerate(refs, 1):
        parts.append(f"Reference {i}:\n{fence('python', t.program)}\n{fence('input', t.input)}\n"
                     f"{fence('output', t.output)}")
    return "\n\n".join(parts) + "\n\n"


def propose_prompt(task_type: TaskType, references: Sequence[Task], banned: Sequence[str],
                   program: Task | None = None, n_inputs: int = 10) -> Prompt:
    """The proposer writes a new task of `task_type`; induction instead writes inputs for a given program."""
    task_type = TaskType(task_type)
    if task_type is TaskType.INDUCTION:
        if program is None:
            raise ValueError("an induction proposal needs a program from the deduction or abduction buffer")
        user = (
            "Here is a Python function:\n"
            f"{fence('python', program.program)}\n\n"
            f"Write {n_inputs} different inputs for `f` that together reveal what it does, and a short message "
            "that hints at its behaviour without giving the code away. Another model will see the message and "
            f"some of the input/output pairs and must rewrite `f` so it also matches the pairs it does not see.\n"
            "Write each input as the arguments of one call, as Python literals separated by commas.\n\n"
            "Answer format, inside <answer> </answer>:\n"
            f"{n_inputs} blocks like\n{fence('input', 'arguments of one call')}\nthen one block\n"
            f"{fence('message', 'your hint about the function')}"
        )
        return Prompt(Role.PROPOSE, task_type, user)
    goal = {
        TaskType.DEDUCTION: "Someone will be shown your program and your input and must work out the output "
        "by reasoning alone, without running code. Make the output hard but possible to deduce.",
        TaskType.ABDUCTION: "Someone will be shown your program and the output it returns and must find an "
        "input that produces that output, by reasoning alone. Make the input hard but possible to infer.",
    }[task_type]
    user = (
        "Design a new Python programming puzzle: a program and one input for it.\n"
        f"{goal} Aim for a task that needs several steps of careful thought, and that is new compared "
        "with the references.\n\n"
        f"{_rules(banned)}\n"
        f"{_reference_block(references)}"
        "Answer format, inside <answer> </answer>:\n"
        f"{PROGRAM_PLACEHOLDER}\n{fence('input', 'arguments of one call')}"
    )
    return Prompt(Role.PROPOSE, task_type, user)


def solve_prompt(task: Task, shown: int = 5) -> Prompt:
    """The solver's view of a task: hidden parts (the gold output, the hidden pairs, the program) stay out."""
    tt = TaskType(task.task_type)
    if tt is TaskType.DEDUCTION:
        user = (
            "Work out what this Python function returns for the given input, by reasoning, not by running it.\n"
            f"{fence('python', task.program)}\n{fence('input', task.input)}\n\n"
            "Give the returned value as a Python literal inside <answer> </answer>, in a block:\n"
            f"{fence('output', 'the value f returns')}"
        )
    elif tt is TaskType.ABDUCTION:
        user = (
            "Find an input for this Python function that makes it return the given output. Any input that "
            "works is correct.\n"
            f"{fence('python', task.program)}\n{fence('output', task.output)}\n\n"
            "Write the input as the arguments of one call (Python literals separated by commas) inside "
            f"<answer> </answer>, in a block:\n{fence('input', 'arguments of one call')}"
        )
    else:
        pairs = "\n".join(f"Input: {i}\nOutput: {o}" for i, o in task.shown_pairs(shown))
        user = (
            "Write a Python function `f` that matches these examples. It will also be checked on examples you "
            "do not see, so capture the general rule.\n"
            f"Hint from the author: {task.message}\n\n{pairs}\n\n"
            "Inputs are the arguments of one call. Put the complete program inside <answer> </answer>, in a "
            f"block:\n{PROGRAM_PLACEHOLDER}"
        )
    return Prompt(Role.SOLVE, tt, user)
