"""`azr config show`: print the resolved configuration, so users can check presets and overrides."""

from __future__ import annotations

import argparse


def add_config_args(p: argparse.ArgumentParser) -> None:
    """--config/--set, shared by every command that takes a run configuration."""
    p.add_argument("--config", metavar="FILE", help="YAML preset (default: configs/tiny-cpu.yaml)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override one setting, e.g. --set rollout.temperature=0.7 (repeatable)")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("config", help="show the resolved run configuration")
    csub = p.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    show = csub.add_parser("show", help="print the configuration after --config and --set, as YAML")
    add_config_args(show)
    show.add_argument("--flat", action="store_true", help="one dotted key per line")
    show.set_defaults(handler=_show)


def _show(args: argparse.Namespace) -> int:
    import yaml

    from azr.config import flatten, load_config

    cfg = load_config(args.config, args.overrides)
    if args.flat:
        for k, v in flatten(cfg).items():
            print(f"{k}={v}")
    else:
        print(yaml.safe_dump(cfg.model_dump(), sort_keys=False), end="")
    return 0
