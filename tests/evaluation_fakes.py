"""Scripted stand-ins for the rollout engine and the sandbox, so evaluation logic is tested with answers we
control. The fake sandbox follows the agreed job semantics (values compared after literal parsing; abduction
calls f(*args); codegen runs check(entry_point)) and turns long runs into 'timeout'."""

from __future__ import annotations

import ast
import signal
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Callable

try:
    from azr.policy import Completion
except ImportError:  # the policy package has not landed in this checkout
    Completion = None


def completion(text: str, finish_reason: str = "stop"):
    ids = list(range(max(1, len(text) // 4)))
    if Completion is not None:
        try:
            return Completion(text=text, token_ids=ids, finish_reason=finish_reason, prompt_tokens=10)
        except TypeError:
            pass
    return SimpleNamespace(text=text, token_ids=ids, finish_reason=finish_reason, prompt_tokens=10)


def wrap(answer_block: str) -> str:
    """A well-formed response: reasoning, then the answer (the prompt already opened <think>)."""
    return f" I trace the code step by step.</think>\n<answer>\n{answer_block}\n</answer>"


class ScriptedEngine:
    """Answers each prompt with texts chosen by `script(prompt) -> list of texts` (one per sample, cycled)."""

    def __init__(self, script: Callable[[str], list[str]]):
        self.script = script
        self.calls: list[dict] = []

    def generate(self, prompts, n=1, temperature=1.0, top_p=1.0, max_new_tokens=256, seed=None, progress=False):
        self.calls.append({"prompts": list(prompts), "n": n, "temperature": temperature,
                           "max_new_tokens": max_new_tokens})
        out = []
        for p in prompts:
            texts = self.script(p)
            out.append([completion(texts[i % len(texts)]) for i in range(n)])
        return out


def script_by_key(answers: dict[str, list[str]], default: str = "no idea") -> Callable[[str], list[str]]:
    """Pick the answers whose key (a snippet of the program or prompt) occurs in the prompt."""
    def script(prompt: str) -> list[str]:
        for key, texts in answers.items():
            if key in prompt:
                return texts
        return [default]
    return script


@dataclass
class FakeResult:
    id: str
    ok: bool
    output: str | None = None
    outputs: list = field(default_factory=list)
    error: str | None = None
    detail: str = ""


class _Timeout(Exception):
    pass


def _alarm(_sig, _frame):
    raise _Timeout()


class FakeSandbox:
    def __init__(self, timeout_s: float = 0.5):
        self.timeout_s = timeout_s
        self.jobs: list = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def run(self, jobs):
        self.jobs.extend(jobs)
        return [self._one(j) for j in jobs]

    def _call(self, fn):
        old = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, self.timeout_s)
        try:
            return fn()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)

    def _one(self, job) -> FakeResult:
        try:
            if job.kind == "deduction":
                try:
                    got = ast.literal_eval(job.answer)
                except (ValueError, SyntaxError):
                    return FakeResult(job.id, False, error="bad_answer")
                ok = got == ast.literal_eval(job.output)
                return FakeResult(job.id, ok, error=None if ok else "wrong")
            if job.kind == "abduction":
                try:
                    args = ast.literal_eval(f"({job.answer},)")
                except (ValueError, SyntaxError):
                    return FakeResult(job.id, False, error="bad_answer")
                ns: dict = {}
                exec(job.program, ns)
                got = self._call(lambda: ns["f"](*args))
                ok = got == ast.literal_eval(job.output)
                return FakeResult(job.id, ok, output=repr(got), error=None if ok else "wrong")
            if job.kind == "codegen":
                ns = {}
                try:
                    exec(job.program, ns)
                except SyntaxError as exc:
                    return FakeResult(job.id, False, error="syntax", detail=str(exc))
                if job.entry_point not in ns:
                    return FakeResult(job.id, False, error="no_entry")
                exec(job.tests, ns)
                try:
                    self._call(lambda: ns["check"](ns[job.entry_point]))
                except AssertionError:
                    return FakeResult(job.id, False, error="wrong")
                return FakeResult(job.id, True)
            return FakeResult(job.id, False, error="bad_job")
        except _Timeout:
            return FakeResult(job.id, False, error="timeout")
        except Exception as exc:  # noqa: BLE001 - mirrors the sandbox's runtime_error
            return FakeResult(job.id, False, error="runtime_error", detail=repr(exc))


def namespace_job(mode, item, answer, program, job_id):
    """A job built without the sandbox package (used only while it has not landed)."""
    if mode == "codegen":
        return SimpleNamespace(id=job_id, kind="codegen", program=program, tests=item.test,
                               entry_point=item.entry_point, answer=None, input=None, output=None)
    return SimpleNamespace(id=job_id, kind=mode, program=item.program, input=item.input, output=item.output,
                           answer=answer, tests=None, entry_point="f")


def job_factory():
    """None (use the real sandbox.Job) when the sandbox package has landed, else namespace jobs."""
    try:
        from sandbox import Job  # noqa: F401
        return None
    except ImportError:
        return namespace_job
