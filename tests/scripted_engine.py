"""A proposer/solver that follows a script instead of a model: valid proposals, right and wrong answers and a
watch-list phrase all occur, which a random tiny model never produces. For tests of the logic around the engine."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass
class Comp:
    text: str
    token_ids: list
    finish_reason: str
    prompt_tokens: int


class ScriptedEngine:
    """Proposes `f(x) = x * k` programs; answers deduction right on even attempts and wrong on odd ones."""

    def __init__(self, tokenizer):
        self.tok = tokenizer
        self.calls = 0
        self.stats = {}

    def encode(self, prompts):
        return [self.tok(p, add_special_tokens=False)["input_ids"] for p in prompts]

    def _reply(self, prompt: str, j: int) -> str:
        self.calls += 1
        k = self.calls % 7 + 2
        if "Design a new Python programming puzzle" in prompt:
            return (f"I will outsmart the solver.</think><answer>```python\ndef f(x):\n    return x * {k}\n```\n"
                    f"```input\n{k}\n```</answer>")
        if "different inputs for `f`" in prompt:
            n = int(re.search(r"Write (\d+) different inputs", prompt).group(1))
            blocks = "".join(f"```input\n{i + 1}\n```\n" for i in range(n))
            return f"t</think><answer>{blocks}```message\nIt multiplies.\n```</answer>"
        if "Work out what this Python function returns" in prompt:
            prog = re.search(r"```python\n(.*?)```", prompt, re.S).group(1)
            arg = re.search(r"```input\n(.*?)\n```", prompt, re.S).group(1)
            scope: dict = {}
            exec(prog, scope)  # the test's own programs, not model output
            value = scope["f"](eval(arg))
            value = value if j % 2 == 0 else [value, "wrong"]
            return f"t</think><answer>```output\n{value!r}\n```</answer>"
        if "Find an input" in prompt:
            return "t</think><answer>```input\n1) or True or (0\n```</answer>"  # the injection hack: must fail
        return "no format at all"

    def generate(self, prompts, n=1, temperature=1.0, top_p=1.0, max_new_tokens=16, seed=None, progress=False):
        out = []
        for p in prompts:
            comps = []
            for j in range(n):
                text = self._reply(p, j)
                ids = self.tok(text, add_special_tokens=False)["input_ids"][:40] + [self.tok.eos_token_id]
                comps.append(Comp(text, ids, "stop", len(self.encode([p])[0])))
            out.append(comps)
        self.stats = {"tokens": sum(len(c.token_ids) for cs in out for c in cs), "seconds": 0.01}
        return out
