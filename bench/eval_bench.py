"""Greedy evaluation benchmark: the bundled model on bench/data/deduction50.jsonl, through `azr eval` itself.

    .venv/bin/python bench/eval_bench.py                      # 50 items, greedy, prints time and accuracy
    .venv/bin/python bench/eval_bench.py --limit 10 --record  # any `azr eval` option passes through

By default nothing is recorded (--no-record); pass --record to write the evals rows and the MLflow run.
The wall time includes loading the model (from the safetensors cache after the first run) and the sandbox.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULTS = {"--model": "bundled", "--benchmark": str(ROOT / "bench" / "data" / "deduction50.jsonl"),
            "--mode": "deduction", "--temperature": "0"}


def main(argv: list[str]) -> int:
    from azr.cli import main as azr_main

    args = list(argv)
    record = "--record" in args
    if record:
        args.remove("--record")
    for flag, value in DEFAULTS.items():
        if flag not in args:
            args += [flag, value]
    if not record:
        args.append("--no-record")
    print("azr eval " + " ".join(args), file=sys.stderr)
    t0 = time.perf_counter()
    code = azr_main(["eval", *args])
    print(f"bench: eval wall time {time.perf_counter() - t0:.1f} s (exit {code})")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
