"""Writes bench/data/azr_deduction.jsonl and bench/data/azr_abduction.jsonl: our own evaluation sets of the AZR
kind, in CRUXEval format (code, input, output, id).

Every program was written for this project (none is taken from CRUXEval, HumanEval, MBPP or any other public
benchmark): a few deterministic lines defining a top-level ``f`` over strings, lists, dicts, tuples, ints and
the odd bool or exact float. The programs and their inputs live in bench/eval_programs_deduction.py and
bench/eval_programs_abduction.py; each gold output is ``repr(f(*args))``, computed here by running the program in
a fresh namespace. Deduction items ask for the output given the input; abduction items show the output and ask
for any input that produces it. The two sets share few programs and none with bench/data/deduction50.jsonl.

Before writing, every item is checked: the output round-trips through ``ast.literal_eval`` with exact types,
is short, has only short exact floats, and is reproduced by a fresh subprocess with a different PYTHONHASHSEED
(one batch run). Two shortcuts are ruled out: answering an abduction item with its own output never passes, and
copying the input solves at most 5% of deduction items. After writing, both files are loaded with
``azr.evaluation.benchmarks.load_benchmark``. The output is byte-identical on every run. Re-run after editing the program lists:

    .venv/bin/python bench/make_eval_sets.py
"""

from __future__ import annotations

import ast
import json
import os
import random
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for p in (str(ROOT), str(BENCH)):
    if p not in sys.path:
        sys.path.insert(0, p)

import eval_programs_abduction  # noqa: E402
import eval_programs_deduction  # noqa: E402

from sandbox import same_value  # noqa: E402

DATA = BENCH / "data"
SETS = {  # file name -> (mode, id prefix, program list)
    "azr_deduction.jsonl": ("deduction", "azr-ded", eval_programs_deduction.PROGRAMS),
    "azr_abduction.jsonl": ("abduction", "azr-abd", eval_programs_abduction.PROGRAMS),
}
SEED = 20240611  # fixed shuffle, so the files are reproducible and a --limit run sees every kind of program
MIN_ITEMS = 220
MIN_PROGRAMS = 120
MAX_SHARED = 0.20  # at most this fraction of one set's programs may also appear in the other
MAX_OUTPUT_CHARS = 200
MAX_FLOAT_CHARS = 8
MAX_COPY_INPUT = 0.05  # deduction: at most this fraction of outputs may equal the input (copying it would pass)


class SetError(AssertionError):
    """An item that breaks one of the rules above; the message names the program and input."""


def _clean(code: str) -> str:
    code = code.strip("\n")
    lines = code.split("\n")
    if not 2 <= len(lines) <= 10 or not lines[0].startswith("def f("):
        raise SetError(f"program must be 2-10 lines starting with `def f(`:\n{code}")
    return code


def _floats_ok(value) -> bool:
    if isinstance(value, float):
        return len(repr(value)) <= MAX_FLOAT_CHARS and float(repr(value)) == value
    if isinstance(value, (list, tuple, set, frozenset)):
        return all(_floats_ok(v) for v in value)
    if isinstance(value, dict):
        return all(_floats_ok(k) and _floats_ok(v) for k, v in value.items())
    return True


def run_item(code: str, inp: str):
    """f(*args) for one item: the program in a fresh namespace, the arguments parsed as literals."""
    ns: dict = {}
    exec(compile(code, "<eval-set>", "exec"), ns)  # our own trusted programs
    args = ast.literal_eval(f"({inp},)")
    return args, ns["f"](*args)


def _copy_solves(code: str, value, out: str) -> bool:
    """Abduction: would answering with the shown output itself pass (f(output) == output)?"""
    try:
        return same_value(run_item(code, out)[1], value)
    except Exception:  # noqa: BLE001 - a crash means copying fails, which is what we want
        return False


