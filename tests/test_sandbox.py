"""Sandbox semantics: every job kind, every error code, strict equality and both reward hacks from AZR.md.

Real worker processes throughout (one module-scoped Sandbox, so start-up is paid once)."""

from __future__ import annotations

import pytest

from azr.config import SandboxConfig
from sandbox import ERROR_CODES, Job, Result, Sandbox, SandboxError, parse_args, parse_literal, same_value

IDENTITY = "def f(a):\n    return a"


@pytest.fixture(scope="module")
def sb():
    with Sandbox(SandboxConfig(workers=2, timeout_s=1.0, memory_mb=256, max_output_chars=2000)) as s:
        yield s


def one(sb: Sandbox, **kw) -> Result:
    return sb.run([Job(id="t", **kw)])[0]


def validate(sb: Sandbox, program: str, input: str = "1") -> Result:
    return one(sb, kind="validate", program=program, input=input)


# --------------------------------------------------------------------------- literal parsing (no process)

def test_parse_args_forms():
    assert parse_args("'John', {'age': 20}") == ("John", {"age": 20})
    assert parse_args("(1, 2)") == ((1, 2),)
    assert parse_args("1, 2") == (1, 2)
    assert parse_args("") == ()
    assert parse_args("[1, 2],") == ([1, 2],)


@pytest.mark.parametrize("text", [
    "1) or True or (0", "1), print(2", ")(1", "x=1", "*[1, 2]", "**{}", "f(1)", "1 + a", "lambda: 0",
    "__import__('os').system('true')", "[x for x in (1,)]",
])
def test_parse_args_rejects_injections_and_code(text):
    with pytest.raises(SandboxError):
        parse_args(text)


def test_parse_literal_caps_raw_size_and_depth():
    with pytest.raises(SandboxError, match="characters"):
        parse_literal("1" + " " * 100, max_chars=50)  # padding counts
    with pytest.raises(SandboxError, match="nests deeper"):
        parse_literal("[" * 10 + "]" * 10, max_depth=5)
    assert parse_literal("[[1]]", max_depth=2) == [[1]]


def test_parse_literal_rejects_non_literals():
    for text in ("type('X', (), {})()", "nan", "1 if 1 else 2", "open('x')"):
        with pytest.raises(SandboxError):
            parse_literal(text)


def test_same_value_is_strict_on_types():
    assert same_value([1, (2, "a")], [1, (2, "a")])
    assert not same_value(1, True) and not same_value(1, 1.0) and not same_value([1], (1,))
    assert not same_value({1: "a"}, {True: "a"}) and not same_value({1}, {True})
    assert same_value({"a": 1, "b": 2}, {"b": 2, "a": 1})
    assert same_value(0.0, -0.0)


# --------------------------------------------------------------------------- job kinds

def test_validate_returns_repr_of_output(sb):
    r = validate(sb, "def f(s, n):\n    return {'s': s * n, 'n': [n, None, True]}", "'ab', 2")
    assert r.ok and r.error is None
    assert r.output == "{'s': 'abab', 'n': [2, None, True]}"


def test_validate_allows_helpers_classes_and_stdlib(sb):
    program = (
        "import collections, itertools, functools, math, re, heapq, bisect, string, dataclasses, typing, json\n"
        "@dataclasses.dataclass\nclass P:\n    x: int\n"
        "def helper(x):\n    return math.isqrt(x)\n"
        "@functools.lru_cache(None)\ndef fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n"
        "def f(xs):\n    print('debug output is discarded')\n"
        "    c = collections.Counter(xs)\n"
        "    return [helper(16), P(3).x, fib(20), sorted(c.items()), re.sub('a', 'b', 'aa'),\n"
        "            list(itertools.accumulate(xs)), heapq.nsmallest(1, xs), bisect.bisect(xs, 2)]\n"
    )
    r = validate(sb, program, "[1, 2, 2]")
    assert r.ok, r.detail
    assert r.output == "[4, 3, 6765, [(1, 1), (2, 2)], 'bb', [1, 3, 5], [1], 3]"


