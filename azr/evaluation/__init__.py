"""Evaluation on held-out benchmarks: CRUXEval-style deduction/abduction sets and HumanEval-style code generation.

In-loop use from the training flow (engine, tokenizer and sandbox are the flow's own):

    from azr.evaluation import evaluate_configured, log_eval_to_mlflow, log_accuracy_plot
    reports = evaluate_configured(engine, tokenizer, sandbox, cfg.eval, cfg.rollout.prompt_style,
                                  model_name=f"{run_id}@{n}")
    for r in reports:
        store.write_rows(n, "evals", r.table_rows(run_id, n))
        log_eval_to_mlflow(r, step=n, run_id=mlflow_run_id)
    log_accuracy_plot(run_id=mlflow_run_id)

Importing this package is light: torch, MLflow and matplotlib load only when used.
"""

from azr.evaluation.benchmarks import Benchmark, BenchmarkError, BenchmarkItem, load_benchmark
from azr.evaluation.metrics import mean_pass_at_k, pass_at_k
from azr.evaluation.models import ModelRefError, resolve_model_ref
from azr.evaluation.prompts import build_prompt, codegen_prompt, extract_answer
from azr.evaluation.runner import EVAL_COLUMNS, EvalReport, evaluate, evaluate_configured
from azr.evaluation.tracking import (accuracy_history, log_accuracy_plot, log_eval_to_mlflow, metric_key,
                                     plot_accuracy)

__all__ = [
    "Benchmark", "BenchmarkError", "BenchmarkItem", "load_benchmark", "pass_at_k", "mean_pass_at_k",
    "ModelRefError", "resolve_model_ref", "build_prompt", "codegen_prompt", "extract_answer", "EVAL_COLUMNS",
    "EvalReport", "evaluate", "evaluate_configured", "accuracy_history", "log_accuracy_plot",
    "log_eval_to_mlflow", "metric_key", "plot_accuracy",
]
