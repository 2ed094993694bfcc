"""The `azr` command. Each subcommand lives with the code it drives and registers itself here; heavy imports
(torch, Prefect, MLflow) happen inside the handlers so `azr --help` stays instant."""

from __future__ import annotations

import argparse
import importlib
import sys

# module path -> that module's `register(subparsers)` adds its subcommands.
COMMAND_MODULES = (
    "storage.cli",
    "azr.config_cli",
    "flows.cli",
    "azr.evaluation.cli",
    "sandbox.cli",
)


class CLIError(Exception):
    """Expected failures (bad input, missing files): printed as one clear message, exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="azr",
        description="Absolute Zero Reasoner: self-play training of code LLMs as Prefect workflows.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Start with `azr train` (two iterations of configs/tiny-cpu.yaml on CPU) and `azr sql --help`.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from azr.config import ConfigError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except (CLIError, ConfigError, FileNotFoundError) as exc:
        print(f"azr {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    # `python -m azr.cli` loads this file as __main__; run the canonical module so subcommands that raise
    # azr.cli.CLIError are caught by the same class.
    from azr.cli import main as canonical_main

    sys.exit(canonical_main())
