"""Programs and inputs for bench/data/azr_deduction.jsonl (written for this project; see bench/make_eval_sets.py).

Each entry is ``(code, input, input, ...)``: a program defining ``f`` and one or more argument lists, each
written as Python literals separated by commas. The gold outputs are computed by the builder, never typed here.
"""

PROGRAMS: list[tuple[str, ...]] = [
    # ------------------------------------------------------------------ strings
    ("""
def f(s):
    return s[1::2]
""", "'abcdefgh'", "'planetary'"),
    ("""
def f(s):
    return s[-3:] + s[:3]
""", "'workshop'", "'rainbow'"),
    ("""
def f(s):
    return '-'.join(s.split())
""", "'one two  three'", "'  lead and trail '"),
    ("""
def f(s):
    return s.swapcase()
""", "'HeLLo World'"),
    ("""
def f(s):
    return s.replace('ab', 'x').replace('x', 'yz')
""", "'abcab'", "'xaby'"),
    ("""
def f(s):
    return [len(w) for w in s.split(',')]
""", "'red,green,,blue'", "'a,bb,ccc'"),
    ("""
def f(s):
    return ''.join(chr(ord(c) + 1) for c in s)
""", "'hal'", "'az09'"),
    ("""
def f(s):
    return sum(ord(c) - ord('a') + 1 for c in s)
""", "'abc'", "'zoo'"),
    ("""
def f(s):
    return s.lower().count('e')
""", "'EleVEn trees'"),
    ("""
def f(s):
    words = s.split()
    return ' '.join(reversed(words))
""", "'sun rises late'", "'a b c d'"),
    ("""
def f(s):
    return s.center(9, '*')
""", "'cat'", "'lizard'"),
    ("""
def f(s):
    return s.zfill(6)
""", "'42'", "'-7'"),
    ("""
def f(s, c):
    return s.split(c)
""", "'a:b::c', ':'", "'2024-01-15', '-'"),
    ("""
def f(s):
    return s.partition('=')
""", "'key=value=2'", "'novalue'"),
    ("""
def f(s):
    out = ''
    for c in s:
        if c.isupper():
            out += c
    return out
""", "'The Quick Brown Fox'", "'eXtra LARGE'"),
    ("""
def f(s):
    return s.strip().capitalize()
""", "'  hELLO there '"),
    ("""
def f(s):
    return s.rfind('a') - s.find('a')
""", "'banana'", "'abracadabra'"),
    ("""
def f(s):
    n = len(s) // 2
    return s[n:] + s[:n]
""", "'abcdef'", "'seven'"),
    ("""
def f(s):
    return ''.join(c * 2 for c in s if c.isalpha())
""", "'a1b2'", "'x-y!z'"),
    ("""
def f(s):
    return s.startswith('pre') and s.endswith('ed')
""", "'prepared'", "'preview'"),
    ("""
def f(s):
    counts = {}
    for c in s:
        counts[c] = counts.get(c, 0) + 1
    return max(counts, key=counts.get)
""", "'mississippi'", "'abcbcac'"),
    ("""
def f(s):
    return [i for i, c in enumerate(s) if c == 'o']
""", "'foo of old'", "'zero'"),
    ("""
def f(s):
    res = []
    for w in s.split():
        res.append(w[::-1])
    return ' '.join(res)
""", "'stop the pots'", "'abc de'"),
    ("""
def f(s):
    return s.isalpha(), s.isdigit(), s.isalnum()
""", "'abc123'", "'2048'"),
    ("""
def f(s):
    return s[::-2]
""", "'abcdefg'", "'0123456789'"),
    ("""
def f(s):
    return len(s) - len(s.lstrip('0'))
""", "'000450'", "'1000'"),
    ("""
def f(s):
    return s.title().replace(' ', '')
""", "'make it camel'"),
    ("""
def f(s):
    return ''.join(sorted(set(s)))
""", "'hello'", "'mississippi'"),
    ("""
def f(s, n):
    return [s[i:i + n] for i in range(0, len(s), n)]
""", "'abcdefgh', 3", "'python', 2"),
    ("""
def f(s):
    return '{}:{}'.format(len(s), s[0].upper())
""", "'zebra'", "'a'"),
    ("""
def f(name, age):
    return f'{name} is {age + 1} next year'
""", "'Ana', 29"),
    ("""
def f(x):
    return f'[{x:>5}]'
""", "'ab'", "'long word'"),
    ("""
def f(s):
    vowels = sum(1 for c in s if c in 'aeiou')
    return vowels, len(s) - vowels
""", "'programming'", "'queue'"),
    ("""
def f(s):
    return s.upper()[::-1][1:]
""", "'tiger'"),
    ("""
def f(s):
    result = ''
    for i, c in enumerate(s):
        result += c.upper() if i % 2 == 0 else c
    return result
""", "'alternate'", "'ab cd'"),
    ("""
def f(s):
    return s.count('ab') + s.count('ba')
""", "'abababa'", "'aabb'"),
    ("""
def f(s):
    return s.split('.')[-1]
""", "'archive.tar.gz'", "'README'"),
    ("""
def f(s):
    return s.replace('a', '4').replace('e', '3').replace('o', '0')
""", "'hello aloe'"),
    ("""
def f(s):
    digits = ''.join(c for c in s if c.isdigit())
    return int(digits) if digits else 0
""", "'a1b22c3'", "'none'", "'007'"),
    ("""
def f(s):
    return ''.join(chr((ord(c) - 97 + 3) % 26 + 97) for c in s)
""", "'xyzabc'", "'hello'"),
    ("""
def f(s):
    return [ord(c) for c in s]
""", "'AZaz'"),
    ("""
def f(s):
    i = 0
    while i < len(s) and s[i] == s[0]:
        i += 1
    return i, s[i:]
""", "'aaabca'", "'xyz'"),
    ("""
def f(s):
    t = s.lower()
    return t == t[::-1]
""", "'Racecar'", "'rocket'"),
    ("""
def f(a, b):
    return ''.join(x + y for x, y in zip(a, b))
""", "'abc', '12345'", "'hlo', 'el!'"),
    ("""
def f(s):
    parts = s.split('-')
    return parts[0] + str(len(parts))
""", "'x-y-z-w'", "'solo'"),
    ("""
def f(s):
    return s.ljust(6, '.') + '|'
""", "'ab'", "'abcdefgh'"),
    ("""
def f(s):
    out = []
    for word in s.split():
        if len(word) > 3:
            out.append(word[:3] + '.')
        else:
            out.append(word)
    return ' '.join(out)
""", "'the international space station'", "'go big or go home'"),
    ("""
def f(s, old, new):
    return s.replace(old, new, 1)
""", "'a-b-c-d', '-', '+'", "'aaaa', 'aa', 'b'"),
    ("""
def f(s):
    return s[:s.index(' ')] if ' ' in s else s
""", "'first second third'", "'single'"),
    ("""
def f(s):
    total = 0
    for c in s:
        if c.isdigit():
            total = total * 10 + int(c)
        elif c == ',':
            total = 0
    return total
""", "'12,345,6x7'", "'9,,81'"),
    # ------------------------------------------------------------------ lists
    ("""
def f(xs):
    return [x for x in xs if x > sum(xs) / len(xs)]
""", "[1, 5, 3, 9, 2]", "[4, 4, 4, 5]"),
    ("""
def f(xs):
    total = 0
    out = []
    for x in xs:
        total += x
        out.append(total)
    return out
""", "[3, 1, 4, 1, 5]", "[10, -3, -3, 6]"),
    ("""
def f(xs):
    seen = []
    for x in xs:
        if x not in seen:
            seen.append(x)
    return seen
""", "[3, 1, 3, 2, 1, 4]", "['b', 'a', 'b', 'c', 'a']"),
    ("""
def f(words):
    return sorted(words, key=len)
""", "['pear', 'fig', 'banana', 'kiwi']", "['ccc', 'a', 'bb', 'd']"),
    ("""
def f(words):
    return sorted(words, key=lambda w: (w[-1], w))
""", "['cab', 'dog', 'bee', 'ant']"),
    ("""
def f(xs):
    return [i * x for i, x in enumerate(xs)]
""", "[5, 4, 3, 2]", "[7, 0, 1]"),
    ("""
def f(a, b):
    return [x - y for x, y in zip(a, b)]
""", "[10, 20, 30], [1, 2, 3, 4]", "[5, 5], [7, 3]"),
    ("""
def f(xs):
    return xs[::2] + xs[1::2]
""", "[1, 2, 3, 4, 5, 6, 7]", "['a', 'b', 'c', 'd']"),
    ("""
def f(xs):
    return max(xs, key=abs)
""", "[-7, 3, 6, -2]", "[2, -2, 1]"),
    ("""
def f(xs):
    evens = sorted(x for x in xs if x % 2 == 0)
    odds = sorted((x for x in xs if x % 2), reverse=True)
    return evens + odds
""", "[5, 2, 8, 1, 4, 7]", "[3, 3, 6]"),
    ("""
def f(xs):
    return [x for pair in zip(xs, xs[::-1]) for x in pair]
""", "[1, 2, 3]", "['a', 'b']"),
    ("""
def f(xs):
    count = 0
    for i in range(1, len(xs)):
        if xs[i] > xs[i - 1]:
            count += 1
    return count
""", "[1, 3, 2, 4, 5, 1]", "[9, 8, 7]"),
    ("""
def f(xs):
    return list(map(lambda x: x % 3, xs))
""", "[7, 8, 9, 10]", "[-1, -2, 0]"),
    ("""
def f(xs, n):
    return [xs[i:i + n] for i in range(len(xs) - n + 1)]
""", "[1, 2, 3, 4], 2", "['a', 'b', 'c'], 3"),
    ("""
def f(xs):
    xs = xs[:]
    xs.sort()
    mid = len(xs) // 2
    return xs[mid]
""", "[9, 2, 7, 4, 5]", "[10, 1, 3, 8]"),
    ("""
def f(xs):
    return sum(xs[::3])
""", "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]", "[5, 100, 100]"),
    ("""
def f(grid):
    return [row[::-1] for row in grid]
""", "[[1, 2], [3, 4], [5, 6]]"),
    ("""
def f(grid):
    return [list(col) for col in zip(*grid)]
""", "[[1, 2, 3], [4, 5, 6]]", "[['a', 'b'], ['c', 'd'], ['e', 'f']]"),
    ("""
def f(grid):
    return sum(grid[i][i] for i in range(len(grid)))
""", "[[2, 0, 1], [4, 5, 6], [7, 8, 9]]"),
    ("""
def f(xs):
    return [x for x in xs if isinstance(x, str)]
""", "[1, 'a', 2.5, 'b', None]"),
    ("""
def f(xs):
    out = []
    for x in xs:
        if out and out[-1] == x:
            continue
        out.append(x)
    return out
""", "[1, 1, 2, 2, 2, 3, 1, 1]", "['x', 'x', 'y']"),
    ("""
def f(xs):
    best = cur = 0
    for x in xs:
        cur = max(0, cur + x)
        best = max(best, cur)
    return best
""", "[2, -5, 3, 4, -1, 2, -8]", "[-3, -1, -2]"),
    ("""
def f(xs):
    return [a * b for a, b in zip(xs, xs[1:])]
""", "[2, 3, 5, 7]", "[1, -1, 1]"),
    ("""
def f(xs):
    xs.append(len(xs))
    xs.insert(0, xs[-1] * 2)
    return xs
""", "[4, 5]", "[]"),
    ("""
def f(xs):
    return xs.pop(1) + xs.pop()
""", "[10, 20, 30, 40]", "['a', 'b', 'c']"),
    ("""
def f(xs):
    return sorted(xs, key=lambda x: (-x[1], x[0]))
""", "[('a', 2), ('b', 3), ('c', 2)]"),
    ("""
def f(xs):
    return [sum(xs[:i + 1]) - sum(xs[i + 1:]) for i in range(len(xs))]
""", "[1, 2, 3]", "[5, 0, 5]"),
    ("""
def f(xs):
    pos = [x for x in xs if x > 0]
    neg = [x for x in xs if x < 0]
    return len(pos) * len(neg)
""", "[1, -2, 3, 0, -4, 5]"),
    ("""
def f(xs):
    return any(x > 10 for x in xs), all(x > 0 for x in xs)
""", "[3, 12, -1]", "[1, 2]"),
    ("""
def f(xs):
    i = len(xs) - 1
    while i > 0 and xs[i - 1] <= xs[i]:
        i -= 1
    return xs[i:]
""", "[5, 3, 1, 2, 4, 6]", "[1, 2, 3]"),
    ("""
def f(xs, target):
    for i in range(len(xs)):
        for j in range(i + 1, len(xs)):
            if xs[i] + xs[j] == target:
                return (i, j)
    return None
""", "[3, 8, 1, 6, 4], 10", "[1, 2, 3], 7"),
    ("""
def f(xs):
    return [x // 2 if x % 2 == 0 else x * 3 + 1 for x in xs]
""", "[4, 7, 10, 1]"),
    ("""
def f(xs):
    return list(reversed(sorted(set(xs))))[:3]
""", "[4, 1, 4, 9, 7, 9, 2]"),
    ("""
def f(xs):
    return xs.count(xs[0]), xs.index(xs[-1])
""", "['a', 'b', 'a', 'c', 'b']", "[7, 7, 7]"),
    ("""
def f(xs):
    return [str(x) * x for x in xs if x > 0]
""", "[2, 0, 3, -1]"),
    ("""
def f(a, b):
    return [x for x in a if x not in b]
""", "[1, 2, 3, 4, 5], [2, 4, 6]", "['a', 'b'], ['a', 'b']"),
    ("""
def f(a, b):
    return sorted(a + b)[len(a):]
""", "[5, 1, 9], [3, 7]"),
    ("""
def f(xs):
    out = []
    for x in xs:
        if x < 0:
            break
        out.append(x * x)
    return out
""", "[2, 3, -1, 4]", "[-5, 1]"),
    ("""
def f(xs):
    return min(range(len(xs)), key=lambda i: xs[i])
""", "[4, 2, 7, 2, 9]", "['m', 'z', 'c']"),
    ("""
def f(nested):
    return [x for sub in nested for x in sub if x % 2 == 0]
""", "[[1, 2], [3, 4, 6], [], [8]]"),
    ("""
def f(xs):
    return sum(1 for x in xs if x == max(xs))
""", "[3, 7, 7, 2, 7]", "[1]"),
    ("""
def f(xs):
    lo, hi = 0, len(xs) - 1
    while lo < hi:
        xs[lo], xs[hi] = xs[hi], xs[lo]
        lo += 2
        hi -= 2
    return xs
""", "[1, 2, 3, 4, 5, 6, 7]", "[1, 2, 3, 4]"),
    ("""
def f(xs):
    return [x / 2 for x in xs]
""", "[5, 3, 8]"),
    ("""
def f(xs, k):
    return sorted(xs)[k - 1], sorted(xs)[-k]
""", "[8, 3, 5, 1, 9], 2"),
    ("""
def f(xs):
    out = []
    for i in range(0, len(xs), 2):
        out.append(xs[i:i + 2][::-1])
    return out
""", "[1, 2, 3, 4, 5]"),
    # ------------------------------------------------------------------ dicts
    ("""
def f(words):
    d = {}
    for w in words:
        d[w[0]] = d.get(w[0], 0) + 1
    return d
""", "['apple', 'avocado', 'banana', 'cherry', 'blueberry']"),
    ("""
def f(d):
    return sorted(d.items(), key=lambda kv: kv[1])
""", "{'x': 3, 'y': 1, 'z': 2}"),
    ("""
def f(d):
    return sum(v for k, v in d.items() if k.startswith('a'))
""", "{'ab': 1, 'ba': 2, 'ac': 5}"),
    ("""
def f(d):
    inv = {}
    for k, v in d.items():
        inv.setdefault(v, []).append(k)
    return inv
""", "{'a': 1, 'b': 2, 'c': 1}", "{'p': 'x', 'q': 'y', 'r': 'x', 's': 'x'}"),
    ("""
def f(d, keys):
    return [d.get(k, 0) * 2 for k in keys]
""", "{'a': 3, 'b': 4}, ['a', 'c', 'b']"),
    ("""
def f(a, b):
    merged = dict(a)
    merged.update(b)
    return merged
""", "{'x': 1, 'y': 2}, {'y': 5, 'z': 0}"),
    ("""
def f(d):
    return max(d, key=lambda k: len(d[k]))
""", "{'a': [1], 'b': [1, 2, 3], 'c': [4, 5]}"),
    ("""
def f(xs):
    return {x: i for i, x in enumerate(xs)}
""", "['a', 'b', 'a', 'c']"),
    ("""
def f(d):
    return [k for k in sorted(d) if d[k] % 2 == 0]
""", "{'m': 4, 'c': 3, 'a': 8}"),
    ("""
def f(s):
    d = {}
    for w in s.split():
        d[len(w)] = w
    return d
""", "'to be or not to be'", "'one three five'"),
    ("""
def f(d):
    total = 0
    for k in d:
        total += k * d[k]
    return total
""", "{2: 3, 5: 1, 10: 2}"),
    ("""
def f(pairs):
    return dict(pairs)
""", "[('a', 1), ('b', 2), ('a', 3)]"),
    ("""
def f(d):
    return {k.upper(): v + 1 for k, v in d.items() if v > 0}
""", "{'a': 0, 'b': 2, 'c': -1, 'd': 5}"),
    ("""
def f(d):
    d = dict(d)
    d.pop('b', None)
    d['e'] = len(d)
    return d
""", "{'a': 1, 'b': 2, 'c': 3}", "{'z': 0}"),
    ("""
def f(keys, values):
    return dict(zip(keys, values))
""", "'abc', [1, 2]"),
    ("""
def f(d):
    out = []
    for k, v in sorted(d.items(), key=lambda kv: -kv[1]):
        out.append(k * v)
    return out
""", "{'a': 1, 'b': 3, 'c': 2}"),
    ("""
def f(votes):
    tally = {}
    for v in votes:
        tally[v] = tally.get(v, 0) + 1
    return sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))[0]
""", "['red', 'blue', 'red', 'green', 'blue']", "['b', 'a', 'c']"),
    ("""
def f(d, k):
    if k in d:
        return d[k] * 2
    return len(d)
""", "{'x': 4, 'y': 5}, 'y'", "{'x': 4, 'y': 5}, 'q'"),
    # ------------------------------------------------------------------ integers
    ("""
def f(n):
    return sum(int(d) ** 2 for d in str(n))
""", "123", "907"),
    ("""
def f(n):
    count = 0
    while n > 0:
        n //= 10
        count += 1
    return count
""", "90210", "0"),
    ("""
def f(a, b):
    while b:
        a, b = b, a % b
    return a
""", "48, 18", "17, 5"),
    ("""
def f(n):
    return [d for d in range(1, n + 1) if n % d == 0]
""", "28", "13"),
    ("""
def f(n):
    bits = ''
    while n > 0:
        bits = str(n % 2) + bits
        n //= 2
    return bits
""", "13", "32"),
    ("""
def f(n):
    r = 0
    while n:
        r = r * 10 + n % 10
        n //= 10
    return r
""", "1230", "7000"),
    ("""
def f(n):
    return n % 10 + n // 10 % 10
""", "457", "90"),
    ("""
def f(n):
    x = 1
    while x * 2 <= n:
        x *= 2
    return x
""", "100", "64"),
    ("""
def f(a, b):
    return a // b, a % b, -a // b
""", "17, 5", "9, 3"),
    ("""
def f(n):
    total = 0
    for i in range(1, n + 1):
        if i % 3 == 0 or i % 5 == 0:
            total += i
    return total
""", "15", "6"),
    ("""
def f(n):
    return [i * i for i in range(n) if i % 2 == 0]
""", "9"),
    ("""
def f(n):
    if n < 2:
        return False
    for d in range(2, n):
        if n % d == 0:
            return False
    return True
""", "91", "97"),
    ("""
def f(n):
    return sum(range(n, 0, -2))
""", "9", "10"),
    ("""
def f(n):
    out = []
    k = 2
    while n > 1:
        while n % k == 0:
            out.append(k)
            n //= k
        k += 1
    return out
""", "360", "77"),
    ("""
def f(n):
    return bin(n).count('1')
""", "45", "256"),
    ("""
def f(n):
    return hex(n)
""", "255", "4096"),
    ("""
def f(n):
    a, b = 1, 1
    for _ in range(n):
        a, b = b, a + 2 * b
    return a
""", "4", "2"),
    ("""
def f(x, y):
    return abs(x - y) + max(x, y) % 4
""", "3, 11", "9, 2"),
    ("""
def f(n):
    s = 0
    i = 1
    while s + i <= n:
        s += i
        i += 1
    return i - 1, s
""", "20", "3"),
    ("""
def f(n):
    return int(str(n)[::-1]) + n
""", "125", "90"),
    ("""
def f(n):
    return n * (n + 1) // 2 - n
""", "10"),
    ("""
def f(n):
    return divmod(n, 7)
""", "100", "6"),
    ("""
def f(n):
    return str(n).count('7') * 2 + len(str(n))
""", "77170"),
    ("""
def f(a, b):
    return a ** b % 10
""", "3, 4", "7, 3"),
    ("""
def f(n):
    k = 0
    while n % 2 == 0:
        n //= 2
        k += 1
    return (k, n)
""", "96", "7"),
    ("""
def f(n):
    return max(int(c) for c in str(n)) - min(int(c) for c in str(n))
""", "5829"),
    ("""
def f(n):
    return ''.join(str(i) for i in range(n, 0, -1))
""", "5", "12"),
    ("""
def f(n):
    return [n // 10 ** i % 10 for i in range(3)]
""", "4821", "7"),
    ("""
def f(n):
    out = []
    for i in range(1, n + 1):
        out.append('Fizz' if i % 3 == 0 else str(i))
    return ','.join(out)
""", "7"),
    ("""
def f(n):
    total = 0
    while n >= 10:
        n = sum(int(c) for c in str(n))
        total += 1
    return n, total
""", "9875", "5"),
    ("""
def f(a, b):
    count = 0
    for x in range(a, b):
        if x % 4 == 1:
            count += x
    return count
""", "0, 14", "5, 6"),
    # ------------------------------------------------------------------ tuples
    ("""
def f(t):
    return t[::-1] + (len(t),)
""", "(1, 'a', True)"),
    ("""
def f(points):
    return sum(x for x, y in points), max(y for x, y in points)
""", "[(1, 2), (3, -1), (0, 5)]"),
    ("""
def f(t):
    a, *rest = t
    return rest + [a]
""", "(1, 2, 3, 4)", "'xyz'"),
    ("""
def f(pairs):
    return [b for a, b in sorted(pairs)]
""", "[(3, 'c'), (1, 'a'), (2, 'b')]"),
    ("""
def f(p, q):
    return tuple(x + y for x, y in zip(p, q))
""", "(1, 2, 3), (10, 20, 30)"),
    ("""
def f(t):
    return t.count(0), t.index(max(t))
""", "(0, 3, 0, 5, 2)"),
    ("""
def f(items):
    return sorted(items, key=lambda t: t[1] * t[2])
""", "[('a', 2, 3), ('b', 1, 4), ('c', 5, 1)]"),
    ("""
def f(t):
    x, y = t
    return (y, x) if x > y else (x, y)
""", "(9, 4)", "(2, 8)"),
    # ------------------------------------------------------------------ control flow, bools, floats, formatting
    ("""
def f(x):
    if x % 15 == 0:
        return 'both'
    elif x % 5 == 0:
        return 'five'
    elif x % 3 == 0:
        return 'three'
    return str(x)
""", "25", "9", "30"),
    ("""
def f(a, b, c):
    return sorted([a, b, c])[1]
""", "7, 2, 5"),
    ("""
def f(x, lo, hi):
    return max(lo, min(x, hi))
""", "15, 0, 10", "-3, 0, 10"),
    ("""
def f(s):
    depth = 0
    best = 0
    for c in s:
        if c == '(':
            depth += 1
            best = max(best, depth)
        elif c == ')':
            depth -= 1
    return best, depth
""", "'(()(()))('", "'()()'"),
    ("""
def f(xs):
    state = 'start'
    for x in xs:
        if state == 'start' and x > 0:
            state = 'up'
        elif state == 'up' and x < 0:
            state = 'down'
    return state
""", "[0, 2, 3, -1, 4]", "[0, -1, 0]"),
    ("""
def f(n):
    return n > 0 and n % 2 == 0 or n == -1
""", "-1", "3"),
    ("""
def f(xs):
    return [x if x >= 0 else 0 for x in xs].count(0)
""", "[0, -1, 3, -4]"),
    ("""
def f(s):
    stack = []
    for c in s:
        if stack and stack[-1] == c:
            stack.pop()
        else:
            stack.append(c)
    return ''.join(stack)
""", "'abbaca'", "'aabbc'"),
    ("""
def f(a, b):
    return (a and b) or (not a and not b)
""", "True, False", "False, False"),
    ("""
def f(xs):
    return sum(xs) / len(xs)
""", "[1, 2, 3, 4]", "[7, 8]"),
    ("""
def f(a, b):
    return a / b * 2
""", "5, 4"),
    ("""
def f(x):
    return x * 2.5 - 1
""", "4", "3"),
    ("""
def f(items):
    return ', '.join(f'{k}={v}' for k, v in items)
""", "[('a', 1), ('b', 2)]"),
    ("""
def f(n, w):
    return str(n).rjust(w, '0') + '!'
""", "7, 3", "1234, 2"),
    ("""
def f(x):
    return '%s-%03d' % ('id', x)
""", "42", "5"),
    ("""
def f(name, score):
    return '{:<6}|{:>3}'.format(name, score)
""", "'Bo', 7"),
    ("""
def f(xs):
    lines = []
    for i, x in enumerate(xs, 1):
        lines.append(f'{i}.{x}')
    return ' '.join(lines)
""", "['eggs', 'milk', 'tea']"),
    ("""
def f(x):
    if x > 0:
        if x % 2 == 0:
            return x // 2
        return x * 3
    return -x
""", "8", "5", "-6"),
    ("""
def f(xs):
    a = b = 0
    for x in xs:
        if x % 2:
            a += x
        else:
            b -= x
    return a, b, a + b
""", "[1, 2, 3, 4, 5]"),
    ("""
def f(s):
    i, j = 0, len(s) - 1
    while i < j and s[i] == s[j]:
        i += 1
        j -= 1
    return s[i:j + 1]
""", "'abcxcba'", "'abxyba'"),
]
