"""`azr config show` / `azr config docs`: the resolved configuration, what each setting means, the README table."""

from __future__ import annotations

import argparse
import shutil


def add_config_args(p: argparse.ArgumentParser) -> None:
    """--config/--set, shared by every command that takes a run configuration."""
    p.add_argument("--config", metavar="FILE", help="YAML preset (default: configs/tiny-cpu.yaml)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override one setting, e.g. --set rollout.temperature=0.7 (repeatable)")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("config", help="show the resolved run configuration and what each setting means")
    csub = p.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    show = csub.add_parser("show", help="print the configuration after --config and --set, as YAML")
    add_config_args(show)
    how = show.add_mutually_exclusive_group()
    how.add_argument("--flat", action="store_true", help="one dotted key per line")
    how.add_argument("--describe", action="store_true",
                     help="every dotted key with its value and what it does, grouped by section")
    show.set_defaults(handler=_show)
    docs = csub.add_parser("docs", help="print the README's configuration table (markdown) from the models")
    docs.set_defaults(handler=_docs)


def _show(args: argparse.Namespace) -> int:
    import yaml

    from azr.config import flatten, load_config

    cfg = load_config(args.config, args.overrides)
    if args.describe:
        from azr.config_docs import describe_lines

        width = max(60, min(120, shutil.get_terminal_size((100, 24)).columns))
        print("\n".join(describe_lines(cfg, width=width)))
    elif args.flat:
        for k, v in flatten(cfg).items():
            print(f"{k}={v}")
    else:
        print(yaml.safe_dump(cfg.model_dump(), sort_keys=False), end="")
    return 0


def _docs(args: argparse.Namespace) -> int:
    from azr.config_docs import markdown_table

    print(markdown_table(), end="")
    return 0
