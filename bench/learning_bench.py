"""Does self-play improve this model? Evaluate, train T self-play iterations, evaluate again, print the change.

    python bench/learning_bench.py --config configs/qwen2.5-coder-0.5b-1gpu.yaml      # one GPU, ~8 minutes
    python bench/learning_bench.py --config configs/tiny-cpu.yaml --iterations 2 --eval-limit 20  # CPU smoke run

The iterations are the Prefect flow's own (`flows.seed.seed`, then `flows.iteration.iteration` per iteration): real
flow runs when Prefect is installed, the same functions as plain calls when it is not (a bare GPU image with torch
and transformers only; DuckDB and MLflow are optional too). The run is an ordinary run in `--home`, so `azr sql`
and `azr runs` see it; the bench itself logs nothing to MLflow.

Scored before and after, on the same items, greedy:
- our deduction and abduction sets (bench/data/azr_deduction.jsonl, azr_abduction.jsonl, written for this project
  by bench/make_eval_sets.py; no public benchmark's items), plus any `--benchmark FILE --mode MODE`;
- in-distribution monitoring: the valid proposals the run held out of training (`selfplay.holdout_fraction`, set by
  `--holdout`), solved with the training prompts. They exist only after training, so the base model is scored on
  them by putting its weights back at the end.

Writes to --out: results.json (every number), table.md, curves.csv and curves.png (per-iteration valid-proposal
rate, format errors, learnability, solve rate per type, loss, entropy).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # runs from a plain checkout (no pip install) on a bare GPU image

DEFAULT_SETS = (("bench/data/azr_deduction.jsonl", "deduction"), ("bench/data/azr_abduction.jsonl", "abduction"))
MODES = ("deduction", "abduction", "codegen")
DEFAULT_HOLDOUT = 0.2


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 2)[2],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", default=str(ROOT / "configs/qwen2.5-coder-0.5b-1gpu.yaml"), metavar="FILE",
                   help="training preset (default: configs/qwen2.5-coder-0.5b-1gpu.yaml)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config value, e.g. --set rollout.max_new_tokens=256 (repeatable)")
    p.add_argument("--iterations", type=int, default=None, metavar="T",
                   help="self-play iterations (default: the preset's run.iterations)")
    p.add_argument("--holdout", type=float, default=None, metavar="F",
                   help="share of each iteration's valid proposals held out of training for in-distribution "
                   "monitoring (sets selfplay.holdout_fraction; default: the config's when above 0, else "
                   f"{DEFAULT_HOLDOUT}; 0 turns it off)")
    p.add_argument("--benchmark", action="append", default=[], metavar="FILE",
                   help="also score this JSONL file in an `azr eval` format (repeatable; pair each with --mode)")
    p.add_argument("--mode", action="append", default=[], choices=MODES,
                   help="mode of each --benchmark, in order (one --mode applies to all)")
    p.add_argument("--no-builtin-sets", action="store_true", help="skip our deduction/abduction sets")
    p.add_argument("--eval-limit", type=int, default=None, metavar="N", help="score only the first N items of a set")
    p.add_argument("--eval-max-new-tokens", type=int, default=None, metavar="N",
                   help="answer budget when scoring (default: eval.max_new_tokens of the preset)")
    p.add_argument("--home", default=None, metavar="DIR", help="run folder (default: OUT/home)")
    p.add_argument("--out", default=None, metavar="DIR",
                   help="where results go (default: bench-results/learning-<UTC time>)")
    args = p.parse_args(argv)
    if args.iterations is not None and args.iterations < 1:
        p.error(f"--iterations must be at least 1, got {args.iterations}")
    if args.holdout is not None and not 0.0 <= args.holdout < 1.0:
        p.error(f"--holdout must lie in [0, 1), got {args.holdout}")
    if args.benchmark and len(args.mode) not in (1, len(args.benchmark)):
        p.error(f"{len(args.benchmark)} --benchmark file(s) but {len(args.mode)} --mode: give one --mode for all, "
                "or one per --benchmark in the same order")
    if args.mode and not args.benchmark:
        p.error("--mode goes with --benchmark FILE")
    if args.eval_limit is not None and args.eval_limit < 1:
        p.error(f"--eval-limit must be at least 1, got {args.eval_limit}")
    return args


def load_sets(args: argparse.Namespace) -> list:
    """Every evaluation file, validated before any model loads (a broken file fails in seconds)."""
    from azr.evaluation.benchmarks import load_benchmark

    pairs = [] if args.no_builtin_sets else [(ROOT / f, m) for f, m in DEFAULT_SETS]
    modes = args.mode * len(args.benchmark) if len(args.mode) == 1 else args.mode
    pairs += [(Path(f), m) for f, m in zip(args.benchmark, modes)]
    sets = [load_benchmark(f, m, args.eval_limit) for f, m in pairs]
    names = [b.name for b in sets]
    if len(set(names)) != len(names):
        raise ValueError(f"two evaluation sets share a name ({', '.join(names)}); rename one file")
    return sets


def score_sets(rt, sets: list, max_new_tokens: int, label: str, iteration: int) -> dict[str, dict]:
    """Greedy answers to every item; per-item outcomes in item order, rows kept in the run's evals table."""
    from azr.evaluation.runner import evaluate

    out = {}
    for bench in sets:
        print(f"[{label}] {bench.name}: {len(bench)} items")
        rep = evaluate(rt.engine, rt.tokenizer, rt.sandbox, bench, temperature=0.0, max_new_tokens=max_new_tokens,
                       prompt_style=rt.cfg.rollout.prompt_style, model_name=f"{rt.store.run_id}@{label}",
                       seed=rt.cfg.run.seed, progress=True)
        rt.store.write_evals(rep.table_rows(rt.store.run_id, iteration), name=f"learning-{label}-{bench.name}",
                             iteration=iteration)
        by_id = {r["item_id"]: bool(r["correct"]) for r in rep.rows}
        out[bench.name] = {"mode": bench.mode, "correct": [by_id[i.item_id] for i in bench.items],
                           "timing": rep.timing}
        print(f"[{label}] {rep.summary()}")
    return out


