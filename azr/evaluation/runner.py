"""Running one benchmark: prompts -> generations (any rollout engine) -> answers -> sandbox checks -> report.

`evaluate` needs only three collaborators, all passed in, so the training flow reuses its own engine and sandbox:
- an engine with ``generate(prompts, n=, temperature=, top_p=, max_new_tokens=, seed=, progress=)`` returning,
  per prompt, n completions that have ``.text`` (``.token_ids`` and ``.finish_reason`` are used when present);
- a sandbox with ``run(jobs) -> results`` (results in job order, with ``ok``, ``error``, ``detail``);
- the tokenizer, only for the 'chat' prompt style.
"""

from __future__ import annotations

import collections
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Sequence

from azr.evaluation.benchmarks import Benchmark, load_benchmark
from azr.evaluation.metrics import mean_pass_at_k, report_ks
from azr.evaluation.prompts import build_prompt, extract_answer

# Columns of the storage `evals` table, in order.
EVAL_COLUMNS = ("run_id", "iteration", "benchmark", "mode", "model", "item_id", "sample", "prompt", "response",
                "answer", "correct", "error", "created_at")

FORMAT_ERROR = "format"


@dataclass
class EvalReport:
    """The outcome of one benchmark run.

    `rows` has one dict per (item, sample): benchmark, mode, model, item_id, sample, prompt, response, answer,
    correct, error (None, 'format', or the sandbox's error code), detail, response_tokens, finish_reason.
    `metrics` holds pass@k for the reported k, rates of format errors and truncation, and counts of each error.
    `timing` holds seconds for generation, checking and the whole run, and generated tokens per second.
    """

    benchmark: str
    mode: str
    model: str
    samples: int
    temperature: float
    n_items: int
    metrics: dict[str, float] = field(default_factory=dict)
    timing: dict[str, float] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    path: str = ""

    @property
    def pass_at_1(self) -> float:
        return self.metrics["pass@1"]

    def table_rows(self, run_id: str, iteration: int, created_at: datetime | None = None) -> list[dict[str, Any]]:
        """Rows for the storage `evals` table (its columns exactly)."""
        ts = created_at or datetime.now(timezone.utc)
        fixed = {"run_id": run_id, "iteration": int(iteration), "created_at": ts}
        return [{k: fixed[k] if k in fixed else r[k] for k in EVAL_COLUMNS} for r in self.rows]

    def summary(self) -> str:
        parts = [f"{self.benchmark} ({self.mode}, {self.n_items} items × {self.samples} sample"
                 f"{'s' if self.samples != 1 else ''})"]
        parts += [f"{k} = {v:.2%}" for k, v in self.metrics.items() if k.startswith("pass@")]
        parts.append(f"format errors {self.metrics.get('format_error_rate', 0.0):.1%}")
        parts.append(f"{self.timing.get('total_s', 0.0):.1f} s")
        return ", ".join(parts)


def _job_for(mode: str, item, answer: str, program: str, job_id: str):
    from sandbox import Job

    if mode == "deduction":
        return Job(id=job_id, kind="deduction", program=item.program, input=item.input, output=item.output,
                   answer=answer)
    if mode == "abduction":
        return Job(id=job_id, kind="abduction", program=item.program, output=item.output, answer=answer)
    return Job(id=job_id, kind="codegen", program=program, tests=item.test, entry_point=item.entry_point)


def _tokens(completion: Any) -> int:
    ids = getattr(completion, "token_ids", None)
    return len(ids) if ids is not None else 0


