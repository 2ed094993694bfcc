"""`azr train`, `azr resume` and `azr runs`."""

from __future__ import annotations

import argparse
import os

from azr.config_cli import add_config_args


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="start a training run (default: 2 iterations of configs/tiny-cpu.yaml on CPU)",
                       description="Start a new AZR self-play training run as a Prefect flow.")
    add_config_args(p)
    p.add_argument("--iterations", type=int, metavar="N", help="training iterations (overrides run.iterations)")
    p.add_argument("--home", metavar="DIR", help="run folder (default: $AZR_HOME or ./azr-home)")
    p.set_defaults(handler=_train)

    r = sub.add_parser("resume", help="continue a run from its last checkpoint and completed step (flow azr-resume)",
                       description="Resume a run: restores the newest checkpoint, redoes what came after it, "
                       "finishes the interrupted iteration from its last completed step and goes on.")
    r.add_argument("run_id", metavar="RUN_ID", help="the run to continue (`azr runs` lists them)")
    r.add_argument("--iterations", type=int, metavar="N",
                   help="total iterations the run should reach (default: its configured run.iterations)")
    r.add_argument("--home", metavar="DIR", help="run folder (default: $AZR_HOME or ./azr-home)")
    r.add_argument("--set", dest="overrides", action="append", default=[], metavar="cluster.KEY=VALUE",
                   help="change the cluster layout for the rest of the run (run.cluster=ray only; cluster.* keys "
                   "only, e.g. cluster.trainer_ranks=1 or cluster.address=auto); repeatable")
    r.set_defaults(handler=_resume)

    ls = sub.add_parser("runs", help="list runs with status, last committed iteration and key metrics",
                        description="List training runs (status, last committed iteration, key metrics), then the "
                        "evaluations `azr eval` recorded (benchmark, answers, accuracy) apart from them.")
    ls.add_argument("--home", metavar="DIR", help="run folder (default: $AZR_HOME or ./azr-home)")
    ls.set_defaults(handler=_runs)


def _quiet_env() -> None:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    # The ephemeral Prefect API needs more than the default 20 s to start on a busy 2-core machine.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


def _train(args: argparse.Namespace) -> int:
    from azr.config import load_config

    overrides = list(args.overrides)
    if args.iterations is not None:
        overrides.append(f"run.iterations={args.iterations}")
    if args.home:
        overrides.append(f"run.home={os.path.abspath(args.home)}")
    cfg = load_config(args.config, overrides)
    if not cfg.run.home:
        cfg.run.home = str(cfg.run.home_path())
    _quiet_env()
    from flows.train import train

    train(config=cfg)
    return 0


def _resume(args: argparse.Namespace) -> int:
    from azr.cli import CLIError
    from azr.config import resolve_home
    from storage import RunStore

    home = resolve_home(args.home)
    try:
        store = RunStore.open(home, args.run_id)
    except Exception as exc:  # noqa: BLE001 - storage phrases the missing-run message
        raise CLIError(str(exc)) from None
    if args.overrides:
        store.update_meta(config=relayout(store.meta["config"], args.overrides, args.run_id))
    _quiet_env()
    from flows.train import resume

    resume(run_id=args.run_id, home=str(home), iterations=args.iterations)
    return 0


def relayout(config: dict, overrides: list[str], run_id: str) -> dict:
    """The stored config with a new cluster layout. Everything else stays as the run started: a resume that
    changed the algorithm would not be the same run."""
    from azr.cli import CLIError
    from azr.config import ConfigError, apply_overrides, config_from_dict

    wrong = [o for o in overrides if not o.strip().startswith("cluster.")]
    if wrong:
        raise CLIError(f"azr resume --set takes cluster.* keys only (the layout), not {wrong[0]!r}: the rest of "
                       f"the config is the run's own. Start a new run with `azr train --set ...` to change it")
    if config.get("run", {}).get("cluster") != "ray":
        raise CLIError(f"run {run_id} runs with run.cluster={config.get('run', {}).get('cluster', 'local')!r}; "
                       "cluster.* settings apply to run.cluster=ray runs only")
    try:
        return config_from_dict(apply_overrides(config, overrides),
                                source=f"config of run {run_id} with {overrides}").model_dump(mode="json")
    except ConfigError as exc:
        raise CLIError(str(exc)) from None


def _runs(args: argparse.Namespace) -> int:
    from azr.config import resolve_home
    from storage import RunStore

    home = resolve_home(args.home)
    runs = RunStore.list_runs(home)
    if not runs:
        print(f"no runs in {home}; start one with `azr train --home {home}`")
        return 0
    training = [r for r in runs if r["kind"] != "eval"]
    evals = [r for r in runs if r["kind"] == "eval"]
    if training:
        _print_runs(home, training, "training runs", "key metrics (last committed iteration)")
    if evals:
        if training:
            print()
        _print_runs(home, evals, "evaluations (azr eval)", "benchmark and accuracy")
    return 0


def _print_runs(home, runs: list[dict], title: str, what: str) -> None:
    import json

    from storage import RunStore

    header = f"{title + ':':<28} {'status':<10} {'last iter':>9}  {what}"
    print(header)
    print("-" * len(header))
    for r in runs:
        try:
            store = RunStore.open(home, r["run_id"])
            last = store.last_committed()
            if r["kind"] == "eval":
                cfg = store.meta.get("config") or {}
                rows = store.read_rows(0, "evals") if last == 0 else []
                n = len(rows)
                acc = sum(bool(x.get("correct")) for x in rows) / n if n else float("nan")
                name = os.path.basename(str(cfg.get("benchmark", "?")))
                key = f"{name} ({cfg.get('mode', '?')}): {n} answers, accuracy {acc:.3g}"
            else:
                rows = store.read_rows(last, "iterations") if last else []
                metrics = json.loads(rows[0]["metrics"]) if rows else {}
                keys = [k for k in metrics if k.endswith("/solve_rate") or k == "train/loss"]
                key = ", ".join(f"{k}={metrics[k]:.3g}" for k in keys if metrics[k] is not None)
        except Exception:  # noqa: BLE001 - a damaged run still gets its line
            key = "(metrics unreadable)"
        last = r.get("last_committed")
        print(f"{r['run_id']:<28} {str(r.get('status')):<10} {'-' if last is None else last:>9}  {key}")