def heldout_tasks(store, iterations: int) -> list:
    from storage.schemas import row_to_task

    return [row_to_task(r) for n in range(1, iterations + 1) for r in store.read_rows(n, "heldout")]


def score_heldout(rt, tasks: list, label: str) -> dict[str, dict]:
    """The held-out tasks, solved once greedily with the training prompts and checked in the sandbox."""
    from azr import steps

    if not tasks:
        return {}
    cfg = rt.cfg
    t0 = time.perf_counter()
    recs = steps.solve(rt.engine, cfg, rt.tokenizer, tasks, 1, cfg.run.seed, "holdout", id_prefix=f"{label}-h",
                       temperature=0.0)
    recs = steps.check(rt.sandbox, recs, {t.task_id: t for t in tasks}, cfg.selfplay.induction_shown)
    out: dict[str, dict] = {}
    for r in recs:
        entry = out.setdefault(f"heldout-{r['task_type']}", {"mode": r["task_type"], "correct": []})
        entry["correct"].append(bool(r["correct"]))
    print(f"[{label}] held-out tasks: {sum(r['correct'] for r in recs)}/{len(recs)} solved "
          f"({time.perf_counter() - t0:.1f} s)")
    return out


def snapshot_weights(model) -> dict:
    from azr.policy.logprobs import unwrap

    return {k: v.detach().to("cpu", copy=True) for k, v in unwrap(model).state_dict().items()}


def restore_weights(rt, state: dict) -> None:
    """Put the base weights back (after the trained model is scored and checkpointed) for the held-out baseline."""
    from azr.policy.logprobs import unwrap

    unwrap(rt.trainer.model).load_state_dict(state)
    rt.model_iteration = -1  # engine=vllm: a new version, so the next use syncs the server to these weights


def committed_metrics(store, iterations: int) -> dict[int, dict]:
    import json

    out = {}
    for n in range(1, iterations + 1):
        rows = store.read_rows(n, "iterations")
        out[n] = json.loads(rows[0]["metrics"]) if rows else {}
    return out


def stage_seconds(curve_rows: list[dict], stages: dict[str, float]) -> dict[str, float]:
    """Where the time went: the bench's own stages plus the flow's steps summed over iterations."""
    total = dict(stages)
    for row in curve_rows:
        for k, v in row.items():
            if k.startswith("time/") and v is not None:
                name = "step " + k[len("time/"):].removesuffix("_s")
                total[name] = total.get(name, 0.0) + v
    return total


def main(argv: list[str] | None = None) -> int:
    return main_with(parse_args(argv))


