"""Jobs in, results out: the pydantic boundary of the sandbox (Python API and `azr sandbox check` JSONL)."""

from __future__ import annotations

from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, StrictInt, StrictStr

JobKind = Literal["validate", "induction_inputs", "deduction", "abduction", "induction", "codegen"]

# Stable error codes; documented in README "## Sandbox". Never rename: they are stored in task history.
ERROR_CODES: dict[str, str] = {
    "syntax": "the program does not parse",
    "no_entry": "the program has no top-level entry function (f, or the codegen entry_point)",
    "banned_import": "the program imports a banned module by some route, or uses an escape hatch around that check",
    "bad_input": "an input is not a literal argument list, or is too long or too deeply nested",
    "timeout": "an execution ran past the wall-clock or CPU time limit",
    "memory": "an execution ran out of its memory limit",
    "runtime_error": "the program raised an exception",
    "nondeterministic": "two executions that share no state returned different results",
    "output_not_literal": "the returned value is not made of built-in literal types (or is NaN/inf, or recursive)",
    "output_too_large": "the returned value's repr exceeds max_output_chars or max_literal_depth",
    "bad_answer": "the answer does not parse as the literal / argument list / program it should be, or is too long",
    "wrong": "the answer is well formed but not correct",
    "crashed": "the execution died without a result (interpreter crash, C stack overflow, forged protocol)",
    "bad_job": "the job itself is malformed: bad JSON, unknown kind, missing or mistyped field, oversized program",
}

# Fields each kind needs; checked before anything runs so a malformed job costs nothing.
REQUIRED: dict[str, tuple[str, ...]] = {
    "validate": ("program", "input"),
    "induction_inputs": ("program", "inputs"),
    "deduction": ("output", "answer"),
    "abduction": ("program", "output", "answer"),
    "induction": ("answer", "inputs", "outputs"),
    "codegen": ("program", "tests", "entry_point"),
}


class Job(BaseModel):
    """One check. Text fields hold Python source or literals exactly as the model wrote them."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: Union[StrictStr, StrictInt, None] = None
    kind: JobKind
    program: Optional[StrictStr] = None
    input: Optional[StrictStr] = None
    inputs: Optional[list[StrictStr]] = None
    output: Optional[StrictStr] = None
    outputs: Optional[list[StrictStr]] = None
    answer: Optional[StrictStr] = None
    tests: Optional[StrictStr] = None
    entry_point: Optional[StrictStr] = None


class Result(BaseModel):
    """ok is the only verdict; output/outputs carry reprs of returned values; error is a code from ERROR_CODES."""

    model_config = ConfigDict(frozen=True)

    id: Union[StrictStr, StrictInt, None] = None
    ok: bool
    output: Optional[str] = None
    outputs: Optional[list[str]] = None
    error: Optional[str] = None
    detail: Optional[str] = None

    def to_json_dict(self, kind: str | None = None) -> dict:
        """The JSONL shape: `outputs` for induction_inputs, `output` otherwise."""
        d = {"id": self.id, "ok": self.ok}
        if kind == "induction_inputs":
            d["outputs"] = self.outputs
        else:
            d["output"] = self.output
        d["error"] = self.error
        d["detail"] = self.detail
        return d