def evaluate(engine: Any, tokenizer: Any, sandbox: Any, benchmark: Benchmark | str | os.PathLike,
             mode: str | None = None, samples: int = 1, temperature: float = 0.0, max_new_tokens: int = 512,
             limit: int | None = None, prompt_style: str = "r1", *, model_name: str = "", top_p: float = 1.0,
             seed: int | None = 0, progress: bool = False, job_factory=None) -> EvalReport:
    """Evaluate the engine's model on one benchmark and return metrics, per-item rows and timing.

    `benchmark` is a loaded Benchmark or a JSONL path (then `mode` is required). `temperature` 0 is greedy;
    with `samples` K > 1 the report adds pass@K by the unbiased estimator (sample with temperature > 0 for it
    to mean anything). `limit` keeps the first N items. `job_factory(mode, item, answer, program, job_id)`
    replaces the sandbox Job constructor (tests).
    """
    if samples < 1:
        raise ValueError(f"samples must be at least 1, got {samples}")
    if isinstance(benchmark, Benchmark):
        bench = benchmark
        if mode is not None and mode != bench.mode:
            raise ValueError(f"benchmark {bench.name!r} was loaded for mode {bench.mode!r}, not {mode!r}")
        if limit is not None:
            bench = Benchmark(name=bench.name, path=bench.path, mode=bench.mode, items=bench.items[:limit],
                              total=bench.total)
    else:
        if mode is None:
            raise ValueError("evaluate() needs `mode` when given a benchmark path")
        bench = load_benchmark(benchmark, mode, limit)
    mode = bench.mode
    make_job = job_factory or _job_for

    t0 = time.perf_counter()
    prompts = [build_prompt(item, mode, prompt_style, tokenizer) for item in bench.items]
    outs = engine.generate(prompts, n=samples, temperature=temperature, top_p=top_p,
                           max_new_tokens=max_new_tokens, seed=seed, progress=progress)
    if len(outs) != len(prompts):
        raise RuntimeError(f"the engine returned {len(outs)} completion lists for {len(prompts)} prompts")
    t_gen = time.perf_counter()

    rows: list[dict[str, Any]] = []
    jobs, job_rows = [], []
    for item, prompt, completions in zip(bench.items, prompts, outs):
        if len(completions) != samples:
            raise RuntimeError(f"the engine returned {len(completions)} samples for item {item.item_id!r}, "
                               f"expected {samples}")
        for s, comp in enumerate(completions):
            ext = extract_answer(comp.text, mode, item)
            row = {"benchmark": bench.name, "mode": mode, "model": model_name, "item_id": item.item_id,
                   "sample": s, "prompt": prompt, "response": comp.text, "answer": ext.answer,
                   "correct": False, "error": None, "detail": None, "response_tokens": _tokens(comp),
                   "finish_reason": getattr(comp, "finish_reason", None)}
            if ext.answer is None:
                row["error"], row["detail"] = FORMAT_ERROR, ext.error
            else:
                jobs.append(make_job(mode, item, ext.answer, ext.program, f"{item.item_id}#{s}"))
                job_rows.append(row)
            rows.append(row)

    results = sandbox.run(jobs) if jobs else []
    if len(results) != len(jobs):
        raise RuntimeError(f"the sandbox returned {len(results)} results for {len(jobs)} jobs")
    for row, res in zip(job_rows, results):
        row["correct"] = bool(res.ok)
        if not res.ok:
            row["error"] = res.error or "wrong"
            row["detail"] = getattr(res, "detail", None) or None
    t_end = time.perf_counter()

    metrics = compute_metrics(rows, samples)
    gen_tokens = sum(r["response_tokens"] for r in rows)
    timing = {
        "generation_s": t_gen - t0,
        "check_s": t_end - t_gen,
        "total_s": t_end - t0,
        "generated_tokens": float(gen_tokens),
        "tokens_per_s": gen_tokens / (t_gen - t0) if t_gen > t0 else 0.0,
    }
    return EvalReport(benchmark=bench.name, mode=mode, model=model_name, samples=samples,
                      temperature=temperature, n_items=len(bench.items), metrics=metrics, timing=timing,
                      rows=rows, path=bench.path)


def compute_metrics(rows: Sequence[dict[str, Any]], samples: int) -> dict[str, float]:
    per_item: dict[str, list[bool]] = collections.defaultdict(list)
    for r in rows:
        per_item[r["item_id"]].append(bool(r["correct"]))
    counts = [(len(v), sum(v)) for v in per_item.values()]
    n_rows = max(len(rows), 1)
    metrics: dict[str, float] = {}
    for k in report_ks(samples):
        metrics[f"pass@{k}"] = mean_pass_at_k(counts, k)
    metrics["format_error_rate"] = sum(r["error"] == FORMAT_ERROR for r in rows) / n_rows
    metrics["truncated_rate"] = sum(r.get("finish_reason") == "length" for r in rows) / n_rows
    lengths = [r.get("response_tokens", 0) for r in rows]
    metrics["mean_response_tokens"] = sum(lengths) / n_rows if lengths else 0.0
    errors = collections.Counter(r["error"] for r in rows if r["error"])
    for code, n in sorted(errors.items()):
        metrics[f"errors/{code}"] = float(n)
    metrics["items"] = float(len(per_item))
    return metrics


def evaluate_configured(engine: Any, tokenizer: Any, sandbox: Any, eval_cfg: Any, prompt_style: str = "r1", *,
                        model_name: str = "", seed: int | None = 0, progress: bool = False,
                        base_dir: str | os.PathLike | None = None, top_p: float = 1.0) -> list[EvalReport]:
    """In-loop evaluation: every benchmark of an `EvalConfig` (path, mode, optional fixed `limit` subset) with
    its samples/temperature/max_new_tokens. Relative paths are read from `base_dir` (default: the current
    directory). Files are validated first, so a broken benchmark fails before any generation."""
    from pathlib import Path

    loaded = []
    for b in eval_cfg.benchmarks:
        path = Path(b.path).expanduser()
        if base_dir is not None and not path.is_absolute():
            path = Path(base_dir) / path
        loaded.append(load_benchmark(path, b.mode, b.limit))
    return [
        evaluate(engine, tokenizer, sandbox, bench, samples=eval_cfg.samples, temperature=eval_cfg.temperature,
                 max_new_tokens=eval_cfg.max_new_tokens, prompt_style=prompt_style, model_name=model_name,
                 top_p=top_p, seed=seed, progress=progress)
        for bench in loaded
    ]