def test_induction_inputs_returns_every_output(sb):
    r = one(sb, kind="induction_inputs", program="def f(x):\n    return x * 2", inputs=["1", "'a'", "[0]"])
    assert r.ok and r.outputs == ["2", "'aa'", "[0, 0]"]


def test_induction_inputs_reports_first_error(sb):
    r = one(sb, kind="induction_inputs", program="def f(x):\n    return 10 // x", inputs=["1", "0", "'a'"])
    assert not r.ok and r.error == "runtime_error" and r.detail.startswith("input 1:")


def test_deduction_runs_no_process_and_is_strict(sb):
    ok = sb.run([Job(id=1, kind="deduction", output="[1, 'a']", answer=" [1, 'a'] ")])[0]
    assert ok.ok
    for answer in ("True", "1.0", "(1,)"):
        r = one(sb, kind="deduction", output="1" if answer != "(1,)" else "[1]", answer=answer)
        assert not r.ok and r.error == "wrong", answer


def test_abduction_checks_f_of_args(sb):
    program = "def f(a, b):\n    return a + b"
    good = one(sb, kind="abduction", program=program, output="5", answer="2, 3")
    other = one(sb, kind="abduction", program=program, output="5", answer="1, 4")  # any input that works
    bad = one(sb, kind="abduction", program=program, output="5", answer="1, 1")
    assert good.ok and other.ok
    assert not bad.ok and bad.error == "wrong" and bad.output == "2"


def test_abduction_group_keeps_answers_independent(sb):
    # Same program, many answers: each answer is a job of its own, in a fresh process.
    program = "seen = []\ndef f(x):\n    seen.append(x)\n    return len(seen)"
    jobs = [Job(id=k, kind="abduction", program=program, output="1", answer=str(k)) for k in range(10)]
    assert all(r.ok for r in sb.run(jobs))


def test_induction_checks_every_hidden_pair(sb):
    inputs, outputs = ["1", "2", "3"], ["2", "4", "6"]
    right = one(sb, kind="induction", answer="def f(x):\n    return x + x", inputs=inputs, outputs=outputs)
    wrong = one(sb, kind="induction", answer="def f(x):\n    return 2 if x == 1 else 4", inputs=inputs,
                outputs=outputs)
    assert right.ok
    assert not wrong.ok and wrong.error == "wrong" and "hidden pair 2" in wrong.detail



def test_identical_induction_answers_are_judged_per_task(sb):
    # One answer program written for several tasks is judged on each task's own pairs: a right one, a wrong one,
    # one whose hidden input raises, one that loops (timeout), and a right one after it.
    answer = "def f(x):\n    while x == 'spin':\n        pass\n    return x * 2"
    tasks = [(["1", "2"], ["2", "4"]), (["1", "2"], ["2", "5"]), (["1", "None"], ["2", "0"]),
             (["'spin'"], ["0"]), (["'a'", "3"], ["'aa'", "6"])]
    jobs = [Job(id=k, kind="induction", answer=answer, inputs=i, outputs=o) for k, (i, o) in enumerate(tasks)]
    got = sb.run(jobs)
    assert got[0].ok and got[4].ok
    assert got[1].error == "wrong" and "hidden pair 1" in got[1].detail
    assert got[2].error == "runtime_error" and "hidden pair 1" in got[2].detail
    assert got[3].error == "timeout"


def test_identical_induction_answers_do_not_share_state(sb):
    answer = "import math\ndef f(x):\n    math.calls = getattr(math, 'calls', 0) + 1\n    return math.calls"
    jobs = [Job(id=k, kind="induction", answer=answer, inputs=[str(k)], outputs=["1"]) for k in range(6)]
    assert all(r.ok for r in sb.run(jobs))

def test_codegen_runs_check_against_entry_point(sb):
    tests = "def check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(-1, 1) == 0\n"
    good = one(sb, kind="codegen", program="def add(a, b):\n    return a + b", tests=tests, entry_point="add")
    bad = one(sb, kind="codegen", program="def add(a, b):\n    return a * b", tests=tests, entry_point="add")
    assert good.ok
    assert not bad.ok and bad.error == "wrong"


