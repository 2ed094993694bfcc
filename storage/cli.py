"""`azr sql`: query the run history (every run's committed Parquet) with DuckDB SQL."""

from __future__ import annotations

import argparse
import sys

EXAMPLES = """\
views: tasks, proposals, rollouts, iterations, evals (every row has run_id and iteration)

examples:
  azr sql "select task_type, count(*) from tasks group by all"
  azr sql "select iteration, task_type, avg(correct::int) as solve_rate from rollouts
           where role = 'solve' and purpose = 'train' group by all order by all" --run 20250101-120000-ab12cd
  azr sql "select error, count(*) from proposals where not valid group by all order by 2 desc" --format csv
  azr sql - < query.sql          (read the query from stdin; @FILE reads it from a file)

The README section "Querying history with SQL" lists the columns and a dozen more queries.
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sql", help="query run history (tasks, proposals, rollouts, iterations, evals) with SQL",
        description="Run a DuckDB SQL query over the committed history of every run in the home folder.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("query", metavar="QUERY", help="SQL text, '-' to read it from stdin, or @FILE")
    p.add_argument("--run", metavar="RUN_ID", help="restrict the views to one run")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table",
                   help="table (default, for reading), csv, or json (an array of objects)")
    p.add_argument("--output", "-o", metavar="FILE", help="write the result to FILE instead of stdout")
    p.add_argument("--home", metavar="DIR", help="home folder (default: $AZR_HOME or ./azr-home)")
    p.add_argument("--max-width", type=int, default=60, metavar="N",
                   help="table format: cut cells longer than N characters (0: never; default 60)")
    p.set_defaults(handler=_sql)


def _read_query(text: str) -> str:
    from azr.cli import CLIError

    if text == "-":
        return sys.stdin.read()
    if text.startswith("@"):
        try:
            with open(text[1:]) as fh:
                return fh.read()
        except OSError as exc:
            raise CLIError(f"cannot read the query file {text[1:]!r}: {exc.strerror}") from None
    return text


def _sql(args: argparse.Namespace) -> int:
    from azr.cli import CLIError
    from azr.config import resolve_home
    from storage.catalog import query
    from storage.format import render
    from storage.store import StorageError

    home = resolve_home(args.home)
    sql = _read_query(args.query)
    if not sql.strip():
        raise CLIError("the query is empty")
    problems: list = []
    try:
        result = query(home, sql, run_id=args.run, problems=problems)
    except StorageError as exc:  # DuckDB's own message (or a missing run), never a traceback
        print(f"azr sql: error: {exc}", file=sys.stderr)
        return 2
    for p in problems:
        print(f"azr sql: warning: {p.message}", file=sys.stderr)
    text = render(result, args.format, max_width=args.max_width if args.format == "table" else 0)
    if args.output:
        try:
            with open(args.output, "w", newline="") as fh:
                fh.write(text)
        except OSError as exc:
            raise CLIError(f"cannot write {args.output!r}: {exc.strerror}") from None
        print(f"wrote {result.num_rows} row{'s' * (result.num_rows != 1)} to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
