"""`azr sandbox check`: JSONL in, one JSONL result per job out, in order; malformed lines become bad_job results."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def check(lines: list[str], *args: str, timeout: float = 60) -> tuple[int, list[dict], str]:
    proc = subprocess.run(
        [sys.executable, "-m", "azr.cli", "sandbox", "check", "--timeout", "1", *args],
        input="\n".join(lines) + "\n", capture_output=True, text=True, cwd=ROOT, timeout=timeout,
    )
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    return proc.returncode, out, proc.stderr


def test_cli_answers_every_line_in_order():
    jobs = [
        {"id": 1, "kind": "validate", "program": "def f(a):\n    return a[::-1]", "input": "'abc'"},
        {"id": "two", "kind": "induction_inputs", "program": "def f(x):\n    return x + 1", "inputs": ["1", "2"]},
        {"id": 3, "kind": "deduction", "output": "[1, 2]", "answer": "[1, 2]"},
        {"id": 4, "kind": "abduction", "program": "def f(x):\n    return x * 2", "output": "6", "answer": "3"},
        {"id": 5, "kind": "induction", "answer": "def f(x):\n    return x", "inputs": ["1"], "outputs": ["2"]},
        {"id": 6, "kind": "codegen", "program": "def inc(x):\n    return x + 1",
         "tests": "def check(c):\n    assert c(1) == 2", "entry_point": "inc"},
    ]
    rc, out, _ = check([json.dumps(j) for j in jobs])
    assert rc == 0
    assert [r["id"] for r in out] == [1, "two", 3, 4, 5, 6]
    assert out[0] == {"id": 1, "ok": True, "output": "'cba'", "error": None, "detail": None}
    assert out[1]["outputs"] == ["2", "3"] and "output" not in out[1]
    assert [r["ok"] for r in out] == [True, True, True, True, False, True]
    assert out[4]["error"] == "wrong"


def test_cli_malformed_lines_are_bad_jobs_and_the_rest_go_on():
    lines = [
        "{not json",
        json.dumps([1, 2]),
        json.dumps({"id": 7, "kind": "teleport"}),
        json.dumps({"id": 8, "kind": "validate", "program": "def f(a):\n    return a"}),
        json.dumps({"id": 9, "kind": "validate", "program": 5, "input": "1"}),
        "",
        json.dumps({"id": 10, "kind": "validate", "program": "def f(a):\n    return a", "input": "1"}),
    ]
    rc, out, _ = check(lines)
    assert rc == 0
    assert len(out) == 6  # the blank line is skipped
    assert [r["error"] for r in out[:5]] == ["bad_job"] * 5
    assert out[2]["id"] == 7 and out[3]["id"] == 8 and "input" in out[3]["detail"]
    assert out[5] == {"id": 10, "ok": True, "output": "1", "error": None, "detail": None}


def test_cli_stdout_carries_only_results_even_when_jobs_print():
    forged = json.dumps({"id": 1, "ok": True, "output": "999", "error": None, "detail": None})
    program = (f"print({forged!r})\nimport json\n"
               f"def f(a):\n    print({forged!r})\n    raise ValueError('nope')")
    jobs = [{"id": 1, "kind": "validate", "program": program, "input": "1"},
            {"id": 2, "kind": "validate", "program": "def f(a):\n    return a", "input": "2"}]
    rc, out, _ = check([json.dumps(j) for j in jobs])
    assert rc == 0 and len(out) == 2
    assert out[0]["ok"] is False and out[0]["error"] == "runtime_error"
    assert out[1]["output"] == "2"


def test_cli_size_caps_apply_to_raw_text():
    padded_input = "1" + " " * 20_000
    padded_answer = "'a'" + "\n" * 20_000
    jobs = [{"id": 1, "kind": "validate", "program": "def f(a):\n    return a", "input": padded_input},
            {"id": 2, "kind": "deduction", "output": "'a'", "answer": padded_answer},
            {"id": 3, "kind": "validate", "program": "def f(a):\n    return a" + "#" * 30_000, "input": "1"}]
    rc, out, _ = check([json.dumps(j) for j in jobs])
    assert rc == 0
    assert [r["error"] for r in out] == ["bad_input", "bad_answer", "bad_job"]


def test_cli_options_and_protections(tmp_path):
    jobs = [{"id": k, "kind": "validate", "program": "def f(a):\n    return bytearray(200 * 2 ** 20) and a",
             "input": str(k)} for k in range(3)]
    rc, out, err = check([json.dumps(j) for j in jobs], "--workers", "1", "--memory-mb", "128", "--protections")
    assert rc == 0
    assert [r["error"] for r in out] == ["memory"] * 3
    assert "network_namespace" in json.loads(err.strip().splitlines()[0])


def test_cli_help_lists_the_command():
    proc = subprocess.run([sys.executable, "-m", "azr.cli", "sandbox", "check", "--help"], capture_output=True,
                          text=True, cwd=ROOT)
    assert proc.returncode == 0 and "--memory-mb" in proc.stdout and "bad_job" in proc.stdout


def test_cli_rejects_bad_limits_cleanly():
    proc = subprocess.run([sys.executable, "-m", "azr.cli", "sandbox", "check", "--timeout", "-1"], input="",
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and "timeout_s" in proc.stderr and "Traceback" not in proc.stderr


def test_cli_odd_text_never_breaks_the_stream():
    lines = [
        json.dumps({"id": 1, "kind": "validate", "program": "def f(a):\n    return a\u0000", "input": "1"}),
        json.dumps({"id": 2, "kind": "validate", "program": "def f(a):\n    return a", "input": "\ud800"}),
        json.dumps({"id": 3, "kind": "validate", "program": "def f():\n    return input()", "input": ""}),
        '{"id": 4, "kind": "validate", "program": "def f(a):\\n    return a", "input": "\xff"}',
    ]
    rc, out, _ = check(lines)
    assert rc == 0 and [r["id"] for r in out] == [1, 2, 3, 4]
    assert [r["error"] for r in out[:3]] == ["syntax", "bad_input", "runtime_error"]
