"""`azr eval`: score a model on a benchmark file, print pass@k, store per-item rows and log to MLflow."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from datetime import datetime, timezone
from pathlib import Path

from azr.config_cli import add_config_args

MODES = ("deduction", "abduction", "codegen")

EPILOG = """\
MODEL is 'bundled' (the default SmolLM2-135M-Instruct), a local model folder or .gguf file, RUN_ID (the newest
checkpoint of a training run in --home) or RUN_ID@ITERATION.
Benchmark files are JSONL: deduction/abduction lines hold code, input, output, id (CRUXEval format);
codegen lines hold task_id, prompt, entry_point, test (HumanEval format).

examples:
  azr eval --model bundled --benchmark bench/data/deduction50.jsonl --mode deduction
  azr eval --model my-run@4 --benchmark cruxeval-i.jsonl --mode abduction --samples 5 --temperature 0.8
"""


def vllm_engine(cfg, model, tokenizer, model_dir: Path):
    """rollout.engine=vllm: a server started on the model's own folder (verified against the loaded weights)."""
    import tempfile

    from azr.policy.vllm_rollout import build_vllm_rollout

    work = Path(tempfile.mkdtemp(prefix="azr-eval-vllm-"))
    engine = build_vllm_rollout(cfg, tokenizer, model, model_dir, work)
    engine.ensure(model, 0)
    return engine


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="evaluate a model on a benchmark file (pass@k)", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="bundled", metavar="MODEL",
                   help="bundled | model folder | RUN_ID | RUN_ID@ITERATION (default: bundled)")
    p.add_argument("--benchmark", required=True, metavar="FILE.jsonl", help="benchmark file")
    p.add_argument("--mode", required=True, choices=MODES, help="what the model is asked to do")
    p.add_argument("--limit", type=int, default=None, metavar="N", help="evaluate only the first N items")
    p.add_argument("--samples", type=int, default=None, metavar="K",
                   help="samples per item; K > 1 adds pass@K (default: eval.samples, 1)")
    p.add_argument("--temperature", type=float, default=None, metavar="T",
                   help="sampling temperature, 0 = greedy (default: eval.temperature, 0)")
    p.add_argument("--max-new-tokens", type=int, default=None, metavar="N",
                   help="response budget (default: eval.max_new_tokens)")
    p.add_argument("--batch-size", type=int, default=None, metavar="N",
                   help="prompts generated together (default: rollout.batch_size); eval holds no optimizer, "
                   "so a larger batch than training's often fits and runs faster")
    p.add_argument("--prompt-style", choices=("r1", "chat"), default=None,
                   help="prompt wrapper (default: rollout.prompt_style, as in training)")
    p.add_argument("--home", default=None, metavar="DIR", help="run folder (default: $AZR_HOME or ./azr-home)")
    p.add_argument("--no-record", action="store_true",
                   help="only print: write no evals rows and log nothing to MLflow")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_config_args(p)
    p.set_defaults(handler=_eval)


