"""Writes bench/data/deduction50.jsonl: 50 small programs of our own, in CRUXEval format (code, input, output,
id), with each gold output computed by running the program. Re-run after editing the list:

    .venv/bin/python bench/make_deduction50.py
"""

from __future__ import annotations

import json
from pathlib import Path

PROGRAMS: list[tuple[str, str]] = [
    ("def f(n):\n    return n * 3 + 1", "4"),
    ("def f(a, b):\n    return a - b * 2", "10, 3"),
    ("def f(s):\n    return s.upper()", "'quiet'"),
    ("def f(s):\n    return s[::-1]", "'garden'"),
    ("def f(xs):\n    return sum(xs)", "[3, 5, 7, 9]"),
    ("def f(xs):\n    return max(xs) - min(xs)", "[4, 11, 2, 8]"),
    ("def f(s):\n    return len(s.split())", "'the cat sat on the mat'"),
    ("def f(n):\n    return n % 7", "45"),
    ("def f(xs):\n    return [x * x for x in xs]", "[1, 2, 3, 4]"),
    ("def f(xs):\n    return [x for x in xs if x % 2 == 1]", "[5, 6, 7, 8, 9]"),
    ("def f(s):\n    return s.count('a')", "'banana bread'"),
    ("def f(s, t):\n    return s + '-' + t", "'left', 'right'"),
    ("def f(n):\n    total = 0\n    for i in range(n):\n        total += i\n    return total", "6"),
    ("def f(d):\n    return sorted(d.keys())", "{'pear': 3, 'apple': 1, 'fig': 2}"),
    ("def f(d, k):\n    return d.get(k, -1)", "{'x': 5, 'y': 8}, 'z'"),
    ("def f(xs):\n    return xs[1:4]", "[10, 20, 30, 40, 50, 60]"),
    ("def f(s):\n    return s.replace(' ', '_')", "'a b c'"),
    ("def f(n):\n    return n // 4", "19"),
    ("def f(xs):\n    return sorted(xs, reverse=True)", "[3, 1, 4, 1, 5]"),
    ("def f(s):\n    return s[0] + s[-1]", "'python'"),
    ("def f(n):\n    return [i for i in range(n) if i % 3 == 0]", "10"),
    ("def f(a, b):\n    return max(a, b) * min(a, b)", "7, 3"),
    ("def f(xs):\n    return len(set(xs))", "[1, 2, 2, 3, 3, 3]"),
    ("def f(s):\n    return s.isdigit()", "'2024'"),
    ("def f(s):\n    return ''.join(sorted(s))", "'dcba'"),
    ("def f(xs):\n    out = []\n    for x in xs:\n        out.insert(0, x)\n    return out", "[1, 2, 3]"),
    ("def f(n):\n    return str(n) * 2", "12"),
    ("def f(s):\n    return s.title()", "'hello big world'"),
    ("def f(xs, k):\n    return xs[k:] + xs[:k]", "[1, 2, 3, 4, 5], 2"),
    ("def f(n):\n    result = 1\n    for i in range(1, n + 1):\n        result *= i\n    return result", "5"),
    ("def f(s):\n    return {c: s.count(c) for c in sorted(set(s))}", "'abca'"),
    ("def f(xs):\n    return [xs[i] + xs[i + 1] for i in range(len(xs) - 1)]", "[1, 4, 9, 16]"),
    ("def f(a, b, c):\n    return (a + b) * c", "2, 3, 4"),
    ("def f(s):\n    return s.strip('*')", "'**star**'"),
    ("def f(n):\n    return n > 10 and n < 20", "15"),
    ("def f(xs):\n    return xs.index(max(xs))", "[7, 2, 9, 4]"),
    ("def f(s):\n    return [w[0] for w in s.split()]", "'red green blue'"),
    ("def f(n):\n    digits = [int(c) for c in str(n)]\n    return sum(digits)", "4096"),
    ("def f(x):\n    if x < 0:\n        return 'negative'\n    if x == 0:\n        return 'zero'\n    return 'positive'", "-3"),
    ("def f(xs):\n    return list(zip(xs, xs[1:]))", "['a', 'b', 'c']"),
    ("def f(s, n):\n    return s[:n].upper() + s[n:]", "'morning', 3"),
    ("def f(xs):\n    return {x: x % 2 == 0 for x in xs}", "[1, 2, 3]"),
    ("def f(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a", "8"),
    ("def f(s):\n    vowels = 'aeiou'\n    return ''.join(c for c in s if c not in vowels)", "'education'"),
    ("def f(xs):\n    return tuple(x * 10 for x in xs)", "(1, 2, 3)"),
    ("def f(n):\n    steps = 0\n    while n != 1:\n        n = n // 2 if n % 2 == 0 else 3 * n + 1\n        steps += 1\n    return steps", "6"),
    ("def f(d):\n    return {v: k for k, v in d.items()}", "{'a': 1, 'b': 2}"),
    ("def f(s):\n    return s.find('lo')", "'hello world'"),
    ("def f(xs):\n    evens = [x for x in xs if x % 2 == 0]\n    return len(evens), sum(evens)", "[2, 3, 4, 5, 6]"),
    ("def f(s, t):\n    return sorted(set(s) & set(t))", "'planet', 'plant'"),
]


def main() -> None:
    out = Path(__file__).resolve().parent / "data" / "deduction50.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    assert len(PROGRAMS) == 50, len(PROGRAMS)
    lines = []
    for i, (code, inp) in enumerate(PROGRAMS):
        ns: dict = {}
        exec(code, ns)  # our own trusted programs
        value = eval(f"f({inp})", ns)
        lines.append(json.dumps({"code": code, "input": inp, "output": repr(value), "id": f"ded50-{i:02d}"}))
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {len(lines)} items to {out}")


if __name__ == "__main__":
    main()