def test_results_keep_input_order_and_ids(sb):
    jobs = []
    for k in range(30):
        if k % 3 == 0:
            jobs.append(Job(id=k, kind="deduction", output=str(k), answer=str(k)))
        elif k % 3 == 1:
            jobs.append(Job(id=k, kind="validate", program=IDENTITY, input=str(k)))
        else:
            jobs.append(Job(id=k, kind="validate", program="def f(x):\n    return x +", input="1"))
    results = sb.run(jobs)
    assert [r.id for r in results] == list(range(30))
    assert [r.ok for r in results] == [k % 3 != 2 for k in range(30)]
    assert results[1].output == "1"


# --------------------------------------------------------------------------- every error code

def test_error_syntax(sb):
    r = validate(sb, "def f(a)\n    return a")
    assert (r.ok, r.error) == (False, "syntax") and "line 1" in r.detail


def test_error_no_entry(sb):
    assert validate(sb, "def g(a):\n    return a").error == "no_entry"
    assert validate(sb, "f = 3").error == "no_entry"


@pytest.mark.parametrize("program", [
    "import os\ndef f(a):\n    return a",
    "from subprocess import run\ndef f(a):\n    return a",
    "def f(a):\n    import random\n    return a",
    "def f(a):\n    return __import__('os').getcwd()",
    "import importlib\ndef f(a):\n    return importlib.import_module('os').getcwd()",
    "def f(a):\n    return ().__class__.__base__.__subclasses__()",
    "def f(a):\n    return getattr(f, '__globals__')",
    "import __main__\ndef f(a):\n    return a",  # the worker's own module
    "import _frozen_importlib_external as e\ndef f(a):\n    return e._os.getcwd()",
    "import linecache\ndef f(a):\n    return linecache.os.sep",  # a banned module one attribute away
    "import collections\ndef f(a):\n    return collections._sys.platform",
    "from posixpath import os\ndef f(a):\n    return os.sep",
    "import queue\ndef f(a):\n    return queue.threading.active_count()",
])
def test_error_banned_import_by_every_spelled_route(sb, program):
    r = validate(sb, program)
    assert (r.ok, r.error) == (False, "banned_import"), r.detail


def test_stdlib_modules_that_import_banned_modules_themselves_still_import(sb):
    # pprint imports sys, statistics imports random, fnmatch imports os: that is the library's business.
    assert validate(sb, "import statistics\ndef f(a):\n    return statistics.median([3, 1, a])", "2").output == "2"
    program = "from pprint import pformat\nimport fnmatch, shlex\ndef f(a):\n    return pformat({'b': a, 'a': 1})"
    assert validate(sb, program, "2").output == "\"{'a': 1, 'b': 2}\""


@pytest.mark.parametrize("body", [
    "exec('import o' + 's')",  # the job's own import, after it imported a permitted module
    "exec('import o' + 's', pprint.__dict__)",  # in a stdlib module's namespace, but not during an import
    "exec('import rand' + 'om')",
])
def test_stdlib_imports_open_no_route_for_the_job(sb, body):
    r = validate(sb, f"import pprint\ndef f(a):\n    {body}\n    return a")
    assert (r.ok, r.error) == (False, "banned_import"), r


def test_everyday_attribute_names_are_not_module_routes(sb):
    program = ("class T:\n    def __init__(self):\n        self.time, self.code, self.random = 1, 2, 3\n"
               "def f(a):\n    os = 4\n    t = T()\n    return t.time + t.code + t.random + os")
    assert validate(sb, program).output == "10"


def test_error_banned_import_at_run_time_even_if_caught(sb):
    # A name built at run time gets past the static check; the import blocker still refuses it.
    program = ("import json\ndef f(a):\n    try:\n        m = json.loads('\"o\"') + 's'\n"
               "        return str(__builtins__)\n    except Exception:\n        return 0")
    assert validate(sb, program).error == "banned_import"  # __builtins__ is an escape hatch
    program = ("def f(a):\n    name = ''.join(['o', 's'])\n    try:\n"
               "        exec('import ' + name)\n    except ImportError:\n        pass\n    return a")
    r = validate(sb, program)
    assert (r.ok, r.error) == (False, "banned_import") and "'os'" in r.detail