def main_with(args: argparse.Namespace) -> int:
    from azr.config import ConfigError, load_config

    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    out = Path(args.out or f"bench-results/learning-{stamp}").resolve()
    overrides = list(args.overrides)
    if args.holdout is not None:
        overrides.append(f"selfplay.holdout_fraction={args.holdout}")
    if args.iterations is not None:
        overrides.append(f"run.iterations={args.iterations}")
    overrides.append(f"run.home={Path(args.home).resolve() if args.home else out / 'home'}")
    try:
        cfg = load_config(args.config, overrides)
        if args.holdout is None and cfg.selfplay.holdout_fraction == 0:
            cfg = load_config(args.config, overrides + [f"selfplay.holdout_fraction={DEFAULT_HOLDOUT}"])
        check_model(cfg)
        sets = load_sets(args)
    except (ConfigError, ValueError, RuntimeError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return run(cfg, sets, args, out)


def check_model(cfg) -> None:
    """The model file and device exist (checked before a run folder is created)."""
    from azr.model import BUNDLED
    from flows.runtime import preflight

    path = cfg.model.path
    if path != BUNDLED and not Path(path).expanduser().exists():
        hint = " (fetch it with `make qwen-0.5b`, from the repository root)" if "qwen2.5-coder-0.5b" in path else ""
        raise FileNotFoundError(f"model.path {path!r} does not exist{hint}; relative paths are read from the "
                                f"current directory ({Path.cwd()})")
    preflight(cfg)  # the training run's own checks; also refuses device=cuda without a GPU
    t = cfg.trainer
    if cfg.selfplay.holdout_fraction > 0 and t.backend == "deepspeed" and t.zero_stage == 3:
        raise ValueError("the held-out baseline puts the base weights back in memory, which ZeRO-3's partitioned "
                         "weights do not allow: use --holdout 0 or trainer.zero_stage 2 or lower")


def run(cfg, sets: list, args: argparse.Namespace, out: Path) -> int:
    from azr.evaluation.learning_report import curves, format_table, plot_curves, set_result, write_results
    from azr.model import pick_device
    from flows.cli import _quiet_env
    from flows.hints import sql_command
    from flows.runtime import get_runtime, release
    from storage import RunStore
    from tasks.common import HAVE_PREFECT

    _quiet_env()
    from flows.iteration import iteration as iteration_flow
    from flows.seed import seed

    iterations = cfg.run.iterations
    max_new = args.eval_max_new_tokens or cfg.eval.max_new_tokens
    home = cfg.run.home_path()
    store = RunStore.create(home, cfg.model_dump(mode="json"), run_id=cfg.run.name)
    run_id = store.run_id
    print(f"learning bench: run {run_id} in {store.root}; {iterations} iteration(s); steps as "
          f"{'Prefect flow runs' if HAVE_PREFECT else 'plain calls (Prefect is not installed)'}")
    items = sum(len(b) for b in sets)
    if args.eval_limit is None and items > 100 and pick_device(cfg.model.device) == "cpu":
        print(f"note: scoring all {items} items before and after training on CPU; with the bundled model that "
              f"took about 3 s an item here (2 cores). --eval-limit N scores the first N of each set.")
    stages: dict[str, float] = {}
    started = time.perf_counter()
    store.update_meta(status="running")
    rt = get_runtime(home, run_id)
    try:
        t0 = time.perf_counter()
        rt.policy  # load the model now, so its time is not charged to the first evaluation
        stages["load model"] = time.perf_counter() - t0
        base_state = snapshot_weights(rt.trainer.model) if cfg.selfplay.holdout_fraction > 0 else None

        t0 = time.perf_counter()
        before = score_sets(rt, sets, max_new, "base", 0)
        stages["evaluate base"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        seed(str(home), run_id)
        stages["seed buffers"] = time.perf_counter() - t0
        for n in range(1, iterations + 1):
            iteration_flow(str(home), run_id, n, last=(n == iterations))

        t0 = time.perf_counter()
        after = score_sets(rt, sets, max_new, "trained", iterations)
        held = heldout_tasks(store, iterations)
        after |= score_heldout(rt, held, "trained")
        stages["evaluate trained"] = time.perf_counter() - t0
        if held and base_state is not None:
            t0 = time.perf_counter()
            restore_weights(rt, base_state)
            before |= score_heldout(rt, held, "base")
            stages["evaluate base on held-out"] = time.perf_counter() - t0
        store.update_meta(status="finished")
    except BaseException:
        store.update_meta(status="failed")
        raise
    finally:
        release(run_id)

    results = [set_result(name, "heldout" if name.startswith("heldout-") else "fixed", after[name]["mode"],
                          before[name]["correct"], after[name]["correct"]) for name in after]
    rows = curves(committed_metrics(store, iterations), cfg.selfplay.task_types)
    seconds = stage_seconds(rows, stages) | {"total": time.perf_counter() - started}
    gen = [(v.get("timing", {}).get("generated_tokens", 0.0), v.get("timing", {}).get("generation_s", 0.0))
           for d in (before, after) for v in d.values()]
    tok_s = {"eval_tokens_per_s": sum(t for t, _ in gen) / max(sum(s for _, s in gen), 1e-9),
             "rollout_tokens_per_s": [r.get("rollout/tokens_per_s") for r in rows]}
    print()
    print(format_table(results))
    print("\nseconds per stage: " + ", ".join(f"{k} {v:.1f}" for k, v in seconds.items()))
    rates = [f"{x:.1f}" for x in tok_s["rollout_tokens_per_s"] if x is not None]
    print(f"tokens/s: evaluation {tok_s['eval_tokens_per_s']:.1f}; rollouts per iteration {', '.join(rates) or 'n/a'}")
    write_results(out, results, rows, {"run_id": run_id, "home": str(home), "config": cfg.model_dump(mode="json"),
                                       "iterations": iterations, "seconds": seconds, "tokens_per_s": tok_s})
    png = plot_curves(rows, cfg.selfplay.task_types, out / "curves.png",
                      title=f"{Path(args.config).name}: {run_id}, {iterations} iterations")
    print(f"\nwrote {out / 'results.json'}, {out / 'table.md'}, {out / 'curves.csv'}"
          + (f", {png}" if png else " (no curves.png: matplotlib is not installed)"))
    rows_sql = f"select * from evals where run_id = '{run_id}'"
    print(f"rows: {sql_command(home, rows_sql)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
