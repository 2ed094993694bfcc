"""`azr sandbox check`: JSONL jobs on stdin, one JSONL result per job on stdout, in the same order.

Users vet their own seed programs with it, and the evaluation tooling drives it. stdout carries result lines only
(jobs cannot print into it: their stdout is /dev/null), progress and diagnostics go to stderr, and the exit status
is 0 once every line has been answered, whatever the verdicts were.
"""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    from azr.config_cli import add_config_args

    p = sub.add_parser("sandbox", help="run model-written Python in the sandbox")
    ssub = p.add_subparsers(dest="sandbox_command", metavar="ACTION", required=True)
    check = ssub.add_parser(
        "check", help="check JSONL jobs from stdin, write JSONL results to stdout",
        description="Reads one JSON job per line ({\"id\", \"kind\", \"program\", \"input\", \"inputs\", \"output\", "
        "\"outputs\", \"answer\", \"tests\", \"entry_point\"}) and writes one result line per job, in order: "
        "{\"id\", \"ok\", \"output\" (or \"outputs\"), \"error\", \"detail\"}. Kinds: validate, induction_inputs, "
        "deduction, abduction, induction, codegen. Blank lines are skipped; any other malformed line gets a "
        "bad_job result.",
    )
    add_config_args(check)
    check.add_argument("--workers", type=int, metavar="N", help="parallel workers (default: one per core)")
    check.add_argument("--timeout", type=float, metavar="S", help="wall-clock seconds per execution")
    check.add_argument("--memory-mb", type=int, metavar="M", help="address-space limit per job, MiB")
    check.add_argument("--batch", type=int, default=2048, metavar="K", help="jobs read before checking (default 2048)")
    check.add_argument("--progress", action="store_true", help="progress bar on stderr")
    check.add_argument("--protections", action="store_true", help="print active protections to stderr first")
    check.set_defaults(handler=_check)


def _job_from_line(line: bytes):
    """(Job, None) or (None, bad_job Result)."""
    import json

    from pydantic import ValidationError

    from .models import Job, Result

    try:
        data = json.loads(line)
    except (ValueError, RecursionError) as exc:
        return None, Result(ok=False, error="bad_job", detail=f"line is not valid JSON: {exc}"[:300])
    job_id = data.get("id") if isinstance(data, dict) else None
    if not isinstance(job_id, (str, int)) or isinstance(job_id, bool):
        job_id = None
    if not isinstance(data, dict):
        return None, Result(ok=False, error="bad_job", detail="a job must be a JSON object")
    try:
        return Job.model_validate(data), None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'job'}: {e['msg']}" for e in exc.errors()[:5])
        return None, Result(id=job_id, ok=False, error="bad_job", detail=problems[:500])


def _check(args: argparse.Namespace) -> int:
    import json

    from azr.config import load_config

    from .pool import Sandbox

    cfg = load_config(args.config, args.overrides).sandbox if (args.config or args.overrides) else None
    if cfg is None:
        from azr.config import SandboxConfig

        cfg = SandboxConfig()
    updates = {}
    if args.workers is not None:
        updates["workers"] = args.workers
    if args.timeout is not None:
        updates["timeout_s"] = args.timeout
    if args.memory_mb is not None:
        updates["memory_mb"] = args.memory_mb
    if updates:
        from pydantic import ValidationError

        from azr.cli import CLIError

        try:
            cfg = cfg.model_validate({**cfg.model_dump(), **updates})
        except ValidationError as exc:
            raise CLIError("; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())) from None

    out = sys.stdout
    stdin = sys.stdin.buffer
    with Sandbox(cfg) as sandbox:
        if args.protections:
            print(json.dumps(sandbox.protections), file=sys.stderr)
        batch_size = max(1, args.batch)
        while True:
            entries: list = []  # (kind or None, Job or None, ready Result or None)
            for raw in stdin:
                if not raw.strip():
                    continue
                job, bad = _job_from_line(raw)
                entries.append((job.kind if job else None, job, bad))
                if len(entries) >= batch_size:
                    break
            if not entries:
                break
            jobs = [e[1] for e in entries if e[1] is not None]
            results = iter(sandbox.run(jobs, progress=args.progress))
            for kind, job, bad in entries:
                result = bad if bad is not None else next(results)
                out.write(json.dumps(result.to_json_dict(kind)) + "\n")
            out.flush()
    return 0