def test_error_bad_input(sb):
    assert validate(sb, IDENTITY, "1) or True or (0").error == "bad_input"
    assert validate(sb, IDENTITY, "[" + "1, " * 6000 + "]").error == "bad_input"  # over max_literal_chars


def test_error_timeout(sb):
    r = validate(sb, "def f(a):\n    while True:\n        a += 1")
    assert (r.ok, r.error) == (False, "timeout")


def test_error_memory(sb):
    r = validate(sb, "def f(a):\n    return len(bytearray(10 ** 10))")
    assert (r.ok, r.error) == (False, "memory")


def test_error_runtime_error(sb):
    r = validate(sb, "def f(a):\n    return [1][a]")
    assert (r.ok, r.error) == (False, "runtime_error") and r.detail.startswith("IndexError")


def test_error_nondeterministic(sb):
    # Two executions that share no program state: anything address-based differs between them.
    r = validate(sb, "def f(a):\n    return id(object()) % 1000003")
    assert (r.ok, r.error) == (False, "nondeterministic")
    counter = "calls = []\ndef f(a):\n    import math\n    math.calls = getattr(math, 'calls', 0) + 1\n    return math.calls"
    assert validate(sb, counter).error == "nondeterministic"


@pytest.mark.parametrize("expr", ["object()", "float('nan')", "float('inf')", "frozenset([1])",
                                  "(lambda: 0)", "type('X', (), {})", "__import_list()",
                                  "{1: {2: bytearray(b'x')}}", "range(3)"])
def test_error_output_not_literal(sb, expr):
    program = "def __import_list():\n    a = []\n    a.append(a)\n    return a\n" f"def f(x):\n    return {expr}"
    r = validate(sb, program)
    assert (r.ok, r.error) == (False, "output_not_literal"), (expr, r)


@pytest.mark.parametrize("expr", ["'a' * 10 ** 7", "list(range(10 ** 6))", "10 ** 5000", "nest(100)"])
def test_error_output_too_large(sb, expr):
    program = ("def nest(n):\n    x = []\n    for _ in range(n):\n        x = [x]\n    return x\n"
               f"def f(a):\n    return {expr}")
    r = validate(sb, program)
    assert (r.ok, r.error) == (False, "output_too_large"), r


def test_error_bad_answer(sb):
    assert one(sb, kind="deduction", output="1", answer="one").error == "bad_answer"
    assert one(sb, kind="abduction", program=IDENTITY, output="1", answer="1, x=2").error == "bad_answer"


def test_error_wrong(sb):
    assert one(sb, kind="deduction", output="'a'", answer="'b'").error == "wrong"


def test_error_crashed_on_c_stack_overflow(sb):
    # Recursion through C (map) with the recursion limit lifted: the interpreter overflows the C stack.
    program = ("import sys\nsys.setrecursionlimit(10 ** 7)\n"
               "def deep(n):\n    return list(map(deep, [n + 1]))\n")
    r = one(sb, kind="codegen", program=program, tests="def check(c):\n    c(0)\n", entry_point="deep")
    assert (r.ok, r.error) == (False, "crashed"), r


@pytest.mark.parametrize("job, missing", [
    (dict(kind="validate", program=IDENTITY), "input"),
    (dict(kind="abduction", program=IDENTITY, output="1"), "answer"),
    (dict(kind="induction", answer=IDENTITY, inputs=["1"]), "outputs"),
    (dict(kind="codegen", program=IDENTITY, tests="def check(c): pass"), "entry_point"),
])
def test_error_bad_job_missing_field(sb, job, missing):
    r = one(sb, **job)
    assert (r.ok, r.error) == (False, "bad_job") and missing in r.detail