def _items(mode: str, programs) -> list[dict]:
    items = []
    for entry in programs:
        code, inputs = _clean(entry[0]), entry[1:]
        if not inputs:
            raise SetError(f"no inputs for:\n{code}")
        outputs = []
        for inp in inputs:
            where = f"{mode} program\n{code}\ninput {inp}"
            args, value = run_item(code, inp)
            out = repr(value)
            if len(out) >= MAX_OUTPUT_CHARS:
                raise SetError(f"{where}: output repr has {len(out)} characters")
            if not same_value(ast.literal_eval(out), value):
                raise SetError(f"{where}: output {out} does not round-trip through ast.literal_eval")
            if not _floats_ok(value):
                raise SetError(f"{where}: output {out} holds a long or inexact float")
            if mode == "abduction" and len(args) == 1 and same_value(value, args[0]):
                raise SetError(f"{where}: abduction output equals the input")
            if mode == "abduction" and _copy_solves(code, value, out):
                raise SetError(f"{where}: answering with the output {out} itself would pass")
            outputs.append(out)
            items.append({"code": code, "input": inp, "output": out, "same": same_value((value,), args)})
        if mode == "abduction" and len(set(outputs)) < len(outputs):
            raise SetError(f"abduction program gives the same output for two inputs:\n{code}")
    return items


def build() -> dict[str, list[str]]:
    """The lines of each file (without newlines), checked in this process; no file is written."""
    result = {}
    codes = {}
    for name, (mode, prefix, programs) in SETS.items():
        items = _items(mode, programs)
        keys = [(it["code"], it["input"]) for it in items]
        if len(set(keys)) != len(keys):
            raise SetError(f"{name}: a (program, input) pair repeats")
        if mode == "abduction" and len({(it["code"], it["output"]) for it in items}) != len(items):
            raise SetError(f"{name}: a (program, output) pair repeats")
        copies = sum(it.pop("same") for it in items)
        if mode == "deduction" and copies > MAX_COPY_INPUT * len(items):
            raise SetError(f"{name}: {copies} outputs equal their input; copying the input would score too well")
        codes[name] = {it["code"] for it in items}
        if len(items) < MIN_ITEMS or len(codes[name]) < MIN_PROGRAMS:
            raise SetError(f"{name}: {len(items)} items, {len(codes[name])} programs "
                           f"(need {MIN_ITEMS} and {MIN_PROGRAMS})")
        random.Random(SEED).shuffle(items)
        result[name] = [json.dumps({**it, "id": f"{prefix}-{i:03d}"}) for i, it in enumerate(items, 1)]
    old = {json.loads(line)["code"] for line in (DATA / "deduction50.jsonl").read_text().splitlines() if line.strip()}
    ded, abd = codes["azr_deduction.jsonl"], codes["azr_abduction.jsonl"]
    for name, c in codes.items():
        if c & old:
            raise SetError(f"{name} repeats a program of deduction50.jsonl:\n{sorted(c & old)[0]}")
    shared = ded & abd
    if len(shared) > MAX_SHARED * min(len(ded), len(abd)):
        raise SetError(f"{len(shared)} programs are in both sets")
    return result


_CHILD = """
import ast, json, sys
out = []
for code, inp in json.load(sys.stdin):
    ns = {}
    exec(compile(code, "<eval-set>", "exec"), ns)
    out.append(repr(ns["f"](*ast.literal_eval("(" + inp + ",)"))))
json.dump(out, sys.stdout)
"""


def check_in_subprocess(lines: list[str]) -> None:
    """Re-run every item in one fresh interpreter with a different hash seed; every output must match."""
    items = [json.loads(line) for line in lines]
    parent = os.environ.get("PYTHONHASHSEED", "")
    seed = str(int(parent) + 1) if parent.isdigit() else "12345"
    env = {**os.environ, "PYTHONHASHSEED": seed}
    proc = subprocess.run([sys.executable, "-I", "-c", _CHILD], input=json.dumps([[it["code"], it["input"]]
                          for it in items]), capture_output=True, text=True, env=env, timeout=120, check=True)
    got = json.loads(proc.stdout)
    for it, out in zip(items, got, strict=True):
        if out != it["output"]:
            raise SetError(f"{it['id']}: a fresh process (PYTHONHASHSEED={seed}) gives {out}, not {it['output']}")


def main() -> None:
    from azr.evaluation.benchmarks import load_benchmark

    DATA.mkdir(parents=True, exist_ok=True)
    for name, lines in build().items():
        mode = SETS[name][0]
        check_in_subprocess(lines)
        path = DATA / name
        path.write_text("\n".join(lines) + "\n")
        bench = load_benchmark(path, mode)
        assert len(bench) == len(lines), (len(bench), len(lines))
        programs = len({json.loads(line)["code"] for line in lines})
        print(f"wrote {len(lines)} {mode} items ({programs} programs) to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