def _eval(args: argparse.Namespace) -> int:
    import time

    from azr.cli import CLIError
    from azr.config import load_config, resolve_home
    from azr.evaluation.benchmarks import BenchmarkError, load_benchmark
    from azr.evaluation.models import ModelRefError, resolve_model_ref

    cfg = load_config(args.config, args.overrides)
    home = resolve_home(args.home or cfg.run.home)
    samples = args.samples if args.samples is not None else cfg.eval.samples
    temperature = args.temperature if args.temperature is not None else cfg.eval.temperature
    max_new = args.max_new_tokens if args.max_new_tokens is not None else cfg.eval.max_new_tokens
    style = args.prompt_style or cfg.rollout.prompt_style
    batch = args.batch_size if args.batch_size is not None else cfg.rollout.batch_size
    for name, value, low in (("--samples", samples, 1), ("--limit", args.limit, 1), ("--max-new-tokens", max_new, 1),
                             ("--batch-size", batch, 1)):
        if value is not None and value < low:
            raise CLIError(f"{name} must be at least {low}, got {value}")
    if temperature < 0:
        raise CLIError(f"--temperature must be 0 (greedy) or more, got {temperature}")
    if samples > 1 and temperature == 0:
        print("note: greedy decoding (temperature 0) gives the same answer for every sample; "
              "pass@k > 1 needs --temperature > 0", file=sys.stderr)

    # Cheap checks first: a bad file or model reference fails before any model loads.
    try:
        bench = load_benchmark(args.benchmark, args.mode, args.limit)
        model_dir = resolve_model_ref(args.model, home, cfg.model.cache_dir)
    except (BenchmarkError, ModelRefError) as exc:
        raise CLIError(str(exc)) from None

    from azr.evaluation.runner import evaluate
    from azr.model import load_model
    from azr.policy import TransformersEngine
    from sandbox import Sandbox

    t0 = time.perf_counter()
    print(f"evaluating {args.model} ({model_dir}) on {bench.name}: {len(bench)} of {bench.total} items, "
          f"mode {bench.mode}, {samples} sample(s), temperature {temperature}", file=sys.stderr)
    model, tokenizer = load_model(str(model_dir), cfg.model.dtype, cfg.model.device, cfg.model.cache_dir)
    if cfg.rollout.engine == "vllm":
        engine = vllm_engine(cfg, model, tokenizer, Path(model_dir))
    else:
        r = cfg.rollout
        engine = TransformersEngine(model, tokenizer, batch_size=batch, max_prompt_tokens=r.max_prompt_tokens,
                                    dtype=None if r.dtype == "model" else r.dtype, static_cache=r.static_cache)
    try:
        with Sandbox(cfg.sandbox) as sandbox:
            report = evaluate(engine, tokenizer, sandbox, bench, samples=samples, temperature=temperature,
                              max_new_tokens=max_new, prompt_style=style, model_name=args.model,
                              top_p=cfg.rollout.top_p, seed=cfg.run.seed, progress=not args.quiet)
    finally:
        if hasattr(engine, "close"):
            engine.close()
            shutil.rmtree(engine.work_dir, ignore_errors=True)  # a throwaway folder: server log, no checkpoints
    wall = time.perf_counter() - t0

    eval_run_id = None
    if not args.no_record:
        eval_run_id = record(report, cfg, home, args, wall)

    m = report.metrics
    print(f"benchmark  {bench.name} ({bench.mode}), {report.n_items} items × {samples} sample(s)")
    for k, v in m.items():
        if k.startswith("pass@"):
            print(f"{k:<10} {v:.4f}  ({v:.1%})")
    errors = ", ".join(f"{k.split('/', 1)[1]} {int(v)}" for k, v in m.items() if k.startswith("errors/"))
    print(f"errors     {errors or 'none'}")
    t = report.timing
    print(f"time       {wall:.1f} s total (generation {t['generation_s']:.1f} s, "
          f"{t['tokens_per_s']:.0f} tok/s; checks {t['check_s']:.1f} s)")
    if eval_run_id:
        print(f"recorded   run {eval_run_id} in {home} (evals table) and MLflow experiment 'azr-eval'")
    print(f"accuracy   {m['pass@1']:.2%}")
    return 0


def record(report, cfg, home, args, wall: float) -> str:
    """Write the per-item rows as iteration 0 of a small eval run, and log everything to MLflow."""
    started = datetime.now(timezone.utc)
    eval_run_id = "eval-" + started.strftime("%Y%m%d-%H%M%S-%f")
    config = {
        "kind": "eval", "model": args.model, "benchmark": os.path.abspath(args.benchmark), "mode": report.mode,
        "samples": report.samples, "temperature": report.temperature, "limit": args.limit,
        "config": cfg.model_dump(),
    }
    try:
        from storage import RunStore
    except ImportError as exc:  # storage not installed in this checkout
        print(f"warning: no evals rows written ({exc})", file=sys.stderr)
    else:
        store = RunStore.create(home, config, run_id=eval_run_id, kind="eval", status="running")
        try:
            store.write_rows(0, "evals", report.table_rows(eval_run_id, 0, created_at=started))
            store.commit(0, {"status": "committed", "started_at": started,
                             "finished_at": datetime.now(timezone.utc), "metrics": report.metrics,
                             "step_seconds": {**report.timing, "wall_s": wall}})
            mlflow_run = log_standalone(report, cfg, home, eval_run_id, config)
        except BaseException:
            store.update_meta(status="failed")
            raise
        store.update_meta(status="finished", mlflow_run_id=mlflow_run)
        return eval_run_id
    log_standalone(report, cfg, home, eval_run_id, config)
    return eval_run_id


def log_standalone(report, cfg, home, eval_run_id: str, config: dict) -> str:
    from azr.evaluation.tracking import log_eval_to_mlflow
    from flows.tracking import activate, experiment_id

    home.mkdir(parents=True, exist_ok=True)
    import mlflow

    client = mlflow.tracking.MlflowClient(tracking_uri=activate(cfg, home))
    exp_id = experiment_id(client, "azr-eval", home)
    with mlflow.start_run(experiment_id=exp_id, run_name=eval_run_id, tags={"azr.run_id": eval_run_id}) as run:
        mlflow.log_params({k: str(v)[:500] for k, v in config.items() if k != "config"})
        log_eval_to_mlflow(report, step=0)
        return run.info.run_id