def test_error_bad_job_oversized_program_counts_padding(sb):
    padded = IDENTITY + "\n" + " " * 25_000
    assert validate(sb, padded).error == "bad_job"
    r = one(sb, kind="induction", answer=padded, inputs=["1"], outputs=["1"])
    assert r.error == "bad_answer"


def test_every_documented_code_is_exercised():
    # Keep this list in step with the tests above and ERROR_CODES (which the README documents).
    assert set(ERROR_CODES) == {
        "syntax", "no_entry", "banned_import", "bad_input", "timeout", "memory", "runtime_error",
        "nondeterministic", "output_not_literal", "output_too_large", "bad_answer", "wrong", "crashed", "bad_job",
    }


# --------------------------------------------------------------------------- the two reward hacks of AZR.md

def test_hack_abduction_answer_that_closes_the_call(sb):
    r = one(sb, kind="abduction", program="def f(x):\n    return x * 2", output="10", answer="1) or True or (0")
    assert not r.ok and r.error == "bad_answer"


def test_hack_always_equal_object_as_deduction_answer(sb):
    answer = "type('X', (), {'__eq__': lambda self, other: True})()"
    r = one(sb, kind="deduction", output="[1, 2, 3]", answer=answer)
    assert not r.ok and r.error == "bad_answer"


def test_hack_always_equal_object_returned_by_code(sb):
    always = ("class AlwaysEqual:\n    def __eq__(self, other):\n        return True\n"
              "    def __repr__(self):\n        return '42'\n")
    induction = one(sb, kind="induction", answer=always + "def f(x):\n    return AlwaysEqual()",
                    inputs=["1", "2"], outputs=["2", "3"])
    assert not induction.ok and induction.error == "output_not_literal"
    abduction = one(sb, kind="abduction", program=always + "def f(x):\n    return AlwaysEqual()",
                    output="42", answer="1")
    assert not abduction.ok
    # An int subclass with a rigged __eq__ is not an exact literal type either.
    rigged = "class I(int):\n    def __eq__(self, o):\n        return True\ndef f(x):\n    return I(5)"
    assert one(sb, kind="induction", answer=rigged, inputs=["1"], outputs=["7"]).error == "output_not_literal"


def test_identical_runs_execute_once_and_answer_every_job(sb):
    # Two jobs with the same program and input: both get the answer (from one execution).
    jobs = [Job(id=k, kind="induction", answer="def f(x):\n    return x * 3", inputs=["2"], outputs=["6"])
            for k in range(3)]
    assert [(r.id, r.ok) for r in sb.run(jobs)] == [(0, True), (1, True), (2, True)]


def test_reordered_dict_output_is_still_equal(sb):
    r = one(sb, kind="induction", answer="def f(x):\n    return {'b': 2, 'a': x}", inputs=["1"],
            outputs=["{'a': 1, 'b': 2}"])
    assert r.ok, r.detail


def test_strict_determinism_uses_two_processes():
    with Sandbox(SandboxConfig(workers=2, timeout_s=1.0), strict_determinism=True) as s:
        ok, inputs, bad = s.run([
            Job(id=1, kind="validate", program="def f(a):\n    return sorted(a)", input="[3, 1, 2]"),
            Job(id=2, kind="induction_inputs", program="def f(a):\n    return -a", inputs=["1", "2"]),
            Job(id=3, kind="validate", program="def f(a):\n    return 1 / 0", input="1"),
        ])
        assert s.protections["strict_determinism"] is True
    assert ok.ok and ok.output == "[1, 2, 3]"
    assert inputs.ok and inputs.outputs == ["-1", "-2"]
    assert not bad.ok and bad.error == "runtime_error"


def test_concurrent_callers_get_their_own_results(sb):
    import threading

    out: dict[int, list] = {}

    def call(t: int) -> None:
        jobs = [Job(id=k, kind="validate", program=f"def f(a):\n    return a + {t}", input=str(k)) for k in range(5)]
        out[t] = [r.output for r in sb.run(jobs)]

    threads = [threading.Thread(target=call, args=(t,)) for t in (100, 200)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert out == {100: [str(k + 100) for k in range(5)], 200: [str(k + 200) for k in range(5)]}
