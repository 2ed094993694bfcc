"""Programs and inputs for bench/data/azr_abduction.jsonl (written for this project; see bench/make_eval_sets.py).

Each entry is ``(code, input, input, ...)``: a program defining ``f`` and one or more argument lists. The item
shows the solver the program and the output of one call; any input that reproduces that output counts. The
programs are chosen so that the output depends on the input in a way that can be worked backwards.
"""

PROGRAMS: list[tuple[str, ...]] = [
    # ------------------------------------------------------------------ strings
    ("""
def f(s):
    return s[::-1] + '!'
""", "'stone'", "'ab'"),
    ("""
def f(s):
    return s.upper() + str(len(s))
""", "'kite'", "'go'"),
    ("""
def f(s):
    return ''.join(chr(ord(c) - 1) for c in s)
""", "'ifmmp'", "'bcd'"),
    ("""
def f(s):
    return s.replace('-', '').upper() + str(s.count('-'))
""", "'a-b-c'", "'up-to-date'"),
    ("""
def f(s):
    return s[1:] + s[0]
""", "'rotate'", "'xy'"),
    ("""
def f(s):
    return '#'.join(s)
""", "'abc'", "'hello'"),
    ("""
def f(s):
    return ''.join(c for c in s if c in 'aeiou') + str(len(s))
""", "'education'", "'rhythm and blues'"),
    ("""
def f(s):
    return len(s), s.count('x')
""", "'xoxo'", "'box'"),
    ("""
def f(s):
    return s.split('/')[1:]
""", "'/usr/local/bin'", "'a/b'"),
    ("""
def f(s):
    return s * 2 + s[0]
""", "'ab'", "'cat'"),
    ("""
def f(words):
    return ' '.join(w.capitalize() for w in words)
""", "['big', 'red', 'dog']", "['one']"),
    ("""
def f(s):
    return ''.join(c for c in s if not c.isdigit()) + str(sum(c.isdigit() for c in s))
""", "'r2d2'", "'a1b2c3'"),
    ("""
def f(s):
    return {c: s.index(c) for c in s}
""", "'banana'", "'abc'"),
    ("""
def f(s, n):
    return s[n:] + s[:n]
""", "'abcdef', 2", "'python', 5"),
    ("""
def f(s):
    return ''.join(sorted(s, reverse=True)) + str(len(s))
""", "'python'", "'aab'"),
    ("""
def f(s):
    return [len(w) for w in s.split()]
""", "'a bb ccc'", "'hello big world'"),
    ("""
def f(s):
    return sum(int(c) for c in s if c.isdigit())
""", "'a1b2c3'", "'x9y9'"),
    ("""
def f(s):
    out = ''
    for c in s:
        out = c + out
    return out.upper()
""", "'flow'", "'stressed'"),
    ("""
def f(s):
    return s.count('a') * 10 + s.count('b')
""", "'aabab'", "'bbb'"),
    ("""
def f(s):
    return ''.join(str(ord(c) - 96) for c in s)
""", "'cab'", "'bad'"),
    ("""
def f(s):
    return s.lstrip('x').rstrip('y'), len(s)
""", "'xxhelloyy'", "'xyx'"),
    ("""
def f(s):
    return [s[i] + s[i + 1] for i in range(0, len(s) - 1, 2)]
""", "'abcdef'", "'12345'"),
    ("""
def f(s):
    return s.find('z'), s.rfind('z')
""", "'azbzc'", "'pizza'"),
    ("""
def f(a, b):
    return a + b[::-1]
""", "'abc', 'xyz'", "'race', 'rac'"),
    ("""
def f(s):
    return s[-2:] * 2 + s[:1]
""", "'hello'", "'no'"),
    ("""
def f(s):
    return s.lower().split('e')
""", "'TreeHouse'", "'Eleven'"),
    ("""
def f(s):
    return ''.join(c.upper() if c in 'aeiou' else c.lower() for c in s)
""", "'banana'", "'quiet time'"),
    ("""
def f(s):
    return len(s.split()), ' '.join(sorted(s.split()))
""", "'pear apple fig'", "'b a c a'"),
    ("""
def f(s):
    count = 0
    for i in range(len(s) - 1):
        if s[i] == s[i + 1]:
            count += 1
    return count
""", "'aabbbcc'", "'bookkeeper'"),
    ("""
def f(s):
    return ''.join(chr(ord('a') + (ord(c) - ord('a') + 13) % 26) for c in s)
""", "'hello'", "'abjurer'"),
    ("""
def f(s):
    return s[len(s) // 2], len(s)
""", "'abcde'", "'middle'"),
    ("""
def f(s):
    return tuple(s.split(','))
""", "'x,y,z'", "'10,20'"),
    ("""
def f(s):
    upper = sum(c.isupper() for c in s)
    return upper, len(s) - upper
""", "'HeLLo'", "'abc'"),
    ("""
def f(s):
    res = []
    for ch in s:
        if ch.isdigit():
            res.append(int(ch) * 2)
    return res
""", "'a1b5c9'", "'2024'"),
    ("""
def f(s):
    return s.strip('.').split('.')
""", "'..a.b.c..'", "'x.y'"),
    ("""
def f(s):
    return f'<{s}>' * 2
""", "'tag'", "'b'"),
    ("""
def f(s, t):
    return s.count(t), s.find(t)
""", "'abcabcab', 'ab'", "'hello', 'l'"),
    ("""
def f(s):
    return [s[:i] for i in range(1, len(s) + 1)]
""", "'abc'", "'tree'"),
    ("""
def f(s):
    i = s.index(':')
    return s[i + 1:], s[:i]
""", "'key:val'", "'a:b:c'"),
    ("""
def f(s):
    words = s.split('_')
    return words[0] + ''.join(w.title() for w in words[1:]), len(words)
""", "'snake_case_name'", "'max_value'"),
    ("""
def f(s):
    return s.replace('a', 'aa').replace('b', '')
""", "'abba'", "'cab'"),
    ("""
def f(s):
    return [w.upper() for w in s.split() if len(w) % 2 == 0]
""", "'this is an odd test'", "'we meet here'"),
    ("""
def f(s):
    out = []
    run = 1
    for i in range(1, len(s) + 1):
        if i < len(s) and s[i] == s[i - 1]:
            run += 1
        else:
            out.append(s[i - 1] + str(run))
            run = 1
    return ''.join(out)
""", "'aaabcc'", "'zzzzy'"),
    ("""
def f(s):
    key = 3
    return ''.join(s[i::key] for i in range(key))
""", "'abcdefgh'", "'123456'"),
    ("""
def f(s):
    pairs = []
    for i in range(len(s) // 2):
        pairs.append(s[i] + s[-1 - i])
    return pairs
""", "'abcdef'", "'level'"),
    ("""
def f(s):
    vowels = consonants = 0
    for c in s:
        if c in 'aeiou':
            vowels += 1
        elif c.isalpha():
            consonants += 1
    return vowels, consonants
""", "'hello world'", "'aeiou'"),
    ("""
def f(s):
    return ''.join(c for i, c in enumerate(s) if i % 3 != 2)
""", "'abcdefghi'", "'xyzw'"),
    ("""
def f(s, sep):
    return sep.join(reversed(s.split(sep)))
""", "'a.b.c', '.'", "'x--y', '-'"),
    ("""
def f(s):
    return s.upper().count('A'), s[-1]
""", "'Banana'", "'aAaZ'"),
    # ------------------------------------------------------------------ lists
    ("""
def f(xs):
    return [x * 2 + 1 for x in xs]
""", "[1, 2, 3]", "[0, -1, 10]"),
    ("""
def f(xs):
    return sum(sorted(xs)[-2:]), sorted(xs)[0]
""", "[5, 1, 9, 3]", "[4, 4, 2]"),
    ("""
def f(xs):
    return [x // 3 for x in xs if x % 3 == 0]
""", "[3, 4, 6, 7, 9]", "[1, 12, 30]"),
    ("""
def f(xs):
    out = [0]
    for x in xs:
        out.append(out[-1] + x)
    return out
""", "[1, 2, 3]", "[5, -5, 5]"),
    ("""
def f(xs):
    return [xs[i + 1] - xs[i] for i in range(len(xs) - 1)]
""", "[1, 4, 9, 16]", "[10, 7, 7, 2]"),
    ("""
def f(xs):
    return xs[-1:] + xs[:-1]
""", "[1, 2, 3, 4]", "['a', 'b']"),
    ("""
def f(xs):
    return sum(x * x for x in xs)
""", "[1, 2, 3]", "[5, 5]"),
    ("""
def f(xs):
    return len(xs), sum(xs), max(xs)
""", "[4, 1, 5]", "[7]"),
    ("""
def f(xs):
    return list(enumerate(xs, 1))
""", "['a', 'b']", "[10, 20, 30]"),
    ("""
def f(xs):
    return [(x, xs.count(x)) for x in sorted(set(xs))]
""", "[3, 1, 3, 2]", "[5, 5, 5]"),
    ("""
def f(xs):
    return xs[::-1][::2]
""", "[1, 2, 3, 4, 5, 6]", "['p', 'q', 'r']"),
    ("""
def f(a, b):
    return [x * y for x, y in zip(a, b)]
""", "[1, 2, 3], [4, 5, 6]", "[2, 2], [7, 8, 9]"),
    ("""
def f(xs):
    return sorted(xs, key=lambda x: -x)[:-1]
""", "[3, 1, 2]", "[10, 30, 20, 30]"),
    ("""
def f(xs):
    result = []
    for x in xs:
        result = [x] + result + [x]
    return result
""", "[1, 2, 3]", "['a', 'b']"),
    ("""
def f(xs):
    return [max(xs[:i + 1]) * (i + 1) for i in range(len(xs))]
""", "[2, 1, 5, 3, 7]", "[4, 4, 1]"),
    ("""
def f(words):
    return [w[:3] for w in words if len(w) > 3]
""", "['a', 'tree', 'is', 'green']", "['the', 'long', 'words', 'go']"),
    ("""
def f(words):
    return '.'.join(w[0] for w in words).upper()
""", "['portable', 'network', 'graphics']", "['as', 'soon', 'as', 'possible']"),
    ("""
def f(xs):
    return ''.join(str(x) for x in sorted(xs, key=str))
""", "[10, 9, 100, 2]", "[3, 21, 1]"),
    ("""
def f(xs):
    return xs[:len(xs) // 2], xs[len(xs) // 2:]
""", "[1, 2, 3, 4, 5]", "['a', 'b']"),
    ("""
def f(xs):
    evens, odds = [], []
    for x in xs:
        (evens if x % 2 == 0 else odds).append(x)
    return evens, odds
""", "[1, 2, 3, 4, 5, 6]", "[7, 9, 8]"),
    ("""
def f(xs):
    return [x * x for x in xs if x > 0][:3]
""", "[-1, 4, 0, 2, 8, 5]", "[0, 7]"),
    ("""
def f(grid):
    return [sum(row) for row in grid]
""", "[[1, 2], [3, 4]]", "[[5], [1, 1, 1], []]"),
    ("""
def f(grid):
    return [row[0] for row in grid], [row[-1] for row in grid]
""", "[[1, 2, 3], [4, 5, 6]]", "[['a', 'b'], ['c', 'd'], ['e', 'f']]"),
    ("""
def f(xs):
    return [x - xs[0] for x in xs[1:]]
""", "[5, 3, 8]", "[10, 12, 10, 15]"),
    ("""
def f(xs, n):
    return [x for x in xs if x != n]
""", "[1, 2, 1, 3], 1", "['a', 'b', 'c'], 'c'"),
    ("""
def f(xs):
    return [a + b for a, b in zip(xs[::2], xs[1::2])]
""", "[1, 2, 3, 4, 5, 6]", "[10, 1, 20, 2]"),
    ("""
def f(xs):
    flat = []
    for sub in xs:
        flat.extend(sub)
    return flat
""", "[[1], [2, 3], []]", "[['ab', 'c'], ['d']]"),
    ("""
def f(xs):
    return [str(x) for x in xs if x % 2]
""", "[1, 2, 3, 4, 5]", "[11, 22, 33]"),
    ("""
def f(xs):
    out = []
    for i, x in enumerate(xs):
        if i % 2 == 1:
            out.append(x * i)
    return out
""", "[5, 6, 7, 8]", "[1, 1, 1, 1, 1, 1]"),
    ("""
def f(xs):
    return min(xs) * max(xs)
""", "[3, -2, 5]", "[4, 6]"),
    ("""
def f(xs):
    return len(xs) - len(set(xs)), sorted(set(xs), reverse=True)
""", "[3, 1, 3, 2]", "[8, 8, 0]"),
    ("""
def f(xs):
    counts = [0, 0, 0]
    for x in xs:
        counts[x % 3] += 1
    return counts
""", "[1, 2, 3, 4, 5, 6, 7]", "[3, 6, 9, 4]"),
    ("""
def f(xs):
    total = 1
    for x in xs:
        total *= x
    return total
""", "[2, 3, 4]", "[5, 5, 2]"),
    ("""
def f(xs, k):
    return [x * k for x in xs if x * k < 20]
""", "[1, 5, 8], 3", "[2, 4, 6], 4"),
    ("""
def f(xs):
    return list(zip(xs, range(len(xs), 0, -1)))
""", "['a', 'b', 'c']", "[True, False]"),
    ("""
def f(xs):
    return [xs[i] for i in range(0, len(xs), 3)]
""", "[1, 2, 3, 4, 5, 6, 7]", "['a', 'b', 'c', 'd']"),
    ("""
def f(xs):
    return xs + xs[::-1][1:]
""", "[1, 2, 3]", "['x', 'y']"),
    ("""
def f(xs):
    i = 0
    while i < len(xs) and xs[i] < 10:
        i += 1
    return xs[:i], i
""", "[2, 5, 12, 3]", "[1, 2, 3]"),
    ("""
def f(xs):
    result = []
    top = xs[0]
    for x in xs:
        top = max(top, x)
        result.append(top - x)
    return result
""", "[3, 1, 4, 1, 5]", "[9, 2, 10]"),
    ("""
def f(xs):
    best = xs[0]
    for x in xs[1:]:
        if len(x) > len(best):
            best = x
    return best.upper()
""", "['ab', 'abcd', 'abc']", "['sun', 'moon', 'star']"),
    ("""
def f(xs):
    return [(x, xs.index(x)) for x in xs if xs.count(x) == 1]
""", "[1, 2, 2, 3, 4, 4]", "['a', 'b', 'a']"),
    ("""
def f(xs):
    out = []
    for x in xs:
        out.append(x)
        if x % 5 == 0:
            out.append(0)
    return out
""", "[5, 3, 10]", "[1, 20]"),
    ("""
def f(xs):
    return [xs[i] - i for i in range(len(xs)) if xs[i] > i]
""", "[0, 5, 1, 7, 2]", "[3, 3, 3, 3, 3]"),
    ("""
def f(xs):
    s = sorted(xs)
    return s[0], s[-1], s[len(s) // 2], len(s)
""", "[7, 2, 9, 4, 5]", "[1, 3]"),
    ("""
def f(xs):
    return [abs(x) for x in xs if x < 0]
""", "[3, -4, -1, 2]", "[-10, 10, -20]"),
    ("""
def f(names, ages):
    return [n for n, a in zip(names, ages) if a >= 18]
""", "['ann', 'bob', 'cy'], [17, 30, 18]", "['x', 'y'], [40, 2]"),
    # ------------------------------------------------------------------ dicts
    ("""
def f(d):
    return sorted(d.values())
""", "{'a': 3, 'b': 1}", "{'x': 5, 'y': 5, 'z': 0}"),
    ("""
def f(d):
    return {v * 2: k.upper() for k, v in d.items()}
""", "{'a': 1, 'b': 2}", "{'q': 5}"),
    ("""
def f(s):
    counts = {}
    for c in s:
        counts[c] = counts.get(c, 0) + 1
    return counts
""", "'hello'", "'aabbbc'"),
    ("""
def f(words):
    return {w[0]: len(w) for w in words}
""", "['hi', 'there']", "['abc', 'de', 'f']"),
    ("""
def f(d):
    return [k for k, v in d.items() if v > 1]
""", "{'a': 2, 'b': 1, 'c': 3}", "{'x': 10, 'y': 0}"),
    ("""
def f(d):
    return sum(d.values()) - len(d)
""", "{'a': 4, 'b': 6}", "{'k': 1}"),
    ("""
def f(keys):
    return {k * 2: len(keys) for k in keys}
""", "['x', 'y']", "'ab'"),
    ("""
def f(d, k):
    return d.get(k, 'missing') * 2
""", "{'a': 'apple'}, 'a'", "{'b': 3}, 'b'"),
    ("""
def f(pairs):
    d = {}
    for k, v in pairs:
        d.setdefault(k, []).append(v)
    return d
""", "[('a', 1), ('b', 2), ('a', 3)]", "[('z', 'q')]"),
    ("""
def f(d):
    return sorted(d.items(), key=lambda kv: -kv[1])[0]
""", "{'x': 3, 'y': 9, 'z': 5}", "{'m': -1, 'n': -2}"),
    ("""
def f(d):
    out = {}
    for k, v in d.items():
        out[k + k] = v * v
    return out
""", "{'a': 2, 'b': 3}", "{'z': -4}"),
    ("""
def f(xs):
    return {x % 4: x for x in xs}
""", "[1, 2, 5, 8]", "[3, 7, 11]"),
    ("""
def f(d):
    return [(k, d[k]) for k in sorted(d, reverse=True)]
""", "{'b': 1, 'a': 2}", "{'m': 'x', 'z': 'y', 'c': 'w'}"),
    ("""
def f(a, b):
    return {k: a[k] + b.get(k, 0) for k in a}
""", "{'x': 1, 'y': 2}, {'x': 10}", "{'p': 5}, {'q': 1}"),
    ("""
def f(d):
    return ''.join(k * v for k, v in d.items())
""", "{'a': 2, 'b': 3}", "{'xy': 2, 'z': 1}"),
    ("""
def f(d):
    return {v: k for k, v in d.items() if k != v}
""", "{1: 1, 2: 3, 4: 4, 5: 6}", "{'a': 'b', 'c': 'c'}"),
    ("""
def f(d):
    best = None
    for k in d:
        if best is None or d[k] < d[best]:
            best = k
    return best, d[best]
""", "{'a': 5, 'b': 2, 'c': 8}", "{'q': 0}"),
    ("""
def f(grades):
    return {name: sum(g) // len(g) for name, g in grades.items()}
""", "{'ann': [80, 90], 'bo': [70, 71, 72]}"),
    # ------------------------------------------------------------------ integers
    ("""
def f(n):
    return n * n - 1
""", "7", "-3"),
    ("""
def f(n):
    return [n * i for i in range(1, 5)]
""", "3", "-2"),
    ("""
def f(n):
    return int(str(n)[::-1])
""", "1200", "345"),
    ("""
def f(n):
    total = 0
    while n:
        total += n % 10
        n //= 10
    return total
""", "4096", "70007"),
    ("""
def f(n):
    return n // 3, n % 3
""", "17", "3"),
    ("""
def f(a, b):
    return a * 10 + b
""", "4, 7", "12, 3"),
    ("""
def f(n):
    return bin(n)[2:]
""", "10", "1"),
    ("""
def f(n):
    return [i for i in range(1, n) if n % i == 0]
""", "12", "7"),
    ("""
def f(n):
    steps = 0
    while n > 1:
        n = n // 2
        steps += 1
    return steps
""", "40", "3"),
    ("""
def f(n):
    return '*' * n + '-' * (5 - n)
""", "3", "0"),
    ("""
def f(n):
    out = []
    while n:
        out.append(n % 10)
        n //= 10
    return out
""", "321", "1050"),
    ("""
def f(n):
    return n ** 2 + 2 * n
""", "5", "-3"),
    ("""
def f(a, b):
    return a * b - a - b
""", "3, 5", "2, 2"),
    ("""
def f(n):
    return list(range(n, n * 4, n))
""", "4", "7"),
    ("""
def f(n):
    return sum(i for i in range(n) if i % 2 == 1)
""", "10", "7"),
    ("""
def f(n):
    return (n % 2 == 0, n % 3 == 0, n % 5 == 0)
""", "6", "25"),
    ("""
def f(n):
    a, b = 0, 1
    seq = []
    while a < n:
        seq.append(a)
        a, b = b, a + b
    return seq
""", "20", "2"),
    ("""
def f(n):
    return oct(n)
""", "64", "9"),
    ("""
def f(n):
    return int(str(n) + str(n)[::-1])
""", "12", "305"),
    ("""
def f(n):
    k = 1
    while k * k < n:
        k += 1
    return k
""", "50", "81"),
    ("""
def f(n, m):
    return [x for x in range(n, m) if x % 7 == 0]
""", "10, 30", "1, 10"),
    ("""
def f(n):
    result = []
    for i in range(1, n + 1):
        result.append(i * (i + 1) // 2)
    return result
""", "5", "2"),
    ("""
def f(n):
    return chr(n + 65) * 2
""", "3", "25"),
    ("""
def f(n):
    return [int(c) for c in str(n)][::-1]
""", "507", "88"),
    ("""
def f(x):
    return x // 100 + x % 100 * 100
""", "1234", "50"),
    ("""
def f(n):
    digits = []
    while n:
        digits.append(str(n % 3))
        n //= 3
    return ''.join(reversed(digits)) or '0'
""", "17", "9"),
    ("""
def f(n):
    if n % 2:
        return n * 3 + 1
    return n // 2
""", "7", "10"),
    ("""
def f(a, b):
    lo, hi = min(a, b), max(a, b)
    return hi - lo, hi % lo
""", "4, 11", "9, 3"),
    ("""
def f(n):
    count = 0
    while n != 0:
        n &= n - 1
        count += 1
    return count
""", "255", "768"),
    ("""
def f(n):
    total = 1
    for i in range(2, n + 1, 2):
        total *= i
    return total
""", "6", "9"),
    # ------------------------------------------------------------------ tuples
    ("""
def f(t):
    return t[1:] + t[:1]
""", "(1, 2, 3)", "('a', 'b')"),
    ("""
def f(t):
    return tuple(sorted(t)) + (len(t),)
""", "(3, 1, 2)", "('b', 'a', 'c')"),
    ("""
def f(a, b):
    return (a + b, a - b)
""", "7, 3", "0, 5"),
    ("""
def f(pairs):
    return [(b, a) for a, b in pairs]
""", "[(1, 'x'), (2, 'y')]", "[('k', 'v')]"),
    ("""
def f(t):
    x, y, z = t
    return x * y + z
""", "(2, 3, 4)", "(5, 0, 1)"),
    ("""
def f(points):
    return tuple(map(sum, zip(*points)))
""", "[(1, 2), (3, 4), (5, 6)]", "[(10, 0)]"),
    ("""
def f(t):
    return len(t), t[-1], t[0]
""", "('a', 'b', 'c')", "(9,)"),
    ("""
def f(xs):
    return list(zip(*xs))
""", "[(1, 'a'), (2, 'b')]", "[[1, 2, 3]]"),
    ("""
def f(t):
    return t[0] * t[1], t[0] + t[1]
""", "(3, 4)", "(-1, 5)"),
    ("""
def f(items):
    return [t[0] for t in sorted(items, key=lambda t: t[-1])]
""", "[('x', 3), ('y', 1), ('z', 2)]", "[('lone', 0)]"),
    # ------------------------------------------------------------------ control flow, floats, formatting
    ("""
def f(x):
    if x > 100:
        return 'big'
    if x > 10:
        return 'medium'
    return 'small'
""", "500", "42"),
    ("""
def f(s):
    level = 0
    out = []
    for c in s:
        if c == '(':
            level += 1
        elif c == ')':
            level -= 1
        out.append(level)
    return out
""", "'(()())'", "'()(('"),
    ("""
def f(xs):
    for x in xs:
        if x % 7 == 0:
            return x
    return -1
""", "[3, 14, 21]", "[1, 2]"),
    ("""
def f(a, b):
    return a if len(a) >= len(b) else b + a
""", "'hi', 'there'", "'long', 'x'"),
    ("""
def f(xs):
    out = []
    for x in xs:
        if x > 0:
            out.append('+')
        elif x < 0:
            out.append('-')
        else:
            out.append('0')
    return ''.join(out)
""", "[3, -1, 0, 2]", "[0, 0, -5]"),
    ("""
def f(x, y):
    if x == y:
        return 'tie'
    return 'first' if x > y else 'second'
""", "5, 5", "1, 2"),
    ("""
def f(xs):
    return max(xs) / 2
""", "[3, 7, 5]", "[1]"),
    ("""
def f(a, b):
    return (a + b) / 2
""", "3, 6", "10, 20"),
    ("""
def f(n):
    return n / 4
""", "10", "-2"),
    ("""
def f(name, n):
    return f'{name}#{n:03d}'
""", "'ticket', 7", "'order', 1234"),
    ("""
def f(xs):
    return ' | '.join(str(x) for x in xs)
""", "[1, 2, 3]", "['a', None]"),
    ("""
def f(h, m):
    return f'{h:02d}:{m:02d}'
""", "9, 5", "23, 59"),
    ("""
def f(d):
    return ';'.join(f'{k}:{v}' for k, v in sorted(d.items()))
""", "{'b': 2, 'a': 1}", "{'z': 'end'}"),
    ("""
def f(s, n):
    return '{}x{}'.format(s, n * 2)
""", "'size', 4", "'', 0"),
    ("""
def f(x):
    sign = '-' if x < 0 else '+'
    return sign + str(abs(x)).rjust(4, '0')
""", "-42", "7"),
]
