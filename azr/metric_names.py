"""Every metric name this project logs to MLflow, what it means, when it is undefined, and who logs it.

The README's metric table is generated from `REGISTRY` (`python -m azr.metric_names` prints it) and
tests/test_metric_names.py checks the registry against the names a real run logs, in both directions.

Patterns hold placeholders in angle brackets (`<type>/valid_rate`); `PLACEHOLDERS` says what each stands for.
Pure Python: importing this module imports nothing of the project and no third-party package.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import product

ITERATION = "training iteration"
IN_LOOP_EVAL = "in-loop eval"
AZR_EVAL = "azr eval"
SYSTEM = "system"

TASK_TYPES = ("deduction", "abduction", "induction")
ROLES = ("propose", "solve")
STEPS = ("propose", "validate", "learnability", "solve", "score", "update", "evaluate")
EVAL_MODES = ("deduction", "abduction", "codegen")


@dataclass(frozen=True)
class Placeholder:
    values: tuple[str, ...] | None  # None: open-ended, matched by `regex`
    regex: str
    meaning: str


def _one_of(values: Sequence[str]) -> str:
    return "(?:" + "|".join(re.escape(v) for v in values) + ")"


PLACEHOLDERS: dict[str, Placeholder] = {
    "type": Placeholder(TASK_TYPES, _one_of(TASK_TYPES), "task type (`selfplay.task_types`)"),
    "role": Placeholder(ROLES, _one_of(ROLES), "TRR++ role"),
    "step": Placeholder(STEPS, _one_of(STEPS), "pipeline step of the iteration flow"),
    "mode": Placeholder(EVAL_MODES, _one_of(EVAL_MODES), "evaluation mode"),
    "benchmark": Placeholder(None, r"[\w.\- ]+",
                             "benchmark file name without `.jsonl` (other characters than letters, digits, "
                             "`_.- ` become `_`)"),
    "k": Placeholder(None, r"[0-9]+", "pass@k's k: 1, and with `eval.samples` K > 1 also K (and 5, 10 below K)"),
    "code": Placeholder(None, r"[\w.\- ]+",
                        "an answer's error code: `format`, `wrong` or a sandbox error code (`timeout`, ...)"),
    "name": Placeholder(None, r".+", "a system metric of MLflow (`cpu_utilization_percentage`, "
                                     "`system_memory_usage_megabytes`, `gpu_0_utilization_percentage`, ...)"),
}


@dataclass(frozen=True)
class MetricFamily:
    pattern: str                 # e.g. "<type>/valid_rate"
    description: str
    nan: str | None              # when the value is NaN (or not logged); None: always defined
    where: tuple[str, ...]       # ITERATION, IN_LOOP_EVAL, AZR_EVAL, SYSTEM
    rate: bool = False           # a share in [0, 1]

    @property
    def placeholders(self) -> list[str]:
        return re.findall(r"<(\w+)>", self.pattern)

    @property
    def regex(self) -> re.Pattern:
        return _compiled(self.pattern)

    def expand(self, **values: Sequence[str]) -> list[str]:
        """The concrete names of a pattern whose placeholders are all finite (or given as keyword lists)."""
        names = self.placeholders
        choices = []
        for n in names:
            vals = values.get(n, PLACEHOLDERS[n].values)
            if vals is None:
                raise ValueError(f"{self.pattern}: <{n}> is open-ended; pass {n}=[...]")
            choices.append(tuple(vals))
        out = []
        for combo in product(*choices):
            name = self.pattern
            for n, v in zip(names, combo):
                name = name.replace(f"<{n}>", v, 1)
            out.append(name)
        return out


@cache
def _compiled(pattern: str) -> re.Pattern:
    parts = re.split(r"(<\w+>)", pattern)
    rx = "".join(f"({PLACEHOLDERS[p[1:-1]].regex})" if p.startswith("<") else re.escape(p) for p in parts)
    return re.compile(rx + r"\Z")


_EVAL = (IN_LOOP_EVAL, AZR_EVAL)
_NO_TRAINABLE = ("no valid proposal of this type was trained on this iteration (none valid, or all held out)")
_NO_ANSWERS = "no training answer of this type this iteration (no task of the type buffered)"
_NO_PROPOSALS = "no proposal of this type (never with `selfplay.batch_size` ≥ 1)"
_NO_TRAINED = "not logged at an iteration without trained sequences"

REGISTRY: tuple[MetricFamily, ...] = (
    # ------------------------------------------------ per task type (azr/selfplay.py iteration_metrics)
    MetricFamily("<type>/proposals", "proposals written this iteration (B per type)", None, (ITERATION,)),
    MetricFamily("<type>/valid", "proposals the sandbox accepted (held-out ones included)", None, (ITERATION,)),
    MetricFamily("<type>/valid_rate", "valid / proposals", _NO_PROPOSALS, (ITERATION,), rate=True),
    MetricFamily("<type>/heldout", "valid proposals held out for monitoring (`selfplay.holdout_fraction`); "
                 "never trained on or buffered", None, (ITERATION,)),
    MetricFamily("<type>/propose_format_error_rate", "share of proposals without the required format",
                 _NO_PROPOSALS, (ITERATION,), rate=True),
    MetricFamily("<type>/learnability", "mean proposer reward of the trained valid proposals (1 − r̄, "
                 "0 when r̄ is 0 or 1)", _NO_TRAINABLE, (ITERATION,)),
    MetricFamily("<type>/proposal_solve_rate", "mean r̄ of the trained valid proposals (G learnability "
                 "attempts each)", _NO_TRAINABLE, (ITERATION,), rate=True),
    MetricFamily("<type>/learn_solve_rate", "share of correct learnability attempts (not trained on)",
                 _NO_TRAINABLE, (ITERATION,), rate=True),
    MetricFamily("<type>/answers", "training answers (solver rollouts trained on)", None, (ITERATION,)),
    MetricFamily("<type>/correct", "training answers that were right", None, (ITERATION,)),
    MetricFamily("<type>/solve_rate", "correct / answers", _NO_ANSWERS, (ITERATION,), rate=True),
    MetricFamily("<type>/solve_format_error_rate", "share of training answers without the required format",
                 _NO_ANSWERS, (ITERATION,), rate=True),
    # ------------------------------------------------ the six TRR++ groups
    MetricFamily("<type>/<role>/reward_mean", "mean reward of the group's trained sequences",
                 "the group is empty (propose: every proposal held out; solve: no answer)", (ITERATION,)),
    MetricFamily("<type>/<role>/reward_std", "standard deviation of those rewards",
                 "the group is empty", (ITERATION,)),
    MetricFamily("<type>/<role>/advantage_mean", "mean TRR++ advantage of the group", "the group is empty",
                 (ITERATION,)),
    MetricFamily("<type>/<role>/advantage_std", "standard deviation of the TRR++ advantages",
                 "the group is empty", (ITERATION,)),
    MetricFamily("<type>/<role>/response_len", "mean response length in tokens", "the group is empty",
                 (ITERATION,)),
    # ------------------------------------------------ the update (tasks/commit.py, azr/policy/trainer.py)
    MetricFamily("train/sequences", "sequences trained on (proposals not held out + training answers)", None,
                 (ITERATION,)),
    MetricFamily("train/nonzero_advantage", "trained sequences with a non-zero TRR++ advantage (0: the update "
                 "learned nothing from self-play)", None, (ITERATION,)),
    MetricFamily("train/loss", "policy-gradient loss − entropy_coef · entropy (token mean over the batch)",
                 _NO_TRAINED, (ITERATION,)),
    MetricFamily("train/pg_loss", "the policy-gradient part of the loss", _NO_TRAINED, (ITERATION,)),
    MetricFamily("train/entropy", "mean token entropy of the trained responses", _NO_TRAINED, (ITERATION,)),
    MetricFamily("train/grad_norm", "global gradient norm before clipping",
                 _NO_TRAINED + "; NaN when DeepSpeed reports none", (ITERATION,)),
    MetricFamily("train/tokens", "response tokens trained on", _NO_TRAINED, (ITERATION,)),
    MetricFamily("train/total_tokens", "prompt + response tokens of the update (unpadded)", _NO_TRAINED,
                 (ITERATION,)),
    MetricFamily("train/tokens_per_s", "total_tokens / seconds of the update", _NO_TRAINED, (ITERATION,)),
    MetricFamily("train/micro_batches", "micro-batches of the update (`trainer.micro_batch_tokens`)",
                 _NO_TRAINED, (ITERATION,)),
    MetricFamily("train/seconds", "wall time of the optimizer step", _NO_TRAINED, (ITERATION,)),
    MetricFamily("train/skipped", "1 when the batch had no response token and the step changed nothing",
                 _NO_TRAINED, (ITERATION,)),
    # ------------------------------------------------ throughput, watch list, step times (tasks/commit.py)
    MetricFamily("rollout/tokens", "tokens generated by propose, learnability and solve", None, (ITERATION,)),
    MetricFamily("rollout/tokens_per_s", "generation throughput of those steps",
                 "the engine reported no generation time", (ITERATION,)),
    MetricFamily("sandbox/jobs", "sandbox jobs of validate, learnability and score", None, (ITERATION,)),
    MetricFamily("sandbox/jobs_per_s", "sandbox throughput of those steps", "no sandbox time was spent",
                 (ITERATION,)),
    MetricFamily("watch/flagged", "rollouts matching a `watch.phrases` phrase", None, (ITERATION,)),
    MetricFamily("time/<step>_s", "seconds the step took (0 for evaluate when it was not due)", None,
                 (ITERATION,)),
    # ------------------------------------------------ evaluation (azr/evaluation/tracking.py report_metrics)
    MetricFamily("eval/<mode>/<benchmark>/pass_at_<k>", "pass@k averaged over items (unbiased estimator)", None,
                 _EVAL, rate=True),
    MetricFamily("eval/<mode>/<benchmark>/format_error_rate", "share of answers without the required format",
                 None, _EVAL, rate=True),
    MetricFamily("eval/<mode>/<benchmark>/truncated_rate", "share of responses cut at `eval.max_new_tokens`",
                 None, _EVAL, rate=True),
    MetricFamily("eval/<mode>/<benchmark>/mean_response_tokens", "mean response length in tokens", None, _EVAL),
    MetricFamily("eval/<mode>/<benchmark>/items", "items evaluated", None, _EVAL),
    MetricFamily("eval/<mode>/<benchmark>/errors_<code>", "answers that failed with this error code",
                 "not logged when no answer failed that way", _EVAL),
    MetricFamily("eval/<mode>/<benchmark>/time_generation_s", "seconds spent generating", None, _EVAL),
    MetricFamily("eval/<mode>/<benchmark>/time_check_s", "seconds spent checking answers in the sandbox", None,
                 _EVAL),
    MetricFamily("eval/<mode>/<benchmark>/time_total_s", "seconds of the whole evaluation", None, _EVAL),
    MetricFamily("eval/<mode>/<benchmark>/time_generated_tokens", "tokens generated", None, _EVAL),
    MetricFamily("eval/<mode>/<benchmark>/time_tokens_per_s", "generation throughput", None, _EVAL),
    # ------------------------------------------------ MLflow's own system metrics (log_system_metrics=True)
    MetricFamily("system/<name>", "CPU, memory, disk, network and GPU use, sampled by MLflow about every 10 s "
                 "while `azr train` runs (step = sample number, not iteration)", None, (SYSTEM,)),
)


def matches(name: str) -> MetricFamily | None:
    """The registry entry a logged metric name belongs to, or None for a name the code does not log."""
    for entry in REGISTRY:
        if entry.regex.match(name):
            return entry
    return None


def lookup(pattern: str) -> MetricFamily:
    """The entry with exactly this pattern (KeyError otherwise)."""
    for entry in REGISTRY:
        if entry.pattern == pattern:
            return entry
    raise KeyError(pattern)


def iteration_names(task_types: Iterable[str] = TASK_TYPES) -> set[str]:
    """Every name a training iteration with trained sequences logs, for these task types."""
    types = list(task_types)
    return {n for e in REGISTRY if ITERATION in e.where for n in e.expand(type=types)}


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown_table() -> str:
    """The README's metric table (the block between its metric-table markers), placeholders legend first."""
    lines = ["Placeholders:"]
    for key, ph in PLACEHOLDERS.items():
        vals = "`" + "`, `".join(ph.values) + "`: " if ph.values else ""
        lines.append(f"- `<{key}>`: {vals}{ph.meaning}")
    lines += ["", "| metric | logged by | meaning | undefined (NaN or not logged) when |", "|---|---|---|---|"]
    for e in REGISTRY:
        lines.append(f"| `{e.pattern}` | {', '.join(e.where)} | {_cell(e.description)} | "
                     f"{_cell(e.nan) if e.nan else '—'} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(markdown_table(), end="")
