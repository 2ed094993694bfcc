"""A corpus of small, deterministic, standard-library-only programs for the sandbox differential test.

Each entry is a `Program(name, program, input)`: `program` is Python source that defines a top-level function `f`,
`input` is its argument list as written inside a call (`f(<input>)`). Every program was written for this corpus
(none comes from a benchmark). They are the kind of code an AZR / CRUXEval-style proposer writes: a few lines over
strings, lists, dicts and numbers, using the standard library broadly.

Naming: `area/slug`. A slug that starts with `err_` exercises a caught error path (the program catches the
exception and returns something deterministic about it); a slug that starts with `raise_` lets an exception
escape on purpose, so the sandbox must report `runtime_error` with the same exception type name.

Rules every program follows (see tests/test_sandbox_stdlib_differential.py):
- deterministic: no clocks, randomness, ids, addresses, environment, files or process information, and no
  output that depends on the iteration order of sets of strings (sorted lists instead);
- no module banned by the default SandboxConfig, and none of the names the static checker refuses;
- the returned value is made only of int, float, complex, str, bytes, bool, None, list, tuple, dict and set,
  with no NaN or infinity, and its repr stays well under 5,000 characters;
- no global state is changed (decimal contexts only through localcontext, no codec registration).
"""

from __future__ import annotations

import textwrap
from typing import NamedTuple


class Program(NamedTuple):
    name: str
    program: str
    input: str

    @property
    def area(self) -> str:
        return self.name.split("/", 1)[0]

    @property
    def slug(self) -> str:
        return self.name.split("/", 1)[1]

    @property
    def expects_raise(self) -> bool:
        return self.slug.startswith("raise_")

    @property
    def handles_error(self) -> bool:
        return self.slug.startswith("err_")


PROGRAMS: list[Program] = []


def _p(name: str, input: str, program: str) -> None:
    PROGRAMS.append(Program(name, textwrap.dedent(program).strip("\n") + "\n", input))


# A round trip through one text codec: the encoded bytes, their length, and whether decoding gives the text back.
_ROUND_TRIP = r"""
def f(text, enc):
    data = text.encode(enc)
    back = data.decode(enc)
    return [enc, data, len(data), back == text]
"""


# =========================================================================== str methods

_p("str/case_methods", r"'hELLo wOrld ß straße ǅ'", r"""
def f(s):
    return [s.upper(), s.lower(), s.title(), s.capitalize(), s.swapcase(), s.casefold()]
""")

_p("str/split_variants", r"'a,b,,c  d, e'", r"""
def f(s):
    return [s.split(), s.split(','), s.split(',', 1), s.rsplit(',', 1), s.partition(','), s.rpartition(','),
            s.split(',', -1), ''.split(), ''.split(',')]
""")

_p("str/strip_family", r"'  xxhello worldxx  '", r"""
def f(s):
    t = s.strip()
    return [t, s.lstrip(' x'), s.rstrip('x '), t.strip('x'), t.removeprefix('xx'), t.removesuffix('xx'),
            t.removeprefix('zz')]
""")

_p("str/justify", r"'abc', 9", r"""
def f(s, w):
    return [s.center(w, '*'), s.ljust(w, '-'), s.rjust(w, '.'), s.zfill(w), '-42'.zfill(6), '+7'.zfill(4),
            s.center(w + 1), s.center(2)]
""")

_p("str/find_count", r"'abracadabra', 'ab'", r"""
def f(s, sub):
    return [s.find(sub), s.rfind(sub), s.index(sub), s.count(sub), s.find(sub, 5), s.find('zz'),
            s.startswith(('x', 'ab')), s.endswith('ab', 0, 2), s.count(''), s.count('a', 3, 8)]
""")

_p("str/translate_maketrans", r"'abcd abcd dcba!'", r"""
def f(s):
    table = str.maketrans('abc', 'xyz', 'd!')
    table2 = str.maketrans({'a': '1', 'b': None, 'c': 'CC'})
    return [s.translate(table), s.translate(table2), sorted(table.items())]
""")

_p("str/is_predicates", r"['abc', '123', '½', '٣', 'Ab Cd', ' \t', '_x1', 'a\x07', 'ABC', '', 'Ⅻ', 'é']", r"""
def f(words):
    out = []
    for w in words:
        out.append((w, w.isalpha(), w.isdigit(), w.isnumeric(), w.isdecimal(), w.isalnum(), w.isspace(),
                    w.isidentifier(), w.isprintable(), w.isupper(), w.islower(), w.istitle(), w.isascii()))
    return out
""")

_p("str/splitlines_keepends", r"'a\nb\r\nc\rd\x0be\x1cf\u2028g\n'", r"""
def f(s):
    return [s.splitlines(), s.splitlines(True), s.split('\n')]
""")

_p("str/expandtabs", r"'a\tbc\tdef\tg\n12345678\tx'", r"""
def f(s):
    return [s.expandtabs(), s.expandtabs(4), s.expandtabs(1), s.expandtabs(0)]
""")

_p("str/join_replace", r"['one', 'two', 'three', 'four', 'two']", r"""
def f(words):
    joined = '-'.join(reversed(words))
    return [joined, joined.replace('-', '+', 2), joined.replace('two', 'TWO'), joined.replace('', '|', 3)]
""")

_p("str/format_map", r"'{name} is {age:03d} years, {name!r}', {'name': 'Ann', 'age': 7}", r"""
def f(template, d):
    return [template.format_map(d), template.format(**d)]
""")

_p("str/palindromes", r"'abacdcabba'", r"""
def f(s):
    found = set()
    for i in range(len(s)):
        for j in range(i + 3, len(s) + 1):
            piece = s[i:j]
            if piece == piece[::-1]:
                found.add(piece)
    return sorted(found, key=lambda p: (-len(p), p))
""")

_p("str/word_frequency", r"'The cat and the hat. The END, and the start!'", r"""
def f(text):
    counts = {}
    for raw in text.split():
        word = raw.strip('.,!?').lower()
        counts[word] = counts.get(word, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
""")

_p("str/caesar", r"'Hello, World! xyz', 3", r"""
def f(text, shift):
    out = []
    for ch in text:
        if ch.isupper():
            out.append(chr((ord(ch) - 65 + shift) % 26 + 65))
        elif ch.islower():
            out.append(chr((ord(ch) - 97 + shift) % 26 + 97))
        else:
            out.append(ch)
    enc = ''.join(out)
    return [enc, f_dec(enc, shift)]

def f_dec(text, shift):
    return ''.join(chr((ord(c) - 97 - shift) % 26 + 97) if c.islower() else
                   chr((ord(c) - 65 - shift) % 26 + 65) if c.isupper() else c for c in text)
""")

_p("str/run_length", r"'aaabccddddde'", r"""
def f(s):
    out = []
    i = 0
    while i < len(s):
        j = i
        while j < len(s) and s[j] == s[i]:
            j += 1
        out.append(f'{j - i}{s[i]}')
        i = j
    encoded = ''.join(out)
    return encoded, len(encoded) < len(s)
""")

_p("str/ord_chr", r"'aé€😀\x00'", r"""
def f(s):
    codes = [ord(c) for c in s]
    return [codes, ''.join(chr(c + 1) for c in codes), [hex(c) for c in codes], ascii(s)]
""")

_p("str/slicing", r"'abcdefghij'", r"""
def f(s):
    return [s[::-1], s[1::2], s[-3:], s[:-3], s[10:20], s[::3], s[-1:-5:-1], s[5:2], s[slice(2, None, 4)]]
""")

_p("str/compare_minmax", r"'apple', 'Apple'", r"""
def f(s, t):
    return [s * 3, s < t, s > t, min(s, t), max(s, t), sorted([s, t, s.upper(), 'b', 'B', '_']),
            sorted([s, t], key=str.lower)]
""")

_p("str/casefold_compare", r"'Straße', 'STRASSE'", r"""
def f(a, b):
    return [a.casefold() == b.casefold(), a.lower() == b.lower(), a.upper(), len(a.upper())]
""")

_p("str/encoded_lengths", r"'aé€😀'", r"""
def f(s):
    return [len(s), len(s.encode()), len(s.encode('utf-16-le')), len(s.encode('utf-32-le')),
            [len(c.encode('utf-8')) for c in s]]
""")

_p("str/vowel_stats", r"'Programming in Python is fun'", r"""
def f(s):
    vowels = 'aeiou'
    low = s.lower()
    return {v: low.count(v) for v in vowels if v in low}, sum(c.isupper() for c in s), s.title().swapcase()
""")

_p("str/anagram_groups", r"['listen', 'silent', 'enlist', 'google', 'gooegl', 'cat', 'act', 'tac', 'dog']", r"""
def f(words):
    groups = {}
    for w in words:
        groups.setdefault(''.join(sorted(w)), []).append(w)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: (-len(g), g))
""")

_p("str/err_index_not_found", r"'hello', 'z'", r"""
def f(s, sub):
    try:
        return s.index(sub)
    except ValueError as e:
        return ['ValueError', str(e)]
""")

_p("str/err_format_missing_key", r"'{a} and {b}', {'a': 1}", r"""
def f(template, values):
    try:
        return template.format(**values)
    except KeyError as e:
        return ['KeyError', str(e), e.args]
""")

_p("str/err_format_bad_spec", r"'{0:d}', 'x'", r"""
def f(template, value):
    try:
        return template.format(value)
    except ValueError as e:
        return ['ValueError', str(e)]
""")

_p("str/raise_index", r"'hello', 'z'", r"""
def f(s, sub):
    return s.index(sub)
""")

_p("str/raise_concat_type", r"'abc', 3", r"""
def f(s, n):
    return s + n
""")


# =========================================================================== codecs and text encodings

for _enc, _text in [
    ("utf-8", "héllo wörld €😀"),
    ("utf-8-sig", "BOM text é"),
    ("utf-16", "utf16 with BOM é😀"),
    ("utf-16-le", "little endian é"),
    ("utf-16-be", "big endian é"),
    ("utf-32", "utf32 BOM €"),
    ("utf-32-le", "le32 😀"),
    ("utf-32-be", "be32 😀"),
    ("latin-1", "café ñ ÿ ©"),
    ("ascii", "plain ascii ~"),
    ("cp1252", "price: €5 “quoted” — dash…"),
    ("cp437", "box ░▒▓│┤ é ß"),
    ("cp850", "ÀÉÎõü ¤ ÿ"),
    ("cp1251", "Привет мир"),
    ("koi8_r", "Привет мир"),
    ("mac_roman", "café ƒ ∑ π"),
    ("iso8859_2", "Zażółć gęślą"),
    ("iso8859_3", "Ħ ħ ĉ ĝ"),
    ("iso8859_4", "ā ē ī ū ŗ"),
    ("iso8859_5", "Привет"),
    ("iso8859_6", "مرحبا"),
    ("iso8859_7", "Γειά σου"),
    ("iso8859_8", "שלום"),
    ("iso8859_9", "İstanbul ğüşöç"),
    ("iso8859_10", "Ŋ ŧ ą"),
    ("iso8859_13", "ąčęėįšųūž"),
    ("iso8859_14", "Ŵ ŷ ẁ"),
    ("iso8859_15", "€ œ Ÿ š"),
    ("shift_jis", "こんにちは世界"),
    ("cp932", "①ｱ漢字"),
    ("euc_jp", "こんにちは世界"),
    ("iso2022_jp", "こんにちは abc 世界"),
    ("gb2312", "你好世界"),
    ("gbk", "你好世界 镕"),
    ("gb18030", "你好😀"),
    ("big5", "臺灣你好"),
    ("big5hkscs", "香港"),
    ("euc_kr", "안녕하세요"),
    ("cp949", "안녕하세요 똠"),
    ("johab", "한글"),
    ("hz", "你好 abc"),
    ("utf_7", "Hi Mom -☺-!"),
    ("cp1250", "Žluťoučký kůň"),
    ("cp866", "Привет"),
    ("tis_620", "สวัสดี"),
]:
    _p(f"codec/roundtrip_{_enc.replace('-', '_')}", f"{_text!r}, {_enc!r}", _ROUND_TRIP)

_p("codec/idna_punycode", r"'bücher.example', 'bücher'", r"""
def f(host, label):
    enc = host.encode('idna')
    return [enc, enc.decode('idna'), label.encode('punycode'), b'bcher-kva'.decode('punycode'),
            'münchen.straße.de'.encode('idna')]
""")

_p("codec/unicode_escape", r"'tab\t é 😀 \\ q', b'\\u00e9\\n\\x41\\U0001f600'", r"""
def f(text, raw):
    enc = text.encode('unicode_escape')
    return [enc, enc.decode('unicode_escape') == text, raw.decode('unicode_escape'),
            text.encode('raw_unicode_escape'), b'\\u20ac\\n'.decode('raw_unicode_escape')]
""")

_p("codec/ascii_error_handlers", r"'naïve café — 😀'", r"""
def f(text):
    return [text.encode('ascii', errors) for errors in
            ('ignore', 'replace', 'xmlcharrefreplace', 'backslashreplace', 'namereplace')]
""")

_p("codec/decode_error_handlers", r"b'abc\xff\xfedef\xe2\x82'", r"""
def f(data):
    return [data.decode('utf-8', errors) for errors in ('replace', 'ignore', 'backslashreplace', 'surrogateescape')]
""")

_p("codec/surrogate_handlers", r"'a\udcff\ud800b'", r"""
def f(text):
    passed = text.encode('utf-8', 'surrogatepass')
    escaped = 'x\udc80y'.encode('utf-8', 'surrogateescape')
    return [passed, passed.decode('utf-8', 'surrogatepass') == text, escaped,
            text.encode('utf-16-le', 'surrogatepass')]
""")

_p("codec/codecs_encode_bytes_codecs", r"b'hello world'", r"""
import codecs

def f(data):
    hexed = codecs.encode(data, 'hex')
    b64 = codecs.encode(data, 'base64')
    qp = codecs.encode(b'caf\xe9 = ok', 'quopri')
    z = codecs.encode(data * 20, 'zlib')
    bz = codecs.encode(data * 20, 'bz2')
    return [hexed, codecs.decode(hexed, 'hex'), b64, codecs.decode(b64, 'base64'), qp,
            codecs.decode(qp, 'quopri'), codecs.decode(z, 'zlib') == data * 20, codecs.decode(bz, 'bz2') == data * 20]
""")

_p("codec/rot13", r"'Hello, World! Why did the chicken cross?'", r"""
import codecs

def f(text):
    once = codecs.encode(text, 'rot_13')
    return [once, codecs.decode(once, 'rot13'), codecs.encode(once, 'rot13') == text]
""")

_p("codec/uu_codec", r"b'uuencode me\n\x00\x01'", r"""
import codecs

def f(data):
    enc = codecs.encode(data, 'uu')
    return [enc, codecs.decode(enc, 'uu') == data]
""")

_p("codec/lookup_aliases", r"['latin1', 'UTF8', 'sjis', 'U16', 'euckr', 'l2', 'macintosh', 'ibm437', 'cp65001', 'utf_32_be', 'koi8-r', 'GB18030', 'windows-1251', '8859']", r"""
import codecs

def f(names):
    return [(n, codecs.lookup(n).name) for n in names]
""")

_p("codec/incremental_decoder", r"'Grüße €😀', 3", r"""
import codecs

def f(text, size):
    data = text.encode('utf-8')
    dec = codecs.getincrementaldecoder('utf-8')()
    pieces = []
    for i in range(0, len(data), size):
        pieces.append(dec.decode(data[i:i + size]))
    pieces.append(dec.decode(b'', final=True))
    return pieces
""")

_p("codec/incremental_encoder_stateful", r"['abc', 'こんにちは', 'def', '世界']", r"""
import codecs

def f(chunks):
    enc = codecs.getincrementalencoder('iso2022_jp')()
    parts = [enc.encode(c) for c in chunks] + [enc.encode('', final=True)]
    joined = b''.join(parts)
    return [parts, joined.decode('iso2022_jp')]
""")

_p("codec/iterdecode_utf16", r"[b'\xff\xfeh', b'\x00i', b'\x00\xac', b' ']", r"""
import codecs

def f(chunks):
    return list(codecs.iterdecode(chunks, 'utf-16'))
""")

_p("codec/bom_constants", r"'x'", r"""
import codecs

def f(ch):
    return [codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE,
            (codecs.BOM_UTF8 + ch.encode()).decode('utf-8-sig'), ch.encode('utf-8-sig')]
""")

_p("codec/charmap_table", r"'abc'", r"""
import codecs

def f(text):
    table = codecs.charmap_build('zyxwvutsrqponmlkjihgfedcba' + ''.join(chr(i) for i in range(26, 256)))
    return [codecs.charmap_encode(text, 'strict', table), codecs.latin_1_encode(text), codecs.utf_8_decode(b'ab\xc3')]
""")

_p("codec/detect_bom", r"[('\ufeffhi', 'utf-8'), ('hi', 'utf-16'), ('hi', 'utf-32-be'), ('plain', 'ascii')]", r"""
import codecs

def f(specs):
    blobs = [text.encode(enc) for text, enc in specs]
    boms = [('utf-32', codecs.BOM_UTF32_LE), ('utf-32', codecs.BOM_UTF32_BE), ('utf-8-sig', codecs.BOM_UTF8),
            ('utf-16', codecs.BOM_UTF16_LE), ('utf-16', codecs.BOM_UTF16_BE)]
    out = []
    for b in blobs:
        enc = next((name for name, bom in boms if b.startswith(bom)), 'utf-32-be' if b[:2] == b'\x00\x00' else 'ascii')
        out.append((enc, b.decode(enc)))
    return out
""")

_p("codec/err_unknown_encoding", r"'hello', 'klingon-8'", r"""
def f(text, enc):
    try:
        return text.encode(enc)
    except LookupError as e:
        return ['LookupError', str(e)]
""")

_p("codec/err_utf8_decode", r"b'ok\xc3\x28 and \xff'", r"""
def f(data):
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError as e:
        return [type(e).__name__, e.encoding, e.object, e.start, e.end, e.reason, str(e)]
""")

_p("codec/err_ascii_encode", r"'price €5'", r"""
def f(text):
    try:
        return text.encode('ascii')
    except UnicodeEncodeError as e:
        return [e.encoding, e.object[e.start:e.end], e.start, e.end, e.reason, str(e)]
""")

_p("codec/err_latin1_encode", r"'Ελληνικά'", r"""
def f(text):
    try:
        return text.encode('latin-1')
    except UnicodeEncodeError as e:
        return [e.start, e.end, e.reason, isinstance(e, ValueError), isinstance(e, UnicodeError)]
""")

_p("codec/err_shift_jis_truncated", r"'日本'", r"""
def f(text):
    data = text.encode('shift_jis')[:-1]
    try:
        return data.decode('shift_jis')
    except UnicodeDecodeError as e:
        return [e.encoding, e.start, e.end, e.reason]
""")

_p("codec/err_utf16_odd_length", r"b'a\x00b'", r"""
def f(data):
    try:
        return data.decode('utf-16-le')
    except UnicodeDecodeError as e:
        return [e.encoding, e.start, e.end, e.reason]
""")

_p("codec/err_cp1252_undefined", r"b'ok \x81 bad'", r"""
def f(data):
    try:
        return data.decode('cp1252')
    except UnicodeDecodeError as e:
        return [e.encoding, e.start, e.end, e.reason, data.decode('cp1252', 'replace')]
""")

_p("codec/err_text_encoding_for_bytes_codec", r"'abc'", r"""
import codecs

def f(text):
    out = []
    for call in (lambda: text.encode('rot_13'), lambda: b'abc'.decode('hex'), lambda: codecs.encode(text, 'hex')):
        try:
            out.append(call())
        except (LookupError, TypeError) as e:
            out.append([type(e).__name__, str(e)])
    return out
""")

_p("codec/err_idna_label_too_long", r"64, '.example'", r"""
def f(n, suffix):
    host = 'a' * n + suffix
    try:
        return host.encode('idna')
    except UnicodeError as e:
        return [type(e).__name__, str(e)]
""")

_p("codec/err_unicode_escape_truncated", r"b'abc\\x4'", r"""
def f(data):
    try:
        return data.decode('unicode_escape')
    except UnicodeDecodeError as e:
        return [e.start, e.end, e.reason]
""")

_p("codec/err_gb2312_unencodable", r"'你好😀'", r"""
def f(text):
    try:
        return text.encode('gb2312')
    except UnicodeEncodeError as e:
        return [e.encoding, e.start, e.end, e.reason, text.encode('gb2312', 'replace')]
""")

_p("codec/err_utf8_surrogate", r"'a\ud800b'", r"""
def f(text):
    try:
        return text.encode('utf-8')
    except UnicodeEncodeError as e:
        return [e.start, e.end, e.reason]
""")

_p("codec/err_euc_kr_invalid", r"b'\xb0\xa1\xff\xff'", r"""
def f(data):
    try:
        return data.decode('euc_kr')
    except UnicodeDecodeError as e:
        return [e.encoding, e.start, e.end, e.reason, data.decode('euc_kr', 'ignore')]
""")

_p("codec/err_ascii_decode_high", r"b'caf\xe9'", r"""
def f(data):
    try:
        return data.decode('ascii')
    except UnicodeDecodeError as e:
        return [str(e), data.decode('ascii', 'replace'), data.decode('latin-1')]
""")

_p("codec/err_base64_codec_padding", r"b'abc'", r"""
import codecs
import binascii

def f(data):
    try:
        return codecs.decode(data, 'base64')
    except binascii.Error as e:
        return ['Error', str(e)]
""")

_p("codec/err_punycode_bad", r"b'abc-\xff'", r"""
def f(data):
    try:
        return data.decode('punycode')
    except UnicodeError as e:
        return [type(e).__name__, str(e)[:80]]
""")

_p("codec/raise_unknown_encoding", r"'hi', 'no-such-codec'", r"""
def f(text, enc):
    return text.encode(enc)
""")

_p("codec/raise_decode_error", r"b'\x80abc'", r"""
def f(data):
    return data.decode('utf-8')
""")

_p("codec/raise_encode_error", r"'€uro'", r"""
def f(text):
    return text.encode('cp437')
""")


# =========================================================================== unicodedata

_p("unicodedata/names", r"'aé€😀\u0301'", r"""
import unicodedata

def f(s):
    return [unicodedata.name(c, '?') for c in s] + [unicodedata.name('\x00', 'no name')]
""")

_p("unicodedata/categories", r"'aA1 ,€\u0301\u2028٣Ⅻ_😀'", r"""
import unicodedata

def f(s):
    return [(c, unicodedata.category(c)) for c in s]
""")

_p("unicodedata/normalize_forms", r"'Åﬁ① e\u0301 ｶ ²'", r"""
import unicodedata

def f(s):
    out = {}
    for form in ('NFC', 'NFD', 'NFKC', 'NFKD'):
        n = unicodedata.normalize(form, s)
        out[form] = [n, len(n), unicodedata.is_normalized(form, s)]
    return out
""")

_p("unicodedata/numeric_values", r"'5½٣Ⅻa七²'", r"""
import unicodedata

def f(s):
    return [(c, unicodedata.numeric(c, None), unicodedata.decimal(c, None), unicodedata.digit(c, None)) for c in s]
""")

_p("unicodedata/east_asian_width", r"'aＡあ한€ｱ\u0301'", r"""
import unicodedata

def f(s):
    widths = [unicodedata.east_asian_width(c) for c in s]
    return widths, sum(2 if w in ('W', 'F') else 1 for w in widths)
""")

_p("unicodedata/combining_mirrored", r"'a\u0301\u0316()<>[]«'", r"""
import unicodedata

def f(s):
    return [(c, unicodedata.combining(c), unicodedata.mirrored(c)) for c in s]
""")

_p("unicodedata/bidirectional", r"'aא1ب ٣.'", r"""
import unicodedata

def f(s):
    return [unicodedata.bidirectional(c) for c in s]
""")

_p("unicodedata/lookup_names", r"['LATIN SMALL LETTER A', 'EURO SIGN', 'SNOWMAN', 'GRINNING FACE', 'HIRAGANA LETTER KA']", r"""
import unicodedata

def f(names):
    chars = [unicodedata.lookup(n) for n in names]
    return [chars, [ord(c) for c in chars], '\N{BLACK HEART SUIT}']
""")

_p("unicodedata/decomposition", r"'é½ﬁÅ한'", r"""
import unicodedata

def f(s):
    return [(c, unicodedata.decomposition(c)) for c in s]
""")

_p("unicodedata/strip_accents", r"'Crème Brûlée à la Façade, Ångström'", r"""
import unicodedata

def f(s):
    decomposed = unicodedata.normalize('NFD', s)
    return ''.join(c for c in decomposed if not unicodedata.combining(c))
""")

_p("unicodedata/version_and_ucd", r"'ǅ'", r"""
import unicodedata

def f(c):
    return [isinstance(unicodedata.unidata_version, str), unicodedata.ucd_3_2_0.category(c),
            unicodedata.category(c), c.upper(), c.lower(), c.title()]
""")

_p("unicodedata/err_lookup_unknown", r"'NOT A REAL CHARACTER NAME'", r"""
import unicodedata

def f(name):
    try:
        return unicodedata.lookup(name)
    except KeyError as e:
        return ['KeyError', str(e), e.args]
""")

_p("unicodedata/err_name_missing", r"'\x01'", r"""
import unicodedata

def f(c):
    try:
        return unicodedata.name(c)
    except ValueError as e:
        return ['ValueError', str(e)]
""")

_p("unicodedata/err_numeric_missing", r"'x'", r"""
import unicodedata

def f(c):
    out = []
    for fn in (unicodedata.numeric, unicodedata.decimal, unicodedata.digit):
        try:
            out.append(fn(c))
        except ValueError as e:
            out.append(str(e))
    return out
""")

_p("unicodedata/err_bad_form", r"'abc', 'NFX'", r"""
import unicodedata

def f(s, form):
    try:
        return unicodedata.normalize(form, s)
    except ValueError as e:
        return str(e)
""")

_p("unicodedata/raise_lookup", r"'NO SUCH NAME'", r"""
import unicodedata

def f(name):
    return unicodedata.lookup(name)
""")


# =========================================================================== re

_p("re/groups_spans", r"'contact: alice@example.com, bob@test.org'", r"""
import re

def f(s):
    m = re.search(r'(\w+)@(\w+)\.(com|org)', s)
    return [m.group(0), m.groups(), m.span(2), m.start(3), m.end(), m.group(1, 3), m.lastindex]
""")

_p("re/named_groups", r"'2024-03-15 and 1999-12-31'", r"""
import re

def f(s):
    pat = re.compile(r'(?P<year>\d{4})-(?P<month>\d\d)-(?P<day>\d\d)')
    return [m.groupdict() for m in pat.finditer(s)] + [pat.groupindex == {'year': 1, 'month': 2, 'day': 3}]
""")

_p("re/findall_groups", r"'a=1, b=22, ccc=333, d='", r"""
import re

def f(s):
    return [re.findall(r'(\w+)=(\d*)', s), re.findall(r'\d+', s), re.findall(r'(\w)(\w)?=', s)]
""")

_p("re/finditer_spans", r"'the quick brown fox jumps over the lazy dog'", r"""
import re

def f(s):
    return [(m.group(), m.span()) for m in re.finditer(r'\b\w{5}\b', s)]
""")

_p("re/sub_function", r"'3 apples and 12 pears cost 7.5'", r"""
import re

def f(s):
    return re.sub(r'\d+(\.\d+)?', lambda m: str(float(m.group()) * 2), s)
""")

_p("re/sub_backrefs", r"'Smith, John; Doe, Jane'", r"""
import re

def f(s):
    return [re.sub(r'(?P<last>\w+), (?P<first>\w+)', r'\g<first> \g<last>', s),
            re.sub(r'(\w+), (\w+)', r'\2 \1', s), re.sub(r'(\w+)', r'<\g<0>>', s, count=2)]
""")

_p("re/subn_count", r"'aaa bbb aaa ccc aaa'", r"""
import re

def f(s):
    return [re.subn('aaa', 'x', s), re.subn('aaa', 'x', s, count=2), re.subn('zzz', 'x', s)]
""")

_p("re/split_captures", r"'one1two22three333four'", r"""
import re

def f(s):
    return [re.split(r'\d+', s), re.split(r'(\d+)', s), re.split(r'\d+', s, maxsplit=2), re.split(r'x*', 'ab')]
""")

_p("re/flags_ignorecase_multiline", r"'Apple pie\nbanana\nAvocado toast\nalmond'", r"""
import re

def f(s):
    return [re.findall(r'^a\w*', s, re.I | re.M), re.findall(r'^a\w*', s), re.findall(r'\w+$', s, re.M),
            int(re.I | re.M)]
""")

_p("re/verbose_phone", r"'call 555-123-4567 or (555) 987 6543, not 12-34'", r"""
import re

PHONE = re.compile(r'''
    \(?(\d{3})\)?   # area code
    [\s-]?
    (\d{3})         # exchange
    [\s-]
    (\d{4})         # line
''', re.VERBOSE)

def f(s):
    return ['-'.join(m.groups()) for m in PHONE.finditer(s)]
""")

_p("re/dotall", r"'<b>bold\ntext</b> and <b>more</b>'", r"""
import re

def f(s):
    return [re.findall(r'<b>(.*?)</b>', s), re.findall(r'<b>(.*?)</b>', s, re.S), re.findall(r'<b>(.*)</b>', s, re.S)]
""")

_p("re/lookaround_password", r"['abc', 'Abcdef12', 'abcdefgh1', 'ABCDEFG1a', 'Short1A']", r"""
import re

STRONG = re.compile(r'^(?=.*[a-z])(?=.*[A-Z])(?=.*\d).{8,}$')

def f(words):
    return [(w, bool(STRONG.match(w)), re.findall(r'(?<=[a-z])\d', w)) for w in words]
""")

_p("re/match_search_fullmatch", r"'abc123'", r"""
import re

def f(s):
    out = []
    for fn in (re.match, re.search, re.fullmatch):
        for pat in (r'\d+', r'[a-z]+', r'\w+'):
            m = fn(pat, s)
            out.append(m.group() if m else None)
    return out
""")

_p("re/escape", r"'1.5*(x+y)? [a] {b} ^$|\\'", r"""
import re

def f(s):
    esc = re.escape(s)
    return [esc, bool(re.fullmatch(esc, s))]
""")

_p("re/greedy_nongreedy", r"'<<a>><<b>>'", r"""
import re

def f(s):
    return [re.findall(r'<<.+>>', s), re.findall(r'<<.+?>>', s), re.findall(r'<{1,2}', s),
            re.findall(r'<{1,2}?', s)]
""")

_p("re/unicode_vs_ascii", r"'naïve café 東京 42'", r"""
import re

def f(s):
    return [re.findall(r'\w+', s), re.findall(r'\w+', s, re.ASCII), re.findall(r'[^\W\d_]+', s),
            re.sub(r'\s', '_', s)]
""")

_p("re/conditional_and_backref", r"['<a>', 'a', '<a', 'a>', 'abab', 'abba']", r"""
import re

def f(words):
    return [(w, bool(re.fullmatch(r'(<)?a(?(1)>)', w)), bool(re.fullmatch(r'(\w)(\w)\2\1', w))) for w in words]
""")

_p("re/pattern_attributes", r"r'(?P<x>a)(b)?'", r"""
import re

def f(p):
    c = re.compile(p, re.I)
    return [c.pattern, c.groups, dict(c.groupindex), c.flags & re.I == re.I, bool(c.flags & re.U)]
""")

_p("re/scanner_tokens", r"'x = 3 + 42 * (y - 7)'", r"""
import re

TOKEN = re.compile(r'\s*(?:(?P<num>\d+)|(?P<name>[a-z]+)|(?P<op>[=+*()-]))')

def f(s):
    out = []
    pos = 0
    while pos < len(s):
        m = TOKEN.match(s, pos)
        if not m:
            break
        out.append((m.lastgroup, m.group(m.lastgroup)))
        pos = m.end()
    return out
""")

_p("re/err_unbalanced", r"['(ab', 'a{2,1}', '[z-a]', '*a', 'ok+']", r"""
import re

def f(patterns):
    out = []
    for p in patterns:
        try:
            re.compile(p)
            out.append('ok')
        except re.error as e:
            out.append((e.msg, e.pos))
    return out
""")

_p("re/err_bad_group_reference", r"'abc'", r"""
import re

def f(s):
    try:
        return re.sub('(a)', r'\5', s)
    except re.error as e:
        return [type(e).__name__, str(e)]
""")

_p("re/err_no_match_group", r"'no digits here'", r"""
import re

def f(s):
    m = re.search(r'\d+', s)
    try:
        return m.group()
    except AttributeError as e:
        return ['AttributeError', str(e)]
""")

_p("re/raise_bad_pattern", r"'a(b'", r"""
import re

def f(p):
    return re.compile(p).pattern
""")


# =========================================================================== math and cmath

_p("math/integer_functions", r"[12, 18, 30]", r"""
import math

def f(nums):
    return [math.gcd(*nums), math.lcm(*nums), math.isqrt(10 ** 12 + 7), math.factorial(20), math.comb(30, 7),
            math.perm(10, 3), math.prod(nums), math.isqrt(0)]
""")

_p("math/rounding", r"[-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.675, 3.14159]", r"""
import math

def f(xs):
    return [[math.floor(x), math.ceil(x), math.trunc(x), round(x), round(x, 2)] for x in xs] + [math.copysign(3, -0.0)]
""")

_p("math/fsum_vs_sum", r"[0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]", r"""
import math

def f(xs):
    return [sum(xs), math.fsum(xs), sum(xs) == 1.0, math.fsum(xs) == 1.0, math.fsum([1e100, 1.0, -1e100])]
""")

_p("math/trigonometry", r"[0, 30, 45, 60, 90, 180]", r"""
import math

def f(degrees):
    out = []
    for d in degrees:
        r = math.radians(d)
        out.append((d, round(math.sin(r), 12), round(math.cos(r), 12), round(math.degrees(math.atan2(1, 1)), 9)))
    return out + [math.pi, math.tau, math.e]
""")

_p("math/logs_exps", r"8.0", r"""
import math

def f(x):
    return [math.log(x, 2), math.log2(x), math.log10(1000), math.log1p(1e-10), math.exp(2), math.expm1(1e-10),
            math.log(math.e), math.pow(2, 0.5), math.sqrt(x), math.cbrt(27.0) if hasattr(math, 'cbrt') else 3.0]
""")

_p("math/geometry", r"[(0, 0), (3, 4), (6, 8)]", r"""
import math

def f(points):
    dists = [math.dist(points[i], points[i + 1]) for i in range(len(points) - 1)]
    return [dists, math.hypot(3, 4, 12), math.hypot(*points[-1])]
""")

_p("math/predicates", r"[1.0, 1.0000000001, 0.0, -0.0, 1e308]", r"""
import math

def f(xs):
    return [[math.isclose(x, 1.0), math.isfinite(x), math.isnan(x), math.isinf(x * 10)] for x in xs] + [
        math.isclose(1.0, 1.1, rel_tol=0.2), math.isclose(0.0, 1e-12, abs_tol=1e-9)]
""")

_p("math/float_parts", r"[10.5, -7.25, 0.1]", r"""
import math

def f(xs):
    return [(math.frexp(x), math.ldexp(*math.frexp(x)), math.modf(x), math.fmod(x, 3), x % 3, math.remainder(x, 3))
            for x in xs]
""")

_p("math/nextafter_ulp", r"1.0", r"""
import math

def f(x):
    return [math.nextafter(x, 2.0), math.nextafter(x, 0.0), math.ulp(x), math.ulp(1e16), (math.nextafter(x, 2) - x) == math.ulp(x)]
""")

_p("math/big_integers", r"1000", r"""
import math

def f(n):
    fact = math.factorial(n)
    return [len(str(fact)), sum(map(int, str(2 ** n))), 2 ** 100, pow(3, 200, 10 ** 9 + 7), pow(3, -1, 7),
            fact % (10 ** 9 + 7), (2 ** 521 - 1).bit_length(), str(fact)[:20]]
""")

_p("math/big_int_repr", r"3000", r"""
def f(n):
    return 2 ** n
""")

_p("math/sieve", r"100", r"""
def f(n):
    sieve = [True] * (n + 1)
    sieve[0:2] = [False, False]
    for i in range(2, int(n ** 0.5) + 1):
        if sieve[i]:
            sieve[i * i::i] = [False] * len(sieve[i * i::i])
    return [i for i, p in enumerate(sieve) if p]
""")

_p("math/err_domain", r"[-1.0, 0.0, 4.0]", r"""
import math

def f(xs):
    out = []
    for x in xs:
        try:
            out.append((math.sqrt(x), math.log(x)))
        except ValueError as e:
            out.append(str(e))
    return out
""")

_p("math/err_overflow", r"1000", r"""
import math

def f(x):
    out = []
    for fn in (math.exp, math.cosh, lambda v: math.pow(10.0, v), lambda v: 10.0 ** v):
        try:
            out.append(fn(x))
        except OverflowError as e:
            out.append(['OverflowError', str(e)])
    return out
""")

_p("math/err_int_digits_limit", r"5000", r"""
def f(n):
    try:
        return int('7' * n)
    except ValueError as e:
        return ['ValueError', str(e)[:60]]
""")

_p("math/err_factorial_negative", r"-3", r"""
import math

def f(n):
    try:
        return math.factorial(n)
    except ValueError as e:
        return str(e)
""")

_p("math/raise_log_zero", r"0", r"""
import math

def f(x):
    return math.log(x)
""")

_p("cmath/basics", r"-4", r"""
import cmath

def f(x):
    return [cmath.sqrt(x), cmath.polar(1 + 1j), cmath.rect(2, 0), cmath.phase(-1 + 0j), abs(3 + 4j),
            (1 + 2j).conjugate(), cmath.sqrt(2j)]
""")

_p("cmath/exp_log", r"1j", r"""
import cmath

def f(z):
    e = cmath.exp(z * cmath.pi)
    return [complex(round(e.real, 12), round(e.imag, 12)), cmath.log(-1), cmath.log10(100), cmath.isclose(e, -1),
            cmath.isfinite(z), cmath.inf > 0]
""")

_p("cmath/complex_arith", r"(1+2j), (3-1j)", r"""
def f(a, b):
    return [a + b, a - b, a * b, a / b, a ** 2, complex('1+2j'), complex(2, -3), (a * b).real, (a / b).imag,
            complex('-1.5e3j')]
""")

_p("cmath/roots_of_unity", r"6", r"""
import cmath

def f(n):
    roots = [cmath.rect(1, 2 * cmath.pi * k / n) for k in range(n)]
    return [complex(round(r.real, 10), round(r.imag, 10)) for r in roots]
""")

_p("cmath/err_malformed", r"['1+2j', '3', 'abc', '1 + 2j', '(4-5j)']", r"""
def f(texts):
    out = []
    for t in texts:
        try:
            out.append(complex(t))
        except ValueError as e:
            out.append(str(e))
    return out
""")


# =========================================================================== decimal

_p("decimal/precision", r"1, 7", r"""
from decimal import Decimal, localcontext

def f(a, b):
    out = []
    for prec in (5, 10, 28, 50):
        with localcontext() as ctx:
            ctx.prec = prec
            out.append(str(Decimal(a) / Decimal(b)))
    return out
""")

_p("decimal/quantize_rounding", r"['2.675', '2.665', '-1.005', '0.125', '7.5']", r"""
from decimal import Decimal, ROUND_HALF_UP, ROUND_HALF_EVEN, ROUND_DOWN, ROUND_CEILING, ROUND_FLOOR

def f(values):
    modes = [ROUND_HALF_UP, ROUND_HALF_EVEN, ROUND_DOWN, ROUND_CEILING, ROUND_FLOOR]
    return [[str(Decimal(v).quantize(Decimal('0.01'), rounding=m)) for m in modes] for v in values] + [
        str(Decimal('7.5').quantize(Decimal('1'))), str(Decimal('8.5').quantize(Decimal('1')))]
""")

_p("decimal/from_float", r"0.1", r"""
from decimal import Decimal

def f(x):
    d = Decimal(x)
    return [str(d), str(Decimal(str(x))), d == Decimal('0.1'), str(d.quantize(Decimal('1e-20'))), repr(Decimal('1.10'))]
""")

_p("decimal/money_sum", r"['19.99', '5.01', '0.10', '100', '-3.33']", r"""
from decimal import Decimal

def f(prices):
    total = sum(Decimal(p) for p in prices)
    tax = (total * Decimal('0.0825')).quantize(Decimal('0.01'))
    return [str(total), str(tax), str(total + tax), float(total), int(total)]
""")

_p("decimal/functions", r"'2'", r"""
from decimal import Decimal, localcontext

def f(s):
    with localcontext() as ctx:
        ctx.prec = 30
        d = Decimal(s)
        return [str(d.sqrt()), str(d.exp()), str(d.ln()), str(d.log10()), str(d ** Decimal('0.5')),
                str(Decimal(10) ** 25), str(d.fma(3, 1))]
""")

_p("decimal/as_tuple_and_parts", r"['-123.4500', '0E-7', '1.5E+3', '42']", r"""
from decimal import Decimal

def f(values):
    out = []
    for v in values:
        d = Decimal(v)
        t = d.as_tuple()
        out.append((t.sign, t.digits, t.exponent, str(d.normalize()), d.adjusted(), str(d.to_integral_value()),
                    d.is_signed(), d.is_zero(), d.as_integer_ratio()))
    return out
""")

_p("decimal/compare_and_copy", r"'3.10', '3.1'", r"""
from decimal import Decimal

def f(a, b):
    x, y = Decimal(a), Decimal(b)
    return [x == y, str(x.compare(y)), str(x.compare_total(y)), str(max(x, y)), str(x.copy_sign(Decimal(-1))),
            str(x.max(y)), hash(x) == hash(y), str(-x), str(abs(Decimal('-0.0')))]
""")

_p("decimal/format_specs", r"'1234567.891'", r"""
from decimal import Decimal

def f(s):
    d = Decimal(s)
    return [f'{d:.3f}', f'{d:,}', f'{d:e}', f'{d:.2e}', f'{d:>15.1f}', f'{d:%}', format(d, ',.2f'), f'{-d:+.0f}']
""")

_p("decimal/context_flags", r"['1', '3']", r"""
from decimal import Decimal, localcontext

def f(pair):
    with localcontext() as ctx:
        ctx.prec = 6
        ctx.clear_flags()
        result = Decimal(pair[0]) / Decimal(pair[1])
        raised = sorted(k.__name__ for k, v in ctx.flags.items() if v)
        return [str(result), raised, ctx.rounding]
""")

_p("decimal/integer_ops", r"'17', '5'", r"""
from decimal import Decimal

def f(a, b):
    x, y = Decimal(a), Decimal(b)
    nx, ny = -x, y
    return [str(x // y), str(x % y), str(nx // ny), str(nx % ny), divmod(-17, 5), str(x.remainder_near(y)),
            [str(v) for v in divmod(nx, ny)]]
""")

_p("decimal/err_invalid_operation", r"['1.5', 'abc', '1e5', '--1', 'NaN']", r"""
from decimal import Decimal, InvalidOperation, localcontext

def f(values):
    out = []
    with localcontext() as ctx:
        ctx.traps[InvalidOperation] = True
        for v in values:
            try:
                out.append(str(Decimal(v) + 1))
            except InvalidOperation as e:
                out.append(['InvalidOperation', type(e).__name__ in ('InvalidOperation', 'ConversionSyntax')])
    return out
""")

_p("decimal/err_division_by_zero", r"'1', '0'", r"""
from decimal import Decimal, DivisionByZero, localcontext

def f(a, b):
    out = []
    try:
        out.append(str(Decimal(a) / Decimal(b)))
    except DivisionByZero as e:
        out.append([type(e).__name__, isinstance(e, ZeroDivisionError), isinstance(e, ArithmeticError)])
    with localcontext() as ctx:
        ctx.traps[DivisionByZero] = False
        out.append(str(Decimal(a) / Decimal(b)))
    return out
""")

_p("decimal/err_inexact_trap", r"'1', '3'", r"""
from decimal import Decimal, Inexact, localcontext

def f(a, b):
    with localcontext() as ctx:
        ctx.traps[Inexact] = True
        out = [str(Decimal(a) / Decimal(4))]
        try:
            out.append(str(Decimal(a) / Decimal(b)))
        except Inexact as e:
            out.append(type(e).__name__)
        return out
""")

_p("decimal/err_quantize_too_big", r"'123456789.5'", r"""
from decimal import Decimal, InvalidOperation, localcontext

def f(s):
    with localcontext() as ctx:
        ctx.prec = 5
        try:
            return str(Decimal(s).quantize(Decimal('0.01')))
        except InvalidOperation as e:
            return ['InvalidOperation', type(e).__name__]
""")

_p("decimal/raise_invalid_operation", r"'not a number'", r"""
from decimal import Decimal

def f(s):
    return str(Decimal(s))
""")


# =========================================================================== fractions

_p("fractions/arithmetic", r"[(1, 3), (1, 6), (2, 9)]", r"""
from fractions import Fraction

def f(pairs):
    fr = [Fraction(a, b) for a, b in pairs]
    total = sum(fr)
    return [str(total), str(fr[0] * fr[1]), str(fr[0] / fr[2]), str(fr[0] ** 2), str(-fr[1]), float(total),
            str(fr[0] - 1), fr[0] < fr[2], str(abs(Fraction(-3, 4)))]
""")

_p("fractions/constructors", r"'3.1415926535'", r"""
from decimal import Decimal
from fractions import Fraction

def f(s):
    return [str(Fraction(s)), str(Fraction(0.5)), str(Fraction(Decimal('1.25'))), str(Fraction('-7/21')),
            str(Fraction(s).limit_denominator(1000)), str(Fraction(0.1).limit_denominator(100)), str(Fraction(' 2/4 '))]
""")

_p("fractions/parts", r"'22/7'", r"""
from fractions import Fraction
import math

def f(s):
    q = Fraction(s)
    return [q.numerator, q.denominator, q.as_integer_ratio(), math.floor(q), math.ceil(q), round(q), round(q, 2).__str__(),
            int(q), (0.75).as_integer_ratio(), str(Fraction(5, 2).__round__()), round(Fraction(7, 2))]
""")

_p("fractions/harmonic", r"12", r"""
from fractions import Fraction

def f(n):
    h = sum(Fraction(1, k) for k in range(1, n + 1))
    return [str(h), h.denominator.bit_length(), format(float(h), '.10f')]
""")

_p("fractions/err_zero_denominator", r"1, 0", r"""
from fractions import Fraction

def f(a, b):
    try:
        return str(Fraction(a, b))
    except ZeroDivisionError as e:
        return ['ZeroDivisionError', str(e)]
""")

_p("fractions/err_bad_string", r"['1/2', '3/x', '1.5e1', '']", r"""
from fractions import Fraction

def f(texts):
    out = []
    for t in texts:
        try:
            out.append(str(Fraction(t)))
        except ValueError as e:
            out.append(str(e))
    return out
""")

_p("fractions/raise_bad_string", r"'one half'", r"""
from fractions import Fraction

def f(s):
    return str(Fraction(s))
""")


# =========================================================================== statistics

_p("statistics/central", r"[2, 4, 4, 4, 5, 5, 7, 9]", r"""
import statistics

def f(xs):
    return [statistics.mean(xs), statistics.median(xs), statistics.median_low(xs), statistics.median_high(xs),
            statistics.mode(xs), statistics.multimode(xs + [5])]
""")

_p("statistics/spread", r"[2, 4, 4, 4, 5, 5, 7, 9]", r"""
import statistics

def f(xs):
    return [statistics.pstdev(xs), statistics.pvariance(xs), round(statistics.stdev(xs), 12),
            str(statistics.variance(xs))]
""")

_p("statistics/other_means", r"[1.0, 2.0, 4.0, 8.0]", r"""
import statistics

def f(xs):
    return [statistics.fmean(xs), round(statistics.geometric_mean(xs), 10), statistics.harmonic_mean(xs),
            statistics.median_grouped([1, 2, 2, 3, 4])]
""")

_p("statistics/quantiles", r"[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]", r"""
import statistics

def f(xs):
    return [statistics.quantiles(xs, n=4), statistics.quantiles(xs, n=10, method='inclusive')]
""")

_p("statistics/fractions_exact", r"[(1, 2), (1, 3), (1, 6)]", r"""
import statistics
from fractions import Fraction

def f(pairs):
    data = [Fraction(a, b) for a, b in pairs]
    return [str(statistics.mean(data)), str(statistics.variance(data)), str(statistics.median(data))]
""")

_p("statistics/regression", r"[1, 2, 3, 4, 5], [2, 4, 5, 4, 5]", r"""
import statistics

def f(x, y):
    slope, intercept = statistics.linear_regression(x, y)
    return [round(slope, 12), round(intercept, 12), round(statistics.correlation(x, y), 12),
            round(statistics.covariance(x, y), 12)]
""")

_p("statistics/err_empty", r"[]", r"""
import statistics

def f(xs):
    out = []
    for fn in (statistics.mean, statistics.median, statistics.stdev):
        try:
            out.append(fn(xs))
        except statistics.StatisticsError as e:
            out.append([type(e).__name__, str(e), isinstance(e, ValueError)])
    return out
""")


# =========================================================================== collections

_p("collections/counter_most_common", r"'mississippi river'", r"""
from collections import Counter

def f(s):
    c = Counter(s.replace(' ', ''))
    return [c.most_common(3), c['s'], c['z'], sorted(c.items()), c.total()]
""")

_p("collections/counter_arithmetic", r"{'a': 3, 'b': 1, 'c': 2}, {'a': 1, 'b': 4, 'd': 1}", r"""
from collections import Counter

def f(x, y):
    a, b = Counter(x), Counter(y)
    return [dict(a + b), dict(a - b), dict(a & b), dict(a | b), sorted((a + b).elements()), dict(-Counter({'q': -2}))]
""")

_p("collections/deque_ops", r"[1, 2, 3, 4, 5]", r"""
from collections import deque

def f(xs):
    d = deque(xs)
    d.rotate(2)
    r1 = list(d)
    d.rotate(-3)
    d.appendleft(0)
    d.extendleft([-2, -1])
    bounded = deque(xs, maxlen=3)
    bounded.append(6)
    return [r1, list(d), list(bounded), bounded.maxlen, d.popleft(), d.pop(), d.index(3), d.count(9)]
""")

_p("collections/ordered_dict", r"['b', 'a', 'c', 'd']", r"""
from collections import OrderedDict

def f(keys):
    od = OrderedDict((k, i) for i, k in enumerate(keys))
    od.move_to_end('b')
    od.move_to_end('d', last=False)
    first = od.popitem(last=False)
    last = od.popitem()
    return [list(od.items()), first, last, OrderedDict(a=1, b=2) == OrderedDict(b=2, a=1), dict(a=1, b=2) == dict(b=2, a=1)]
""")

_p("collections/defaultdict_grouping", r"[('fruit', 'apple'), ('veg', 'kale'), ('fruit', 'fig'), ('nut', 'pecan'), ('veg', 'leek')]", r"""
from collections import defaultdict

def f(pairs):
    groups = defaultdict(list)
    counts = defaultdict(int)
    for kind, name in pairs:
        groups[kind].append(name)
        counts[kind] += 1
    return [dict(groups), dict(counts), groups['none'], 'none' in groups]
""")

_p("collections/namedtuple_basics", r"3, 4", r"""
from collections import namedtuple

Point = namedtuple('Point', ['x', 'y'])
Point3 = namedtuple('Point3', 'x y z', defaults=[0])

def f(x, y):
    p = Point(x, y)
    q = p._replace(y=10)
    return [tuple(p), p._asdict(), tuple(q), Point._fields, repr(p), p.x * p.y, tuple(Point3(1, 2)),
            Point._make([7, 8]) == (7, 8), Point3._field_defaults]
""")

_p("collections/chainmap", r"{'color': 'red', 'user': 'guest'}, {'user': 'admin'}", r"""
from collections import ChainMap

def f(defaults, overrides):
    cm = ChainMap(overrides, defaults)
    child = cm.new_child({'color': 'blue'})
    child['size'] = 'L'
    return [cm['user'], cm['color'], child['color'], dict(child), sorted(child.keys()), len(cm.maps),
            child.maps[0], dict(child.parents)]
""")

_p("collections/sliding_window_max", r"[1, 3, -1, -3, 5, 3, 6, 7], 3", r"""
from collections import deque

def f(nums, k):
    dq, out = deque(), []
    for i, n in enumerate(nums):
        while dq and nums[dq[-1]] <= n:
            dq.pop()
        dq.append(i)
        if dq[0] <= i - k:
            dq.popleft()
        if i >= k - 1:
            out.append(nums[dq[0]])
    return out
""")

_p("collections/nested_tree", r"['a/b/c', 'a/b/d', 'a/e', 'f']", r"""
from collections import defaultdict

def tree():
    return defaultdict(tree)

def to_dict(t):
    return {k: to_dict(v) for k, v in t.items()}

def f(paths):
    root = tree()
    for p in paths:
        node = root
        for part in p.split('/'):
            node = node[part]
    return to_dict(root)
""")

_p("collections/user_classes", r"'hello', [3, 1, 2]", r"""
from collections import UserDict, UserList, UserString

class Lower(UserDict):
    def __setitem__(self, key, value):
        super().__setitem__(key.lower(), value)

def f(s, xs):
    d = Lower()
    d['KeY'] = 1
    d['Other'] = 2
    ul = UserList(xs)
    ul.sort()
    us = UserString(s).upper()
    return [dict(d.data), ul.data, str(us), us.count('L'), isinstance(us, UserString)]
""")

_p("collections/abc_checks", r"[[1], (1,), {1: 2}, 'ab', b'ab', 3, {1}]", r"""
from collections.abc import Sequence, Mapping, Iterable, Hashable, Sized, MutableSequence, Set

def f(values):
    return [(type(v).__name__, isinstance(v, Sequence), isinstance(v, Mapping), isinstance(v, Iterable),
             isinstance(v, Hashable), isinstance(v, MutableSequence), isinstance(v, Set)) for v in values]
""")

_p("collections/err_missing_key", r"{'a': 1}, ['a', 'b']", r"""
def f(d, keys):
    out = []
    for k in keys:
        try:
            out.append(d[k])
        except KeyError as e:
            out.append(['KeyError', e.args, str(e)])
    return out
""")

_p("collections/err_deque_empty", r"[]", r"""
from collections import deque

def f(xs):
    d = deque(xs)
    out = []
    for op in (d.pop, d.popleft):
        try:
            out.append(op())
        except IndexError as e:
            out.append(str(e))
    try:
        d.remove(3)
    except ValueError as e:
        out.append(str(e))
    return out
""")

_p("collections/err_namedtuple_bad_field", r"['ok', 'def', '1x']", r"""
from collections import namedtuple

def f(names):
    out = []
    for n in names:
        try:
            out.append(namedtuple('T', [n])._fields)
        except ValueError as e:
            out.append(str(e))
    return out
""")

_p("collections/raise_ordered_dict_missing", r"'missing'", r"""
from collections import OrderedDict

def f(key):
    od = OrderedDict(a=1)
    return od[key]
""")


# =========================================================================== itertools

_p("itertools/combinatorics", r"'abcd', 2", r"""
from itertools import permutations, combinations, product, combinations_with_replacement

def f(s, r):
    return [[''.join(p) for p in permutations(s, r)][:6], len(list(permutations(s))),
            [''.join(c) for c in combinations(s, r)], list(product([0, 1], repeat=3))[:4],
            len(list(combinations_with_replacement(s, 3))), list(product('ab', 'xy'))]
""")

_p("itertools/accumulate", r"[1, 2, 3, 4, 5]", r"""
from itertools import accumulate
import operator

def f(xs):
    return [list(accumulate(xs)), list(accumulate(xs, operator.mul)), list(accumulate(xs, max, initial=3)),
            list(accumulate([3, 1, 4, 1, 5], min))]
""")

_p("itertools/groupby_runs", r"'aaabbcaaddd'", r"""
from itertools import groupby

def f(s):
    runs = [(k, len(list(g))) for k, g in groupby(s)]
    by_parity = [(k, list(g)) for k, g in groupby(sorted(range(10), key=lambda n: n % 2), key=lambda n: n % 2)]
    return [runs, by_parity]
""")

_p("itertools/chain_islice_cycle", r"[1, 2, 3], 'ab'", r"""
from itertools import chain, islice, cycle, repeat

def f(xs, s):
    return [list(chain(xs, s)), list(chain.from_iterable([xs, s])), list(islice(cycle(xs), 7)),
            list(islice(range(100), 10, 20, 3)), list(repeat('x', 3)), list(islice(cycle(s), 0))]
""")

_p("itertools/pairwise_zip_longest", r"[1, 4, 9, 16, 25], 'ab'", r"""
from itertools import pairwise, zip_longest

def f(xs, s):
    return [[b - a for a, b in pairwise(xs)], list(zip_longest(xs, s, fillvalue='-')), list(pairwise('x'))]
""")

_p("itertools/take_drop_filter", r"[1, 3, 5, 6, 7, 9, 2]", r"""
from itertools import takewhile, dropwhile, filterfalse, compress

def f(xs):
    odd = lambda n: n % 2
    return [list(takewhile(odd, xs)), list(dropwhile(odd, xs)), list(filterfalse(odd, xs)),
            list(compress(xs, [1, 0, 1, 0, 1, 0, 1]))]
""")

_p("itertools/starmap_count", r"[(2, 5), (3, 2), (10, 3)]", r"""
from itertools import starmap, count, islice

def f(pairs):
    return [list(starmap(pow, pairs)), list(islice(count(5, 3), 4)), list(islice(count(0.5, 0.25), 4)),
            list(zip(count(1), 'abc'))]
""")

_p("itertools/tee_independent", r"[10, 20, 30]", r"""
from itertools import tee

def f(xs):
    a, b = tee(iter(xs))
    first = next(a)
    return [first, list(b), list(a)]
""")

_p("itertools/powerset", r"[1, 2, 3]", r"""
from itertools import chain, combinations

def f(xs):
    return [list(c) for c in chain.from_iterable(combinations(xs, r) for r in range(len(xs) + 1))]
""")

_p("itertools/batched_manual", r"'abcdefgh', 3", r"""
from itertools import islice

def f(s, n):
    it = iter(s)
    out = []
    while True:
        chunk = ''.join(islice(it, n))
        if not chunk:
            return out
        out.append(chunk)
""")

_p("itertools/product_grid_paths", r"3, 3", r"""
from itertools import product

def f(w, h):
    cells = list(product(range(w), range(h)))
    neighbours = {c: sorted((c[0] + dx, c[1] + dy) for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1))
                            if (c[0] + dx, c[1] + dy) in set(cells)) for c in cells}
    return [len(cells), neighbours[(1, 1)], neighbours[(0, 0)]]
""")

_p("itertools/err_bad_count", r"'abc', -1", r"""
from itertools import islice

def f(s, n):
    try:
        return list(islice(s, n))
    except ValueError as e:
        return ['ValueError', str(e)]
""")


# =========================================================================== functools and operator

_p("functools/reduce", r"[3, 5, 2, 8, 1]", r"""
from functools import reduce
import operator

def f(xs):
    return [reduce(operator.add, xs), reduce(lambda a, b: a * 10 + b, xs), reduce(max, xs, 0),
            reduce(lambda acc, x: acc + [acc[-1] + x], xs, [0])]
""")

_p("functools/lru_cache_fib", r"80", r"""
from functools import lru_cache

@lru_cache(maxsize=None)
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

def f(n):
    value = fib(n)
    info = fib.cache_info()
    return [value, info.hits, info.misses, info.currsize, tuple(info)]
""")

_p("functools/partial", r"'1010', 2", r"""
from functools import partial

def f(s, base):
    parse = partial(int, base=base)
    power_of_two = partial(pow, 2)
    return [parse(s), power_of_two(10), parse.keywords, parse.args, list(map(partial(round, ndigits=1), [1.25, 2.35]))]
""")

_p("functools/cmp_to_key", r"[3, 30, 34, 5, 9]", r"""
from functools import cmp_to_key

def compare(a, b):
    return (a + b < b + a) - (a + b > b + a)

def f(nums):
    parts = sorted(map(str, nums), key=cmp_to_key(compare))
    return [''.join(parts), sorted(nums, key=cmp_to_key(lambda a, b: b - a))]
""")

_p("functools/total_ordering", r"[('1.2.10',), ('1.2.9',), ('1.10',), ('1.2',)]", r"""
from functools import total_ordering

@total_ordering
class Version:
    def __init__(self, text):
        self.parts = tuple(int(p) for p in text.split('.'))
        self.text = text
    def __eq__(self, other):
        return self.parts == other.parts
    def __lt__(self, other):
        return self.parts < other.parts

def f(rows):
    vs = [Version(r[0]) for r in rows]
    return [[v.text for v in sorted(vs)], vs[0] >= vs[1], vs[2] <= vs[3], max(vs).text]
""")

_p("functools/singledispatch", r"[1, 'two', [3, 4], 5.0, None]", r"""
from functools import singledispatch

@singledispatch
def describe(x):
    return 'object'

@describe.register
def _(x: int):
    return f'int {x}'

@describe.register(str)
def _(x):
    return f'str {x!r}'

@describe.register(list)
def _(x):
    return [describe(i) for i in x]

def f(values):
    return [describe(v) for v in values]
""")

_p("functools/cached_property_and_wraps", r"[3, 4]", r"""
from functools import cached_property, wraps

def logged(fn):
    @wraps(fn)
    def inner(*a):
        return fn(*a)
    return inner

@logged
def area(w, h):
    "Compute an area."
    return w * h

class Box:
    calls = 0
    def __init__(self, dims):
        self.dims = dims
    @cached_property
    def volume(self):
        Box.calls += 1
        return self.dims[0] * self.dims[1]

def f(dims):
    b = Box(dims)
    return [b.volume, b.volume, Box.calls, area(*dims), area.__name__, area.__doc__, area.__wrapped__(2, 2)]
""")

_p("functools/err_reduce_empty", r"[]", r"""
from functools import reduce

def f(xs):
    try:
        return reduce(lambda a, b: a + b, xs)
    except TypeError as e:
        return ['TypeError', str(e)]
""")

_p("operator/getters", r"[{'name': 'bo', 'age': 31}, {'name': 'al', 'age': 25}, {'name': 'cy', 'age': 31}]", r"""
from operator import itemgetter, attrgetter, methodcaller
from types import SimpleNamespace

def f(rows):
    by_age = sorted(rows, key=itemgetter('age', 'name'))
    objs = [SimpleNamespace(**r) for r in rows]
    return [[r['name'] for r in by_age], [o.name for o in sorted(objs, key=attrgetter('name'))],
            list(map(methodcaller('upper'), [r['name'] for r in rows])), itemgetter(0, 2)('xyz')]
""")

_p("operator/table", r"7, 3", r"""
import operator

def f(a, b):
    ops = ['add', 'sub', 'mul', 'truediv', 'floordiv', 'mod', 'pow', 'lshift', 'rshift', 'and_', 'or_', 'xor',
           'lt', 'eq', 'ne', 'ge']
    return {name: getattr(operator, name)(a, b) for name in ops} | {'neg': operator.neg(a), 'inv': operator.invert(b)}
""")

_p("operator/sequence_helpers", r"[1, 2, 3, 2, 1], 2", r"""
import operator

def f(xs, x):
    return [operator.contains(xs, x), operator.countOf(xs, x), operator.indexOf(xs, x), operator.truth([]),
            operator.index(7), operator.concat(xs, [9]), operator.getitem(xs, slice(1, 3)), operator.length_hint(iter(xs))]
""")

_p("operator/inplace", r"[1, 2], [3]", r"""
import operator

def f(a, b):
    c = operator.iadd(a, b)
    s = operator.iadd('x', 'y')
    n = operator.imul(3, 4)
    return [c, a, c is a, s, n]
""")

_p("operator/err_index_of_missing", r"[1, 2, 3], 9", r"""
import operator

def f(xs, x):
    try:
        return operator.indexOf(xs, x)
    except ValueError as e:
        return ['ValueError', str(e)]
""")


# =========================================================================== heapq, bisect, copy

_p("heapq/nsmallest_nlargest", r"[5, 1, 8, 3, 9, 2, 7], [('a', 3), ('b', 1), ('c', 2)]", r"""
import heapq

def f(xs, pairs):
    return [heapq.nsmallest(3, xs), heapq.nlargest(2, xs), heapq.nsmallest(1, pairs, key=lambda p: p[1]),
            heapq.nlargest(2, pairs, key=lambda p: p[1])]
""")

_p("heapq/heap_sort", r"[5, 1, 8, 3, 9, 2, 7]", r"""
import heapq

def f(xs):
    h = []
    for x in xs:
        heapq.heappush(h, x)
    snapshot = list(h)
    out = [heapq.heappop(h) for _ in range(len(h))]
    h2 = list(xs)
    heapq.heapify(h2)
    return [snapshot, out, h2, heapq.heappushpop(h2, 0), heapq.heapreplace(h2, 10), h2]
""")

_p("heapq/merge", r"[1, 4, 9], [2, 3, 10], [0, 5]", r"""
import heapq

def f(a, b, c):
    return [list(heapq.merge(a, b, c)), list(heapq.merge(a[::-1], b[::-1], reverse=True)),
            list(heapq.merge(['bb', 'a'], ['ccc'], key=len))]
""")

_p("heapq/dijkstra", r"{'A': [('B', 1), ('C', 4)], 'B': [('C', 2), ('D', 5)], 'C': [('D', 1)], 'D': []}, 'A'", r"""
import heapq

def f(graph, start):
    dist = {start: 0}
    heap = [(0, start)]
    while heap:
        d, node = heapq.heappop(heap)
        if d > dist.get(node, float('inf')):
            continue
        for nxt, w in graph[node]:
            nd = d + w
            if nd < dist.get(nxt, float('inf')):
                dist[nxt] = nd
                heapq.heappush(heap, (nd, nxt))
    return sorted(dist.items())
""")

_p("heapq/err_pop_empty", r"[]", r"""
import heapq

def f(h):
    try:
        return heapq.heappop(h)
    except IndexError as e:
        return ['IndexError', str(e)]
""")

_p("bisect/search", r"[1, 2, 4, 4, 4, 7, 9], [0, 4, 5, 10]", r"""
import bisect

def f(xs, probes):
    return [(p, bisect.bisect_left(xs, p), bisect.bisect_right(xs, p), bisect.bisect(xs, p)) for p in probes]
""")

_p("bisect/insort_and_grades", r"[33, 99, 77, 70, 89, 90, 100]", r"""
import bisect

def f(scores):
    breakpoints, grades = [60, 70, 80, 90], 'FDCBA'
    letters = [grades[bisect.bisect(breakpoints, s)] for s in scores]
    ordered = []
    for s in scores:
        bisect.insort(ordered, s)
    return [letters, ordered]
""")

_p("bisect/key_function", r"[('apple', 3), ('fig', 7), ('kiwi', 9)], 8", r"""
import bisect

def f(rows, target):
    idx = bisect.bisect_left(rows, target, key=lambda r: r[1])
    bisect.insort(rows, ('date', 5), key=lambda r: r[1])
    return [idx, rows]
""")

_p("copy/shallow_vs_deep", r"[[1, 2], {'k': [3]}]", r"""
import copy

def f(data):
    shallow = copy.copy(data)
    deep = copy.deepcopy(data)
    data[0].append(99)
    data[1]['k'].append(4)
    return [shallow, deep, shallow[0] is data[0], deep[0] is data[0]]
""")

_p("copy/deepcopy_shared_refs", r"[1, 2]", r"""
import copy

def f(inner):
    outer = [inner, inner, {'x': inner}]
    clone = copy.deepcopy(outer)
    clone[0].append(3)
    return [clone, clone[0] is clone[1], clone[2]['x'] is clone[0], outer[0]]
""")

_p("copy/custom_copy_hooks", r"'node', [1, 2]", r"""
import copy

class Node:
    def __init__(self, name, children):
        self.name, self.children = name, children
    def __copy__(self):
        return Node(self.name + '-copy', self.children)
    def __deepcopy__(self, memo):
        return Node(self.name + '-deep', copy.deepcopy(self.children, memo))

def f(name, children):
    n = Node(name, children)
    a, b = copy.copy(n), copy.deepcopy(n)
    return [a.name, b.name, a.children is n.children, b.children is n.children]
""")


# =========================================================================== array, struct, memoryview

_p("array/basics", r"[1, -2, 3, 40000]", r"""
from array import array

def f(xs):
    a = array('i', xs)
    b = array('d', [0.5, 1.5])
    a.append(7)
    a.extend([8, 9])
    a.reverse()
    return [a.tolist(), a.typecode, a.itemsize, b.tolist(), a.index(3), a.count(8), len(a), a[1:3].tolist(),
            array('B', b'abc').tolist(), array('q', [2 ** 40]).tolist()]
""")

_p("array/bytes_roundtrip", r"[1, 256, 65535]", r"""
from array import array

def f(xs):
    a = array('H', xs)
    raw = a.tobytes()
    b = array('H')
    b.frombytes(raw)
    c = array('H', xs)
    c.byteswap()
    return [raw, b.tolist(), c.tolist(), b == a, array('b', [1, 2]) < array('b', [1, 3])]
""")

_p("array/err_overflow", r"[100, 200]", r"""
from array import array

def f(xs):
    try:
        return array('b', xs).tolist()
    except OverflowError as e:
        return ['OverflowError', str(e)]
""")

_p("array/err_bad_typecode", r"'z'", r"""
from array import array

def f(code):
    try:
        return array(code).tolist()
    except ValueError as e:
        return ['ValueError', str(e)]
""")

_p("struct/pack_unpack", r"1, 2, -3", r"""
import struct

def f(a, b, c):
    packed = struct.pack('<hIq', a, b, c)
    big = struct.pack('>HHd', a, b, 1.5)
    return [packed, struct.unpack('<hIq', packed), big, struct.unpack('>HHd', big), struct.calcsize('<hIq'),
            struct.calcsize('!HHd'), struct.pack('!i', -1)]
""")

_p("struct/formats", r"b'abc'", r"""
import struct

def f(s):
    return [struct.pack('3s', s), struct.pack('5s', s), struct.pack('p', s), struct.pack('?', 2),
            struct.unpack('<e', struct.pack('<e', 0.1)), struct.pack('<f', 0.1), struct.unpack('<f', struct.pack('<f', 0.1)),
            struct.pack('<Qx?', 2 ** 64 - 1, False), struct.pack('>c', b'z')]
""")

_p("struct/iter_and_into", r"[(1, 2.5), (3, -1.0), (5, 0.0)]", r"""
import struct

def f(rows):
    rec = struct.Struct('<Bf')
    buf = bytearray(rec.size * len(rows))
    for i, row in enumerate(rows):
        rec.pack_into(buf, i * rec.size, *row)
    return [bytes(buf), list(rec.iter_unpack(buf)), rec.unpack_from(buf, rec.size), rec.format, rec.size]
""")

_p("struct/err_short_buffer", r"b'\x01\x02'", r"""
import struct

def f(data):
    try:
        return struct.unpack('<I', data)
    except struct.error as e:
        return ['error', str(e)]
""")

_p("struct/err_out_of_range", r"[40000, -1, 3]", r"""
import struct

def f(values):
    out = []
    for fmt, v in zip(('<h', '<I', '<B'), values):
        try:
            out.append(struct.pack(fmt, v))
        except struct.error as e:
            out.append(str(e))
    return out
""")

_p("struct/err_bad_format", r"'<Z'", r"""
import struct

def f(fmt):
    try:
        return struct.calcsize(fmt)
    except struct.error as e:
        return ['error', str(e)]
""")

_p("struct/raise_unpack", r"b'\x00'", r"""
import struct

def f(data):
    return struct.unpack('>H', data)
""")

_p("memoryview/slicing_cast", r"b'\x01\x00\x02\x00\x03\x00\x04\x00'", r"""
def f(data):
    mv = memoryview(data)
    half = mv.cast('H')
    return [mv[2:6].tobytes(), half.tolist(), half.format, half.itemsize, mv.nbytes, mv.readonly, mv[::2].tolist(),
            mv.hex(), mv.hex(':', 2), half[1], len(half)]
""")

_p("memoryview/writable", r"b'hello world'", r"""
def f(data):
    buf = bytearray(data)
    mv = memoryview(buf)
    mv[0:5] = b'HELLO'
    mv[-1] = ord('D')
    return [bytes(buf), mv.readonly, mv.tolist()[:3], mv.cast('B', [11]).shape, bytes(mv[6:])]
""")

_p("memoryview/err_readonly", r"b'abc'", r"""
def f(data):
    mv = memoryview(data)
    try:
        mv[0] = 65
        return 'modified'
    except TypeError as e:
        return ['TypeError', str(e)]
""")


# =========================================================================== binascii, base64, zlib, bz2, lzma, gzip

_p("binascii/hex_and_crc", r"b'The quick brown fox'", r"""
import binascii

def f(data):
    h = binascii.hexlify(data)
    return [h, binascii.unhexlify(h) == data, binascii.hexlify(data[:4], '-'), binascii.b2a_hex(data[:3], b':', 1),
            binascii.crc32(data), binascii.crc32(data[4:], binascii.crc32(data[:4])), binascii.crc_hqx(data, 0),
            binascii.a2b_hex('DEADbeef')]
""")

_p("binascii/base64_lines", r"b'\x00\x01\x02binary\xff'", r"""
import binascii

def f(data):
    line = binascii.b2a_base64(data)
    return [line, binascii.b2a_base64(data, newline=False), binascii.a2b_base64(line) == data,
            binascii.b2a_qp(b'caf\xe9 ok=1'), binascii.a2b_qp(b'caf=E9'), binascii.b2a_uu(b'hi')]
""")

_p("binascii/err_odd_hex", r"['abc', 'zz', 'abcd']", r"""
import binascii

def f(texts):
    out = []
    for t in texts:
        try:
            out.append(binascii.unhexlify(t))
        except binascii.Error as e:
            out.append(['Error', str(e), isinstance(e, ValueError)])
    return out
""")

_p("binascii/err_base64_strict", r"[b'aGk=', b'aGk', b'a G k =', b'aGk=x']", r"""
import binascii

def f(blobs):
    out = []
    for b in blobs:
        row = []
        for strict in (False, True):
            try:
                row.append(binascii.a2b_base64(b, strict_mode=strict))
            except binascii.Error as e:
                row.append(str(e))
        out.append(row)
    return out
""")

_p("base64/variants", r"b'any carnal pleas\xfb\xff'", r"""
import base64

def f(data):
    return [base64.b64encode(data), base64.urlsafe_b64encode(data), base64.b32encode(data), base64.b16encode(data),
            base64.b85encode(data), base64.a85encode(data), base64.b32hexencode(data),
            base64.standard_b64encode(b'x'), base64.encodebytes(data * 4)]
""")

_p("base64/decode_variants", r"'aGVsbG8gd29ybGQ='", r"""
import base64

def f(s):
    raw = base64.b64decode(s)
    return [raw, base64.urlsafe_b64decode(base64.urlsafe_b64encode(b'\xfb\xff')), base64.b32decode(base64.b32encode(raw)),
            base64.b16decode('DEADBEEF'), base64.b16decode('deadbeef', casefold=True), base64.b85decode(base64.b85encode(raw)),
            base64.a85decode(base64.a85encode(raw, adobe=True), adobe=True), base64.b64decode(b'aGk=')]
""")

_p("base64/err_validate", r"[b'aGVsbG8=', b'aGV$sbG8=', b'aGVsbG8']", r"""
import base64
import binascii

def f(blobs):
    out = []
    for b in blobs:
        try:
            out.append(base64.b64decode(b, validate=True))
        except binascii.Error as e:
            out.append(['Error', str(e)])
    return out
""")

_p("base64/err_b32_bad", r"'NOT BASE32!'", r"""
import base64
import binascii

def f(s):
    try:
        return base64.b32decode(s)
    except binascii.Error as e:
        return ['Error', str(e)]
""")

_p("base64/raise_incorrect_padding", r"'abc'", r"""
import base64

def f(s):
    return base64.b64decode(s)
""")

_p("zlib/checksums", r"b'Wikipedia'", r"""
import zlib

def f(data):
    return [zlib.crc32(data), zlib.adler32(data), zlib.crc32(b''), zlib.adler32(b''), zlib.crc32(data, 12345),
            hex(zlib.crc32(b'123456789'))]
""")

_p("zlib/roundtrip_levels", r"'abracadabra '", r"""
import zlib

def f(unit):
    data = (unit * 200).encode()
    out = []
    for level in (0, 1, 6, 9):
        comp = zlib.compress(data, level)
        out.append([level, zlib.decompress(comp) == data, len(comp) < len(data) or level == 0])
    return out
""")

_p("zlib/streaming", r"b'stream me '", r"""
import zlib

def f(unit):
    data = unit * 500
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    raw = comp.compress(data) + comp.flush()
    dec = zlib.decompressobj(-15)
    pieces = [dec.decompress(raw[i:i + 16]) for i in range(0, len(raw), 16)]
    pieces.append(dec.flush())
    gz = zlib.compressobj(wbits=31)
    gzdata = gz.compress(data) + gz.flush()
    return [b''.join(pieces) == data, dec.eof, zlib.decompress(gzdata, 47) == data, gzdata[:3]]
""")

_p("zlib/err_bad_data", r"b'definitely not zlib'", r"""
import zlib

def f(data):
    try:
        return zlib.decompress(data)
    except zlib.error as e:
        return ['error', str(e)]
""")

_p("zlib/err_truncated", r"b'truncate this stream please'", r"""
import zlib

def f(data):
    comp = zlib.compress(data * 10)
    try:
        return zlib.decompress(comp[:-4])
    except zlib.error as e:
        return ['error', str(e)]
""")

_p("bz2/roundtrip", r"'bzip2 data ', 300", r"""
import bz2

def f(unit, n):
    data = (unit * n).encode()
    comp = bz2.compress(data, 1)
    dec = bz2.BZ2Decompressor()
    back = b''.join(dec.decompress(comp[i:i + 50]) for i in range(0, len(comp), 50))
    return [bz2.decompress(comp) == data, back == data, dec.eof, comp[:3], len(data)]
""")

_p("bz2/err_invalid", r"b'BZh9 not really'", r"""
import bz2

def f(data):
    try:
        return bz2.decompress(data)
    except OSError as e:
        return [type(e).__name__, str(e)]
""")

_p("lzma/roundtrip", r"'lzma payload ', 200", r"""
import lzma

def f(unit, n):
    data = (unit * n).encode()
    xz = lzma.compress(data, preset=1)
    alone = lzma.compress(data, format=lzma.FORMAT_ALONE, preset=1)
    raw = lzma.compress(data, format=lzma.FORMAT_RAW, filters=[{'id': lzma.FILTER_LZMA2, 'preset': 1}])
    return [lzma.decompress(xz) == data, lzma.decompress(alone) == data,
            lzma.decompress(raw, format=lzma.FORMAT_RAW, filters=[{'id': lzma.FILTER_LZMA2, 'preset': 1}]) == data,
            xz[:6], lzma.is_check_supported(lzma.CHECK_CRC64)]
""")

_p("lzma/err_invalid", r"b'not xz data at all'", r"""
import lzma

def f(data):
    try:
        return lzma.decompress(data)
    except lzma.LZMAError as e:
        return ['LZMAError', str(e)]
""")

_p("gzip/roundtrip_fixed_mtime", r"b'gzip me please '", r"""
import gzip

def f(unit):
    data = unit * 100
    comp = gzip.compress(data, mtime=0)
    return [gzip.decompress(comp) == data, comp[:4], len(gzip.decompress(comp))]
""")


# =========================================================================== difflib, textwrap, string

_p("difflib/sequence_matcher", r"'kitten sitting', 'sitting kitten'", r"""
import difflib

def f(a, b):
    sm = difflib.SequenceMatcher(None, a, b)
    return [round(sm.ratio(), 6), sm.get_opcodes(), [tuple(m) for m in sm.get_matching_blocks()],
            tuple(sm.find_longest_match(0, len(a), 0, len(b)))]
""")

_p("difflib/unified_diff", r"['one', 'two', 'three', 'four'], ['one', 'too', 'three', 'four', 'five']", r"""
import difflib

def f(a, b):
    return list(difflib.unified_diff(a, b, 'old', 'new', lineterm=''))
""")

_p("difflib/ndiff_context", r"['apple\n', 'banana\n', 'cherry\n'], ['apple\n', 'blueberry\n', 'cherry\n']", r"""
import difflib

def f(a, b):
    return [list(difflib.ndiff(a, b)), list(difflib.context_diff(a, b, 'a', 'b')), list(difflib.restore(difflib.ndiff(a, b), 2))]
""")

_p("difflib/close_matches", r"'appel', ['ape', 'apple', 'peach', 'puppy', 'applet']", r"""
import difflib

def f(word, options):
    return [difflib.get_close_matches(word, options), difflib.get_close_matches(word, options, n=1, cutoff=0.8),
            difflib.get_close_matches('zzz', options)]
""")

_p("textwrap/wrap_fill", r"'The quick brown fox jumps over the lazy dog and keeps running far away.', 20", r"""
import textwrap

def f(text, width):
    return [textwrap.wrap(text, width), textwrap.fill(text, 30), textwrap.shorten(text, 30),
            textwrap.shorten(text, 40, placeholder=' [...]'), textwrap.wrap(text, 15, max_lines=2)]
""")

_p("textwrap/dedent_indent", r"'    def g():\n        return 1\n\n    x = 2\n'", r"""
import textwrap

def f(block):
    d = textwrap.dedent(block)
    return [d, textwrap.indent(d, '> '), textwrap.indent(d, '+ ', lambda line: True),
            textwrap.fill('a b c d e f', 3, initial_indent='*', subsequent_indent='-')]
""")

_p("string/template", r"{'who': 'World', 'what': 'hello'}", r"""
from string import Template

def f(values):
    t = Template('$what, ${who}! Cost: $$5 $missing')
    return [t.safe_substitute(values), Template('$what $who').substitute(values), t.get_identifiers(),
            t.is_valid(), Template('${x}y').substitute(x='X')]
""")

_p("string/constants_capwords", r"'hello   big  world'", r"""
import string

def f(s):
    return [string.ascii_letters, string.digits, string.hexdigits, string.octdigits, string.punctuation,
            string.whitespace, len(string.printable), string.capwords(s), string.capwords('a-b c-d', '-')]
""")

_p("string/formatter_parse", r"'Hi {name!r:>10}, you owe {amount:.2f} {{literal}} {0}'", r"""
from string import Formatter

def f(fmt):
    fm = Formatter()
    return [list(fm.parse(fmt)), fm.format('{0}-{x}', 'a', x='b'), fm.vformat('{0:^5}|', ('z',), {})]
""")

_p("string/err_template_missing", r"'Dear $title $name', {'name': 'Ada'}", r"""
from string import Template

def f(text, values):
    try:
        return Template(text).substitute(values)
    except KeyError as e:
        return ['KeyError', e.args]
""")

_p("string/err_template_invalid", r"'price: $5 and $'", r"""
from string import Template

def f(text):
    try:
        return Template(text).substitute({})
    except ValueError as e:
        return ['ValueError', str(e)]
""")


# =========================================================================== json

_p("json/dumps_options", r"{'b': [1, 2.5, None, True], 'a': {'z': 'é', 'y': []}, 'c': 'x\ny'}", r"""
import json

def f(obj):
    return [json.dumps(obj), json.dumps(obj, sort_keys=True), json.dumps(obj, indent=2, sort_keys=True),
            json.dumps(obj, separators=(',', ':'), ensure_ascii=False), json.dumps(obj, indent='\t')[:40]]
""")

_p("json/loads_nested", r"'{\"users\": [{\"name\": \"ann\", \"tags\": [\"a\", \"b\"]}, {\"name\": \"bo\", \"tags\": []}], \"count\": 2, \"ok\": true, \"none\": null, \"pi\": 3.14}'", r"""
import json

def f(text):
    data = json.loads(text)
    return [data, [u['name'] for u in data['users'] if u['tags']], data['count'] + 1]
""")

_p("json/hooks", r"'{\"a\": 1, \"b\": 2.50, \"a\": 3, \"big\": 12345678901234567890}'", r"""
import json
from decimal import Decimal

def f(text):
    pairs = json.loads(text, object_pairs_hook=list)
    dec = json.loads(text, parse_float=Decimal)
    ints = json.loads(text, parse_int=str)
    return [pairs, str(dec['b']), ints, json.loads(text)]
""")

_p("json/default_and_encoder", r"[1, 2, 3]", r"""
import json

class SetEncoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, (set, frozenset)):
            return sorted(o)
        return super().default(o)

def f(xs):
    obj = {'s': set(xs), 't': (1, 2), 'c': 1 + 0j}
    return [json.dumps({'s': set(xs)}, cls=SetEncoder),
            json.dumps(obj, default=repr), json.dumps([float('nan'), 1e400, -0.0])]
""")

_p("json/roundtrip_unicode", r"['snow ☃', 'emoji 😀', 'quote \" slash \\ ', '\x00\x1f']", r"""
import json

def f(strings):
    enc = json.dumps(strings)
    enc2 = json.dumps(strings, ensure_ascii=False)
    return [enc, enc2, json.loads(enc) == strings, json.loads(enc2) == strings]
""")

_p("json/err_decode", r"['{\"a\": 1,}', '[1, 2', '{\"a\" 1}', 'tru', '']", r"""
import json

def f(texts):
    out = []
    for t in texts:
        try:
            out.append(json.loads(t))
        except json.JSONDecodeError as e:
            out.append((e.msg, e.pos, e.lineno, e.colno))
    return out
""")

_p("json/err_not_serializable", r"b'bytes'", r"""
import json

def f(value):
    try:
        return json.dumps({'v': value})
    except TypeError as e:
        return ['TypeError', str(e)]
""")

_p("json/err_circular", r"[1]", r"""
import json

def f(xs):
    xs.append(xs)
    try:
        return json.dumps(xs)
    except ValueError as e:
        return ['ValueError', str(e)]
""")

_p("json/err_allow_nan", r"1e308", r"""
import json

def f(x):
    try:
        return json.dumps(x * 10, allow_nan=False)
    except ValueError as e:
        return ['ValueError', str(e)]
""")

_p("json/raise_decode", r"'{not json}'", r"""
import json

def f(text):
    return json.loads(text)
""")


# =========================================================================== html, html.parser, xml

_p("html/escape_unescape", r"'<a href=\"x?a=1&b=2\">O\'Neil & co</a>'", r"""
import html

def f(s):
    return [html.escape(s), html.escape(s, quote=False), html.unescape(html.escape(s)) == s,
            html.unescape('&amp;&lt;&#39;&eacute;&#x20AC;&notanentity; &copy &nbsp;|&#0;')]
""")

_p("html/parser_collect", r"'<html><body><h1 class=\"t\" id=x>Title</h1><!-- note --><p>One &amp; two<br/>three</p><img src=a.png alt></body></html>'", r"""
from html.parser import HTMLParser

class Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.events = []
    def handle_starttag(self, tag, attrs):
        self.events.append(('start', tag, attrs))
    def handle_endtag(self, tag):
        self.events.append(('end', tag))
    def handle_startendtag(self, tag, attrs):
        self.events.append(('startend', tag, attrs))
    def handle_data(self, data):
        self.events.append(('data', data))
    def handle_comment(self, data):
        self.events.append(('comment', data))

def f(doc):
    p = Collector()
    p.feed(doc)
    p.close()
    return p.events
""")

_p("html/parser_links", r"'<a href=\"/one\">1</a> <A HREF=\"/two\" title=T>2</A> <a name=x>3</a>'", r"""
from html.parser import HTMLParser

class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []
    def handle_starttag(self, tag, attrs):
        d = dict(attrs)
        if tag == 'a' and 'href' in d:
            self.links.append(d['href'])

def f(doc):
    p = Links()
    p.feed(doc)
    return p.links
""")

_p("xml/etree_parse", r"'<library><book id=\"1\" lang=\"en\"><title>Dune</title><year>1965</year></book><book id=\"2\"><title>Solaris</title><year>1961</year></book></library>'", r"""
import xml.etree.ElementTree as ET

def f(doc):
    root = ET.fromstring(doc)
    books = root.findall('book')
    return [root.tag, len(books), [b.get('id') for b in books], [b.findtext('title') for b in books],
            sorted(int(y.text) for y in root.iter('year')), books[0].attrib, root.find(".//book[@id='2']/title").text,
            books[1].get('lang', 'n/a')]
""")

_p("xml/etree_build_serialize", r"[('apple', 3), ('pear', 5)]", r"""
import xml.etree.ElementTree as ET

def f(items):
    root = ET.Element('basket', owner='ann')
    for name, qty in items:
        e = ET.SubElement(root, 'item', name=name)
        e.text = str(qty)
    ET.SubElement(root, 'note').text = 'a < b & c'
    return [ET.tostring(root, encoding='unicode'), ET.tostring(root), [c.tag for c in root]]
""")

_p("xml/etree_namespaces", r"'<r xmlns:a=\"urn:a\"><a:x>1</a:x><a:x>2</a:x><y>3</y></r>'", r"""
import xml.etree.ElementTree as ET

def f(doc):
    root = ET.fromstring(doc)
    ns = {'a': 'urn:a'}
    return [[e.text for e in root.findall('a:x', ns)], [e.tag for e in root], root.find('y').text]
""")

_p("xml/minidom", r"'<doc><p n=\"1\">hi</p><p n=\"2\">there</p></doc>'", r"""
from xml.dom import minidom

def f(text):
    dom = minidom.parseString(text)
    ps = dom.getElementsByTagName('p')
    return [[p.getAttribute('n') for p in ps], [p.firstChild.data for p in ps], dom.documentElement.tagName]
""")

_p("xml/err_parse_error", r"['<a><b></a>', '<a>', '<a x=1/>', '<ok/>']", r"""
import xml.etree.ElementTree as ET

def f(docs):
    out = []
    for d in docs:
        try:
            out.append(ET.fromstring(d).tag)
        except ET.ParseError as e:
            out.append((type(e).__name__, e.code, e.position, str(e)))
    return out
""")

_p("xml/raise_parse_error", r"'<unclosed>'", r"""
import xml.etree.ElementTree as ET

def f(doc):
    return ET.fromstring(doc).tag
""")


# =========================================================================== email.utils and ipaddress

_p("email/parseaddr", r"['Ada Lovelace <ada@example.com>', 'bob@example.org', '\"Doe, Jane\" <jane@x.io>', 'broken <']", r"""
import email.utils

def f(addrs):
    return [email.utils.parseaddr(a) for a in addrs]
""")

_p("email/formataddr_getaddresses", r"[('Ann Example', 'ann@example.com'), ('Doe, J', 'j@d.org'), ('', 'x@y.z')]", r"""
from email.utils import formataddr, getaddresses

def f(pairs):
    formatted = [formataddr(p) for p in pairs]
    return [formatted, getaddresses([', '.join(formatted)])]
""")

_p("email/quote_unquote", r"'say \"hi\" \\ bye'", r"""
from email.utils import quote, unquote

def f(s):
    q = quote(s)
    return [q, unquote('"' + q + '"'), unquote('<x@y>')]
""")

_p("ipaddress/address_properties", r"['192.168.1.10', '8.8.8.8', '127.0.0.1', '::1', '2001:db8::8a2e:370:7334', '10.0.0.255']", r"""
import ipaddress

def f(addrs):
    out = []
    for a in addrs:
        ip = ipaddress.ip_address(a)
        out.append((str(ip), ip.version, ip.is_private, ip.is_loopback, ip.is_global, ip.packed, int(ip),
                    ip.reverse_pointer, ip.exploded))
    return out
""")

_p("ipaddress/networks", r"'192.168.10.0/29'", r"""
import ipaddress

def f(cidr):
    net = ipaddress.ip_network(cidr)
    return [[str(h) for h in net.hosts()], str(net.broadcast_address), str(net.netmask), str(net.hostmask),
            net.num_addresses, [str(s) for s in net.subnets(prefixlen_diff=1)], str(net.supernet(new_prefix=24)),
            ipaddress.ip_address('192.168.10.3') in net, net.with_prefixlen, net.overlaps(ipaddress.ip_network('192.168.10.4/30'))]
""")

_p("ipaddress/collapse_and_sort", r"['10.0.0.0/25', '10.0.0.128/25', '10.0.1.0/24', '10.0.3.0/24', '10.0.2.0/24']", r"""
import ipaddress

def f(cidrs):
    nets = [ipaddress.ip_network(c) for c in cidrs]
    collapsed = [str(n) for n in ipaddress.collapse_addresses(nets)]
    summary = [str(n) for n in ipaddress.summarize_address_range(ipaddress.ip_address('10.0.0.5'), ipaddress.ip_address('10.0.0.20'))]
    return [collapsed, summary, [str(n) for n in sorted(nets)]]
""")

_p("ipaddress/ipv6_forms", r"'2001:0db8:0000:0000:0000:ff00:0042:8329'", r"""
import ipaddress

def f(text):
    ip = ipaddress.IPv6Address(text)
    mapped = ipaddress.IPv6Address('::ffff:192.0.2.1')
    return [ip.compressed, ip.exploded, str(ip + 1), str(mapped.ipv4_mapped), str(ipaddress.ip_interface('10.1.2.3/16').network),
            ipaddress.ip_network('fe80::/10').is_link_local]
""")

_p("ipaddress/err_invalid", r"['1.2.3.4', '256.1.1.1', '1.2.3', 'fe80::1::2', 'abc']", r"""
import ipaddress

def f(texts):
    out = []
    for t in texts:
        try:
            out.append(str(ipaddress.ip_address(t)))
        except ValueError as e:
            out.append(str(e))
    return out
""")

_p("ipaddress/err_host_bits", r"'192.168.1.1/24'", r"""
import ipaddress

def f(cidr):
    try:
        return str(ipaddress.ip_network(cidr))
    except ValueError as e:
        return [type(e).__name__, str(e), str(ipaddress.ip_network(cidr, strict=False))]
""")

_p("ipaddress/raise_bad_v4", r"'300.0.0.1'", r"""
import ipaddress

def f(text):
    return str(ipaddress.IPv4Address(text))
""")


# =========================================================================== enum, dataclasses, typing, numbers, keyword

_p("enum/basics", r"'GREEN', 3", r"""
from enum import Enum, auto

class Color(Enum):
    RED = 1
    GREEN = 2
    BLUE = 3
    CRIMSON = 1

class Step(Enum):
    FIRST = auto()
    SECOND = auto()

def f(name, value):
    c = Color[name]
    return [c.name, c.value, Color(value).name, [m.name for m in Color], Color.CRIMSON is Color.RED,
            list(Color.__members__), str(c), repr(c), [s.value for s in Step], Color.RED in Color]
""")

_p("enum/intenum_flag", r"5", r"""
from enum import IntEnum, Flag, IntFlag, auto

class Level(IntEnum):
    LOW = 1
    MID = 5
    HIGH = 10

class Perm(Flag):
    R = auto()
    W = auto()
    X = auto()

class Mode(IntFlag):
    A = 1
    B = 2

def f(n):
    rw = Perm.R | Perm.W
    return [Level(n).name, Level.MID == 5, Level.LOW < Level.HIGH, sorted(Level)[-1].name, int(Level.HIGH) + 1,
            rw.value, Perm.R in rw, Perm.X in rw, bool(Perm.R & Perm.X), [p.name for p in Perm], int(Mode.A | Mode.B),
            (Mode.A | 4).value, str(Level.MID), format(Level.MID, '03d')]
""")

_p("enum/str_enum_members", r"['north', 'east', 'up']", r"""
from enum import Enum

class Direction(str, Enum):
    NORTH = 'north'
    EAST = 'east'
    SOUTH = 'south'
    WEST = 'west'

    def turn(self):
        order = list(Direction)
        return order[(order.index(self) + 1) % 4]

def f(names):
    out = []
    for n in names:
        try:
            d = Direction(n)
            out.append((d.name, d.turn().value, d == n, d.upper()))
        except ValueError as e:
            out.append(str(e))
    return out
""")

_p("enum/err_unique", r"'x'", r"""
from enum import Enum, unique

def f(_):
    try:
        @unique
        class Dup(Enum):
            A = 1
            B = 1
        return 'no error'
    except ValueError as e:
        return ['ValueError', str(e)]
""")

_p("enum/raise_bad_value", r"99", r"""
from enum import Enum

class Suit(Enum):
    HEARTS = 1
    SPADES = 2

def f(v):
    return Suit(v).name
""")

_p("dataclasses/asdict_astuple", r"'Ann', 31, ['x', 'y']", r"""
from dataclasses import dataclass, field, asdict, astuple, fields, replace

@dataclass
class Address:
    city: str = 'Paris'

@dataclass
class Person:
    name: str
    age: int
    tags: list = field(default_factory=list)
    address: Address = field(default_factory=Address)

def f(name, age, tags):
    p = Person(name, age, tags)
    q = replace(p, age=age + 1)
    return [asdict(p), astuple(q), [fl.name for fl in fields(Person)], repr(p), p == Person(name, age, list(tags)),
            q.age]
""")

_p("dataclasses/order_frozen", r"[(3, 'c'), (1, 'z'), (1, 'a'), (2, 'b')]", r"""
from dataclasses import dataclass

@dataclass(order=True, frozen=True)
class Item:
    priority: int
    name: str

def f(rows):
    items = sorted(Item(*r) for r in rows)
    return [[(i.priority, i.name) for i in items], Item(1, 'a') < Item(1, 'b'), len({Item(1, 'a'), Item(1, 'a')})]
""")

_p("dataclasses/post_init_slots_kw", r"3.0, 4.0", r"""
from dataclasses import dataclass, field, KW_ONLY

@dataclass(slots=True)
class Vec:
    x: float
    y: float
    norm: float = field(init=False, repr=False)
    def __post_init__(self):
        self.norm = (self.x ** 2 + self.y ** 2) ** 0.5

@dataclass
class Opts:
    a: int
    _: KW_ONLY
    verbose: bool = False

def f(x, y):
    v = Vec(x, y)
    return [v.norm, repr(v), hasattr(v, '__dict__'), repr(Opts(1, verbose=True))]
""")

_p("dataclasses/err_frozen_assign", r"1", r"""
from dataclasses import dataclass, FrozenInstanceError

@dataclass(frozen=True)
class P:
    x: int

def f(v):
    p = P(v)
    try:
        p.x = 5
        return 'assigned'
    except FrozenInstanceError as e:
        return [type(e).__name__, str(e), isinstance(e, AttributeError)]
""")

_p("dataclasses/err_mutable_default", r"0", r"""
from dataclasses import dataclass

def f(_):
    try:
        @dataclass
        class Bad:
            items: list = []
        return 'created'
    except ValueError as e:
        return ['ValueError', str(e)]
""")

_p("dataclasses/raise_missing_arg", r"1", r"""
from dataclasses import dataclass

@dataclass
class Pair:
    a: int
    b: int

def f(a):
    return repr(Pair(a))
""")

_p("typing/namedtuple_typeddict", r"'ann', 3", r"""
from typing import NamedTuple, TypedDict, Optional

class Row(NamedTuple):
    name: str
    count: int = 0

class Movie(TypedDict, total=False):
    title: str
    year: int

def f(name, count):
    r = Row(name, count)
    m: Movie = {'title': 'Up'}
    return [tuple(r), r._asdict(), Row._fields, Row._field_defaults, m, sorted(Movie.__annotations__),
            Movie.__total__, r.count * 2]
""")

_p("typing/introspection", r"0", r"""
import typing
from typing import List, Dict, Optional, Union, Callable, Tuple, Literal

def f(_):
    hints = [list[int], Dict[str, int], Optional[int], Union[int, str], Callable[[int], str], Tuple[int, ...],
             Literal['a', 'b']]
    return [[repr(typing.get_origin(h)) for h in hints], [repr(typing.get_args(h)) for h in hints], repr(Optional[int])]
""")

_p("typing/generic_protocol", r"[3, 1, 2]", r"""
from typing import Generic, TypeVar, Protocol, runtime_checkable

T = TypeVar('T')

class Stack(Generic[T]):
    def __init__(self):
        self.items: list[T] = []
    def push(self, x: T) -> None:
        self.items.append(x)
    def pop(self) -> T:
        return self.items.pop()

@runtime_checkable
class Sized(Protocol):
    def __len__(self) -> int: ...

def f(xs):
    s = Stack[int]()
    for x in xs:
        s.push(x)
    return [s.pop(), s.items, isinstance(xs, Sized), isinstance(5, Sized), Stack.__parameters__ == (T,)]
""")

_p("typing/cast_overload_hints", r"'5'", r"""
from typing import cast, get_type_hints, Any

class Config:
    name: str
    retries: int = 3

def g(a: int, b: 'str' = 'x') -> bool:
    return True

def f(s):
    v = cast(int, s)
    hints = get_type_hints(Config)
    return [v, sorted((k, t.__name__) for k, t in hints.items()), sorted((k, getattr(t, '__name__', str(t))) for k, t in get_type_hints(g).items())]
""")

_p("numbers/tower", r"[1, True, 2.5, (1+2j), 'x']", r"""
import numbers
from fractions import Fraction
from decimal import Decimal

def f(values):
    values = values + [Fraction(1, 3), Decimal('1.5')]
    kinds = (numbers.Number, numbers.Complex, numbers.Real, numbers.Rational, numbers.Integral)
    return [(type(v).__name__, [isinstance(v, k) for k in kinds]) for v in values]
""")

_p("numbers/custom_registration", r"7", r"""
import numbers

class Meters:
    def __init__(self, v):
        self.v = v

numbers.Real.register(Meters)

def f(v):
    m = Meters(v)
    return [isinstance(m, numbers.Real), isinstance(m, numbers.Number), isinstance(m, numbers.Integral), issubclass(bool, numbers.Integral)]
""")

_p("keyword/checks", r"['if', 'match', 'case', 'print', 'None', 'async', 'type', '_', 'lambda', 'foo']", r"""
import keyword

def f(words):
    return [(w, keyword.iskeyword(w), keyword.issoftkeyword(w), w.isidentifier()) for w in words] + [
        'await' in keyword.kwlist, sorted(keyword.kwlist)[:5]]
""")


# =========================================================================== pprint, fnmatch, shlex

_p("pprint/pformat_widths", r"{'name': 'widget', 'dims': [10, 20, 30], 'tags': {'b': 2, 'a': 1}, 'nested': [[1, 2], [3, [4, 5]]]}", r"""
import pprint

def f(obj):
    return [pprint.pformat(obj), pprint.pformat(obj, width=30), pprint.pformat(obj, width=30, sort_dicts=False),
            pprint.pformat(obj, depth=1), pprint.pformat(list(range(30)), compact=True, width=40)]
""")

_p("pprint/saferepr", r"[1, 'two', {'three': (3,)}]", r"""
import pprint

def f(obj):
    flat = list(obj)
    obj.append(obj)
    return [pprint.saferepr(flat), pprint.isrecursive(obj), pprint.isrecursive(flat), pprint.isreadable(flat),
            pprint.pformat('x' * 30, width=10), pprint.pformat(('a' * 8, 'b' * 8), width=12)]
""")

_p("fnmatch/patterns", r"['data.csv', 'Data.CSV', 'notes.txt', 'img_01.png', 'img_2.png', '.hidden', 'a[1].py']", r"""
import fnmatch

def f(names):
    return [fnmatch.filter(names, '*.csv'), [n for n in names if fnmatch.fnmatchcase(n, '*.CSV')],
            fnmatch.filter(names, 'img_??.png'), fnmatch.filter(names, '[!.]*.t?t'), fnmatch.filter(names, 'a[[]1].py'),
            fnmatch.translate('*.py[cod]')]
""")

_p("shlex/split_quote_join", r"""'cp -r "my files" dest\\ dir --name=\'x y\' # comment'""", r"""
import shlex

def f(cmd):
    parts = shlex.split(cmd)
    return [parts, shlex.split(cmd, comments=True), shlex.join(['echo', 'hello world', "it's"]),
            shlex.quote("a'b"), shlex.quote('safe-word')]
""")

_p("shlex/lexer_nonposix", r"""'a "b c" d=\'e\''""", r"""
import shlex

def f(text):
    lex = shlex.shlex(text, posix=False)
    lex.whitespace_split = True
    return [list(lex), shlex.split(text, posix=False)]
""")

_p("shlex/err_unclosed_quote", r"'echo \"unterminated'", r"""
import shlex

def f(cmd):
    try:
        return shlex.split(cmd)
    except ValueError as e:
        return ['ValueError', str(e)]
""")


# =========================================================================== formatting and number edge cases

_p("format/number_specs", r"1234567.891, 255", r"""
def f(x, n):
    return [format(x, ',.2f'), format(x, '_.1f'), f'{x:e}', f'{x:.3g}', f'{x:%}', f'{0.25:.1%}', f'{n:#x}',
            f'{n:#o}', f'{n:08b}', f'{n:X}', f'{n:,}', f'{n:_b}', f'{-n:+d}', f'{n: d}', f'{n:c}']
""")

_p("format/alignment_fill", r"'py', 3.14159", r"""
def f(s, x):
    return [f'[{s:<6}]', f'[{s:>6}]', f'[{s:^6}]', f'[{s:*^7}]', f'[{x:10.3f}]', f'[{x:<10.2f}]', f'[{x:=+10.2f}]',
            f'[{-x:010.2f}]', '{:{w}.{p}f}'.format(x, w=8, p=1), f'{s!r:>6}', f'{s=}', f'{x=:.1f}']
""")

_p("format/percent_style", r"'abc', 42, 3.5", r"""
def f(s, n, x):
    return ['%s|%5s|%-5s|' % (s, s, s), '%d|%5d|%-5d|%05d' % (n, n, n, n), '%x %X %o %#x' % (n, n, n, n),
            '%.2f %e %g %10.3f' % (x, x, x, x), '%r %a' % (s + 'é', s + 'é'), '%c%c' % (65, 'z'),
            '%(name)s is %(age)d' % {'name': s, 'age': n}, '%%literal %s' % (s,), '%+d % d' % (n, n)]
""")

_p("format/negative_zero_z", r"-0.0001", r"""
def f(x):
    return [f'{x:.1f}', f'{x:z.1f}', format(-0.0, ''), repr(-0.0), f'{-0.0:g}', str(round(x, 2)), f'{x:z.2e}']
""")

_p("format/float_repr_edges", r"[0.1, 0.2, 1e16, 1e-7, 123456789012345678.0, 2.5e-323, 1.7976931348623157e308]", r"""
def f(xs):
    return [repr(xs[0] + xs[1]), str(xs[2]), str(xs[3]), repr(xs[4]), repr(xs[5]), repr(xs[6]), [float(repr(x)) == x for x in xs],
            0.1 + 0.2 == 0.3, round(0.1 + 0.2, 15) == 0.3]
""")

_p("format/float_hex_ratio", r"[0.5, 0.1, -3.75, 1e300]", r"""
def f(xs):
    return [(x.hex(), float.fromhex(x.hex()) == x, x.as_integer_ratio(), x.is_integer()) for x in xs] + [
        float.fromhex('0x1.8p1'), float.fromhex('-0x1p-2')]
""")

_p("format/int_bytes", r"[0, 1, 255, 256, -1, -129, 65535]", r"""
def f(values):
    out = []
    for v in values:
        b = v.to_bytes(3, 'big', signed=True)
        out.append((v, b, int.from_bytes(b, 'big', signed=True), v.to_bytes(4, 'little', signed=True), v.bit_length(),
                    v.bit_count()))
    return out + [int.from_bytes(b'\x01\x00', 'little'), (1024).to_bytes(2, 'big')]
""")

_p("format/round_half_even", r"[0.5, 1.5, 2.5, 3.5, -0.5, -1.5, 2.675, 1.005, 12345, 15, 25]", r"""
def f(xs):
    return [round(x) for x in xs[:6]] + [round(xs[6], 2), round(xs[7], 2), round(xs[8], -2), round(xs[9], -1),
                                         round(xs[10], -1), round(2.5, 0), round(7, 1)]
""")

_p("format/divmod_negatives", r"[(7, 3), (-7, 3), (7, -3), (-7, -3), (7.5, 2), (-7.5, 2)]", r"""
def f(pairs):
    return [(a, b, a // b, a % b, divmod(a, b), int(a / b)) for a, b in pairs] + [-7 >> 1, -1 >> 10, 7 & -8, ~5, -(2 ** 70) // 3]
""")

_p("format/int_parsing", r"['42', ' -17 ', '0x1f', '0b101', '0o17', '1_000_000', '٣٤', '+8']", r"""
def f(texts):
    return [int(texts[0]), int(texts[1]), int(texts[2], 16), int(texts[3], 0), int(texts[4], 0), int(texts[5]),
            int(texts[6]), int(texts[7]), int('z', 36), int('777', 8), float(' 1e3 '), float('-inf') < 0,
            float('1_0.5'), int(3.99), int(-3.99), int(True)]
""")

_p("format/big_int_arith", r"100", r"""
def f(n):
    a = 3 ** n
    b = 7 ** (n // 2)
    return [a * b, a // b, a % b, len(str(a ** 5)), (a ** 5).bit_length(), str(-a)[:12], pow(a, b, 10 ** 12),
            a.bit_count()]
""")

_p("format/complex_values", r"(3+4j), -2.5", r"""
def f(z, x):
    return [z * x, z ** 2, abs(z), z.real, z.imag, complex(x), z == complex(3, 4), repr(complex(0, -0.0)),
            repr(complex(-0.0, 0)), format(z, '.2f'), f'{z:>20}', divmod(7, 2), (-8) ** (1 / 3) == complex(-8) ** (1 / 3)]
""")

_p("format/bool_int_mix", r"[True, False, 1, 0, 2]", r"""
def f(xs):
    return [sum(xs), True + True, True * 3.0, xs.count(1), xs.index(True), {True: 'a', 1: 'b'}, True == 1,
            isinstance(True, int), sorted(xs), max(True, 1), [1] * True]
""")

_p("format/err_int_invalid", r"['12', 'abc', '1.5', '', '0x10', '٣']", r"""
def f(texts):
    out = []
    for t in texts:
        try:
            out.append(int(t))
        except ValueError as e:
            out.append(str(e))
    return out
""")

_p("format/err_float_invalid", r"['1.5', 'one', '1,5', '  ']", r"""
def f(texts):
    out = []
    for t in texts:
        try:
            out.append(float(t))
        except ValueError as e:
            out.append(str(e))
    return out
""")

_p("format/err_to_bytes_overflow", r"[(255, 1, False), (256, 1, False), (-1, 2, False), (128, 1, True), (-128, 1, True)]", r"""
def f(cases):
    out = []
    for v, n, signed in cases:
        try:
            out.append(v.to_bytes(n, 'big', signed=signed))
        except OverflowError as e:
            out.append(str(e))
    return out
""")

_p("format/err_float_overflow", r"400", r"""
def f(n):
    out = []
    for fn in (lambda: float(10 ** n), lambda: 10 ** n / 1.0, lambda: 2.0 ** (n * 3), lambda: (10 ** n) * 1.5):
        try:
            out.append(fn())
        except OverflowError as e:
            out.append(['OverflowError', str(e)])
    return out
""")

_p("format/err_percent_type", r"'x'", r"""
def f(s):
    out = []
    for fmt, args in (('%d', s), ('%s %s', (s,)), ('%s', (s, s)), ('%z', s)):
        try:
            out.append(fmt % args)
        except (TypeError, ValueError) as e:
            out.append([type(e).__name__, str(e)])
    return out
""")

_p("format/err_format_spec", r"3.5", r"""
def f(x):
    out = []
    for spec in ('d', '.2f', 'q', ',d', '=10s'):
        try:
            out.append(format(x, spec))
        except ValueError as e:
            out.append(str(e))
    return out
""")

_p("format/raise_int_parse", r"'forty-two'", r"""
def f(s):
    return int(s)
""")

_p("format/raise_overflow", r"1000", r"""
def f(n):
    return float(10 ** n)
""")


# =========================================================================== sorting, dicts, sets

_p("sort/multi_key", r"[('bob', 25, 'NY'), ('amy', 31, 'LA'), ('cat', 25, 'LA'), ('dan', 31, 'NY'), ('eve', 22, 'SF')]", r"""
def f(rows):
    return [sorted(rows, key=lambda r: (-r[1], r[0])), sorted(rows, key=lambda r: r[2]), [r[0] for r in sorted(rows, key=lambda r: r[1], reverse=True)],
            min(rows, key=lambda r: (r[1], r[0]))[0], max(rows, key=lambda r: r[1])[0]]
""")

_p("sort/stable_and_reverse", r"['bb', 'a', 'ccc', 'dd', 'e', 'fff']", r"""
def f(words):
    by_len = sorted(words, key=len)
    by_len_rev = sorted(words, key=len, reverse=True)
    inplace = list(words)
    inplace.sort(key=lambda w: (len(w) % 2, w))
    return [by_len, by_len_rev, inplace, sorted(words, key=str.upper, reverse=True), list(reversed(words))]
""")

_p("sort/custom_order", r"['banana', 'Apple', 'cherry', 'apple', 'Banana', '10', '9', 'date']", r"""
def natural(s):
    return (0, int(s), '') if s.isdigit() else (1, 0, s.casefold())

def f(items):
    return [sorted(items), sorted(items, key=natural), sorted(items, key=lambda s: (s.lower(), s))]
""")

_p("sort/err_mixed_types", r"[3, 'a', 1]", r"""
def f(xs):
    try:
        return sorted(xs)
    except TypeError as e:
        return ['TypeError', str(e)]
""")

_p("dict/ordering_and_merge", r"{'b': 1, 'a': 2}, {'c': 3, 'a': 9}", r"""
def f(x, y):
    merged = x | y
    z = dict(x)
    z |= {'d': 4}
    z.update(y, e=5)
    return [merged, list(merged), {**y, **x}, z, dict(zip('abc', range(3))), dict.fromkeys('xyz', 0)]
""")

_p("dict/methods", r"{'k1': 1, 'k2': 2, 'k3': 3}", r"""
def f(d):
    d = dict(d)
    a = d.setdefault('k4', 4)
    b = d.setdefault('k1', 100)
    c = d.pop('k2')
    e = d.pop('zz', 'default')
    last = d.popitem()
    return [a, b, c, e, last, d, list(d.keys()), list(d.values()), list(d.items()), d.get('nope'), 'k1' in d,
            list(reversed(d))]
""")

_p("dict/inversion_and_comprehension", r"{'a': 1, 'b': 2, 'c': 1, 'd': 3}", r"""
def f(d):
    inverted = {}
    for k, v in d.items():
        inverted.setdefault(v, []).append(k)
    squares = {k: v * v for k, v in d.items() if v > 1}
    return [inverted, squares, sorted(d, key=d.get), max(d, key=lambda k: (d[k], k)), {v: k for k, v in d.items()}]
""")

_p("dict/views", r"{'a': 1, 'b': 2}, {'b': 3, 'c': 4}", r"""
def f(x, y):
    kx, ky = x.keys(), y.keys()
    return [sorted(kx & ky), sorted(kx | ky), sorted(kx - ky), sorted(kx ^ ky), sorted(x.items() & {('a', 1)}),
            len(x.values()), 'a' in kx, kx.isdisjoint(['z'])]
""")

_p("dict/err_missing_and_mutation", r"{'a': 1, 'b': 2}", r"""
def f(d):
    out = []
    try:
        d['zzz']
    except KeyError as e:
        out.append(['KeyError', str(e)])
    try:
        for k in d:
            d[k + k] = 0
    except RuntimeError as e:
        out.append(['RuntimeError', str(e)])
    try:
        {}.popitem()
    except KeyError as e:
        out.append(['KeyError', str(e)])
    return out
""")

_p("dict/raise_missing_key", r"{'a': 1}, 'b'", r"""
def f(d, k):
    return d[k]
""")

_p("set/operations_sorted", r"[1, 2, 3, 4, 5], [4, 5, 6, 7]", r"""
def f(a, b):
    sa, sb = set(a), set(b)
    return [sorted(sa & sb), sorted(sa | sb), sorted(sa - sb), sorted(sa ^ sb), sa <= sb, {4, 5} < sa, sa.isdisjoint({9}),
            sorted(sa.intersection(b, [5])), len(sa.union(b))]
""")

_p("set/int_set_repr", r"[5, 3, 1, 3, 5, 9]", r"""
def f(xs):
    s = set(xs)
    s.discard(9)
    s.add(2)
    return [s, {x * x for x in s}, set(), {0}, s - {1}]
""")

_p("set/string_dedupe_ordered", r"['b', 'a', 'b', 'c', 'a', 'd']", r"""
def f(items):
    seen = set()
    ordered = [x for x in items if not (x in seen or seen.add(x))]
    return [ordered, list(dict.fromkeys(items)), sorted(set(items)), len(seen)]
""")

_p("set/err_remove_missing", r"[1, 2]", r"""
def f(xs):
    s = set(xs)
    out = []
    try:
        s.remove(3)
    except KeyError as e:
        out.append(['KeyError', e.args])
    try:
        set().pop()
    except KeyError as e:
        out.append(['KeyError', str(e)])
    try:
        s.add([1])
    except TypeError as e:
        out.append(['TypeError', str(e)])
    return out
""")


# =========================================================================== bytes and bytearray

_p("bytes/methods", r"b'  Hello, World  '", r"""
def f(b):
    t = b.strip()
    return [t.lower(), t.upper(), t.split(b', '), t.replace(b'l', b'L', 2), t.find(b'o'), t.count(b'l'), t.startswith(b'He'),
            t.isalpha(), b'abc'.isalpha(), t.center(16, b'*'), t.title(), t.swapcase(), t[0], t[-1:], list(t[:3])]
""")

_p("bytes/hex_fromhex", r"b'\xde\xad\xbe\xef\x00'", r"""
def f(b):
    h = b.hex()
    return [h, b.hex(' '), b.hex(':', 2), bytes.fromhex(h) == b, bytes.fromhex('01 02 ff'), bytes(bytearray.fromhex('ab cd'))]
""")

_p("bytes/construct_translate", r"'hello'", r"""
def f(s):
    b = s.encode()
    table = bytes.maketrans(b'el', b'ip')
    return [bytes(range(5)), bytes(3), bytes([65, 66]), b.translate(table), b.translate(None, b'l'), b'-'.join([b'a', b'b']),
            b * 2, b + b'!', b'%s=%d %x' % (b'k', 5, 255), b'%-5s|' % b'ab', bytes(reversed(b))]
""")

_p("bytes/bytearray_mutation", r"b'abcdef'", r"""
def f(data):
    ba = bytearray(data)
    ba.append(0x67)
    ba.extend(b'hi')
    ba.insert(0, 0x5f)
    popped = ba.pop()
    ba[1:3] = b'XYZ'
    del ba[-2:]
    ba.reverse()
    ba.remove(ord('Z'))
    return [bytes(ba), popped, len(ba), ba.count(b'X'), bytes(ba.upper()), bytes(ba * 2)[:4], ba == bytearray(bytes(ba))]
""")

_p("bytes/splitting", r"b'a,b,,c\r\nd\ne'", r"""
def f(b):
    return [b.split(b','), b.splitlines(), b.splitlines(keepends=True), b.partition(b','), b.rsplit(b',', 1), b.split(),
            b.expandtabs(), b.zfill(16), b.removeprefix(b'a,'), b.rstrip(b'e')]
""")

_p("bytes/iteration_ints", r"b'AZaz09'", r"""
def f(b):
    return [list(b), sum(b), [chr(c) for c in b], bytes(c ^ 0x20 for c in b), max(b), b'A' in b, 65 in b, b[::2]]
""")

_p("bytes/err_fromhex", r"['0a0b', '0g', 'abc', '0a 0b']", r"""
def f(texts):
    out = []
    for t in texts:
        try:
            out.append(bytes.fromhex(t))
        except ValueError as e:
            out.append(str(e))
    return out
""")

_p("bytes/err_byte_range", r"[10, 256, -1]", r"""
def f(values):
    out = []
    for v in values:
        ba = bytearray()
        try:
            ba.append(v)
            out.append(bytes(ba))
        except ValueError as e:
            out.append(str(e))
    try:
        bytes([1, 300])
    except ValueError as e:
        out.append(str(e))
    return out
""")

_p("bytes/raise_mix_str", r"b'abc', 'def'", r"""
def f(b, s):
    return b + s
""")


# =========================================================================== builtins: zip, map, generators, comprehensions

_p("iter/zip_enumerate_map_filter", r"['a', 'b', 'c'], [1, 2, 3, 4]", r"""
def f(letters, nums):
    return [list(zip(letters, nums)), list(enumerate(letters, 1)), list(map(str.upper, letters)),
            list(map(lambda a, b: a * b, letters, nums)), list(filter(lambda n: n % 2 == 0, nums)), list(filter(None, [0, 1, '', 'x'])),
            dict(zip(letters, nums)), list(zip(*[(1, 'x'), (2, 'y')]))]
""")

_p("iter/generator_pipeline", r"20", r"""
def numbers(n):
    for i in range(n):
        yield i

def evens(it):
    for x in it:
        if x % 2 == 0:
            yield x

def squares(it):
    yield from (x * x for x in it)

def f(n):
    g = squares(evens(numbers(n)))
    first = next(g)
    return [first, list(g), sum(x for x in range(n) if x % 3 == 0)]
""")

_p("iter/generator_send_return", r"[5, 10, 15]", r"""
def averager():
    total, count, avg = 0, 0, None
    while True:
        value = yield avg
        if value is None:
            return (count, total)
        total += value
        count += 1
        avg = total / count

def f(values):
    g = averager()
    next(g)
    seen = [g.send(v) for v in values]
    try:
        g.send(None)
    except StopIteration as stop:
        return [seen, stop.value]
""")

_p("iter/comprehensions", r"3", r"""
def f(n):
    matrix = [[i * n + j for j in range(n)] for i in range(n)]
    transpose = [list(row) for row in zip(*matrix)]
    flat = [x for row in matrix for x in row if x % 2]
    pairs = {(i, j) for i in range(n) for j in range(i)}
    lookup = {i: chr(97 + i) for i in range(n)}
    return [matrix, transpose, flat, sorted(pairs), lookup, [y for x in range(6) if (y := x * x) > 5]]
""")

_p("iter/any_all_sum_minmax", r"[3, -1, 4, 1, -5, 9]", r"""
def f(xs):
    return [any(x < 0 for x in xs), all(x < 10 for x in xs), sum(xs), sum(xs, 100), min(xs), max(xs), min([], default='empty'),
            max(xs, key=abs), sorted(xs, key=abs), sum([[1], [2]], []), sum([0.1] * 3)]
""")

_p("iter/iter_sentinel_reversed_range", r"[1, 2, 3, 0, 4]", r"""
def f(xs):
    stack = list(reversed(xs))
    before_zero = list(iter(stack.pop, 0))
    r = range(10)[2:8:2]
    return [before_zero, stack, list(r), r.start, r.stop, r.step, len(range(0, 100, 7)), list(reversed(range(5))),
            range(0, 10, 3).index(6), 5 in range(0, 10, 2)]
""")

_p("iter/custom_iterator", r"5", r"""
class Countdown:
    def __init__(self, start):
        self.current = start
    def __iter__(self):
        return self
    def __next__(self):
        if self.current <= 0:
            raise StopIteration
        self.current -= 1
        return self.current + 1

def f(n):
    c = Countdown(n)
    return [list(c), list(c), list(Countdown(3)) + list(Countdown(2)), sum(Countdown(n))]
""")

_p("iter/itertools_like_windows", r"[1, 2, 3, 4, 5, 6], 3", r"""
def windows(seq, k):
    for i in range(len(seq) - k + 1):
        yield tuple(seq[i:i + k])

def f(xs, k):
    ws = list(windows(xs, k))
    return [ws, [sum(w) / k for w in ws], max(ws, key=sum)]
""")

_p("iter/unpacking", r"[1, 2, 3, 4, 5]", r"""
def f(xs):
    first, *middle, last = xs
    (a, b), c = (xs[0], xs[1]), xs[2]
    head, *_ = 'hello'
    merged = [*xs[:2], *'ab', *{'k': 1}]
    return [first, middle, last, a + b + c, head, merged, {**{'x': 1}, 'y': 2}]
""")

_p("iter/print_to_buffer", r"['alpha', 'beta']", r"""
import io

def f(words):
    buf = io.StringIO()
    for i, w in enumerate(words):
        print(i, w, sep=':', end=';', file=buf)
    print(file=buf)
    print('done', len(words), file=buf)
    return buf.getvalue()
""")

_p("iter/stringio_bytesio", r"'line one\nline two\nline three'", r"""
import io

def f(text):
    s = io.StringIO(text)
    lines = s.readlines()
    s.seek(0)
    first = s.readline()
    b = io.BytesIO()
    b.write(text.encode())
    b.seek(5)
    return [lines, first, b.read(3), b.tell(), b.getvalue()[:4], len(b.getbuffer())]
""")

_p("iter/err_zip_strict", r"[1, 2, 3], 'ab'", r"""
def f(a, b):
    try:
        return list(zip(a, b, strict=True))
    except ValueError as e:
        return ['ValueError', str(e)]
""")

_p("iter/err_next_exhausted", r"[]", r"""
def f(xs):
    it = iter(xs)
    out = [next(it, 'default')]
    try:
        next(it)
    except StopIteration as e:
        out.append(['StopIteration', e.args])
    return out
""")

_p("iter/err_generator_raises", r"4", r"""
def gen(n):
    for i in range(n):
        if i == 2:
            raise ValueError(f'bad item {i}')
        yield i

def f(n):
    got = []
    try:
        for x in gen(n):
            got.append(x)
    except ValueError as e:
        got.append(str(e))
    return got
""")

_p("iter/raise_stop_iteration", r"[]", r"""
def f(xs):
    return next(iter(xs))
""")


# =========================================================================== classes and dunder methods

_p("class/vector_dunders", r"(1, 2), (3, 4)", r"""
class Vector:
    def __init__(self, x, y):
        self.x, self.y = x, y
    def __add__(self, other):
        return Vector(self.x + other.x, self.y + other.y)
    def __sub__(self, other):
        return Vector(self.x - other.x, self.y - other.y)
    def __mul__(self, k):
        return Vector(self.x * k, self.y * k)
    __rmul__ = __mul__
    def __neg__(self):
        return Vector(-self.x, -self.y)
    def __abs__(self):
        return (self.x ** 2 + self.y ** 2) ** 0.5
    def __eq__(self, other):
        return (self.x, self.y) == (other.x, other.y)
    def __hash__(self):
        return hash((self.x, self.y))
    def __repr__(self):
        return f'Vector({self.x}, {self.y})'
    def __bool__(self):
        return bool(self.x or self.y)

def f(a, b):
    u, v = Vector(*a), Vector(*b)
    return [repr(u + v), repr(v - u), repr(u * 3), repr(2 * v), repr(-u), abs(v), u == Vector(1, 2), bool(Vector(0, 0)),
            len({u, Vector(1, 2), v})]
""")

_p("class/container_protocol", r"['x', 'y', 'z']", r"""
class Bag:
    def __init__(self, items):
        self._items = list(items)
    def __len__(self):
        return len(self._items)
    def __getitem__(self, i):
        return self._items[i]
    def __setitem__(self, i, v):
        self._items[i] = v
    def __delitem__(self, i):
        del self._items[i]
    def __contains__(self, v):
        return v in self._items
    def __iter__(self):
        return iter(self._items)
    def __reversed__(self):
        return reversed(self._items)

def f(items):
    b = Bag(items)
    b[0] = 'X'
    del b[1]
    return [len(b), b[0], b[-1], b[0:2], 'z' in b, 'y' in b, list(b), list(reversed(b)), sorted(b)]
""")

_p("class/ordering_and_sorting", r"[('pear', 3), ('fig', 1), ('apple', 3)]", r"""
class Fruit:
    def __init__(self, name, rank):
        self.name, self.rank = name, rank
    def __lt__(self, other):
        return (self.rank, self.name) < (other.rank, other.name)
    def __repr__(self):
        return f'{self.name}#{self.rank}'

def f(rows):
    fruits = [Fruit(*r) for r in rows]
    return [repr(sorted(fruits)), repr(min(fruits)), repr(max(fruits)), str(sorted(fruits, reverse=True))]
""")

_p("class/inheritance_super_mro", r"'d'", r"""
class A:
    def who(self):
        return ['A']

class B(A):
    def who(self):
        return ['B'] + super().who()

class C(A):
    def who(self):
        return ['C'] + super().who()

class D(B, C):
    def who(self):
        return ['D'] + super().who()

def f(tag):
    return [D().who(), [k.__name__ for k in D.__mro__], issubclass(D, A), isinstance(D(), C), tag * 2]
""")

_p("class/properties_classmethods", r"25.0", r"""
class Temperature:
    scale = 'C'
    def __init__(self, celsius):
        self._c = celsius
    @property
    def fahrenheit(self):
        return self._c * 9 / 5 + 32
    @fahrenheit.setter
    def fahrenheit(self, value):
        self._c = (value - 32) * 5 / 9
    @classmethod
    def from_f(cls, value):
        t = cls(0)
        t.fahrenheit = value
        return t
    @staticmethod
    def describe(v):
        return f'{v:.1f} degrees'

def f(c):
    t = Temperature(c)
    u = Temperature.from_f(212)
    return [t.fahrenheit, u._c, Temperature.describe(t.fahrenheit), t.scale, type(u).__name__]
""")

_p("class/context_manager", r"['a', 'b', 'boom', 'c']", r"""
class Recorder:
    def __init__(self):
        self.log = []
    def __enter__(self):
        self.log.append('enter')
        return self
    def __exit__(self, exc_type, exc, tb):
        self.log.append(('exit', exc_type.__name__ if exc_type else None))
        return exc_type is ValueError

def f(steps):
    r = Recorder()
    for s in steps:
        with r:
            if s == 'boom':
                raise ValueError(s)
            r.log.append(s)
    return r.log
""")

_p("class/slots_and_setattr", r"'x', 5", r"""
class Point:
    __slots__ = ('x', 'y')
    def __init__(self, x, y):
        self.x, self.y = x, y

class Tracked:
    def __init__(self):
        object.__setattr__(self, 'changes', [])
    def __setattr__(self, name, value):
        self.changes.append(name)
        object.__setattr__(self, name, value)
    def __getattr__(self, name):
        return f'<missing {name}>'

def f(attr, value):
    p = Point(1, 2)
    setattr(p, attr, value)
    t = Tracked()
    t.a = 1
    t.b = 2
    try:
        p.z = 3
        slot_error = None
    except AttributeError as e:
        slot_error = str(e)
    return [getattr(p, attr), p.y, t.changes, t.nothing, slot_error, hasattr(p, '__dict__')]
""")

_p("class/init_subclass_registry", r"['json', 'csv', 'xml']", r"""
class Plugin:
    registry = {}
    def __init_subclass__(cls, key=None, **kw):
        super().__init_subclass__(**kw)
        Plugin.registry[key or cls.__name__.lower()] = cls

class JsonPlugin(Plugin, key='json'):
    pass

class Csv(Plugin):
    pass

def f(keys):
    return [(k, Plugin.registry[k].__name__ if k in Plugin.registry else None) for k in keys] + [sorted(Plugin.registry)]
""")

_p("class/abc_abstract", r"3, 4", r"""
from abc import ABC, abstractmethod

class Shape(ABC):
    @abstractmethod
    def area(self):
        ...
    def describe(self):
        return f'{type(self).__name__} with area {self.area()}'

class Rect(Shape):
    def __init__(self, w, h):
        self.w, self.h = w, h
    def area(self):
        return self.w * self.h

def f(w, h):
    out = [Rect(w, h).describe(), sorted(Shape.__abstractmethods__)]
    try:
        Shape()
    except TypeError as e:
        out.append(str(e))
    return out
""")

_p("class/format_and_str", r"1234.5", r"""
class Money:
    def __init__(self, amount):
        self.amount = amount
    def __format__(self, spec):
        if spec == 'usd':
            return f'${self.amount:,.2f}'
        return format(self.amount, spec)
    def __str__(self):
        return f'{self.amount:.2f} units'
    def __repr__(self):
        return f'Money({self.amount!r})'

def f(x):
    m = Money(x)
    return [f'{m:usd}', f'{m:.1f}', str(m), repr(m), f'{m!s}', f'{m!r}', '{0:usd}'.format(m), [str(m)]]
""")

_p("class/radd_sum_and_eq", r"[1, 2, 3]", r"""
class Score:
    def __init__(self, v):
        self.v = v
    def __add__(self, other):
        return Score(self.v + (other.v if isinstance(other, Score) else other))
    def __radd__(self, other):
        return self.__add__(other)
    def __eq__(self, other):
        return isinstance(other, Score) and other.v == self.v
    __hash__ = None

def f(values):
    total = sum(Score(v) for v in values)
    return [total.v, Score(1) == Score(1), Score(1) != Score(2), Score(1) == 1, Score.__hash__ is None]
""")

_p("class/callable_and_descriptors", r"[3, 4]", r"""
class Positive:
    def __set_name__(self, owner, name):
        self.name = '_' + name
    def __get__(self, obj, objtype=None):
        return getattr(obj, self.name)
    def __set__(self, obj, value):
        if value <= 0:
            raise ValueError(f'{self.name[1:]} must be positive')
        setattr(obj, self.name, value)

class Box:
    width = Positive()
    def __init__(self, w):
        self.width = w
    def __call__(self, k):
        return self.width * k

def f(ws):
    boxes = [Box(w) for w in ws]
    out = [b(10) for b in boxes]
    try:
        boxes[0].width = -1
    except ValueError as e:
        out.append(str(e))
    return out + [callable(boxes[0]), callable(5)]
""")

_p("class/err_attribute_missing", r"5", r"""
class Plain:
    pass

def f(n):
    out = []
    for obj, attr in ((n, 'foo'), (Plain(), 'bar'), ('s', 'append')):
        try:
            getattr(obj, attr)
        except AttributeError as e:
            out.append(str(e))
    return out
""")

_p("class/raise_custom_exception", r"100, 250", r"""
class InsufficientFunds(Exception):
    def __init__(self, balance, amount):
        super().__init__(f'balance {balance} < {amount}')

class Account:
    def __init__(self, balance):
        self.balance = balance
    def withdraw(self, amount):
        if amount > self.balance:
            raise InsufficientFunds(self.balance, amount)
        self.balance -= amount
        return self.balance

def f(balance, amount):
    return Account(balance).withdraw(amount)
""")

_p("class/raise_attribute_error", r"'text'", r"""
def f(s):
    return s.no_such_method()
""")


# =========================================================================== recursion

_p("recursion/hanoi", r"5", r"""
def hanoi(n, a, b, c, moves):
    if n:
        hanoi(n - 1, a, c, b, moves)
        moves.append((a, c))
        hanoi(n - 1, b, a, c, moves)
    return moves

def f(n):
    moves = hanoi(n, 'A', 'B', 'C', [])
    return [len(moves), moves[:5], moves[-1]]
""")

_p("recursion/permutations", r"'abc'", r"""
def perms(s):
    if len(s) <= 1:
        return [s]
    return [s[i] + p for i in range(len(s)) for p in perms(s[:i] + s[i + 1:])]

def f(s):
    return perms(s)
""")

_p("recursion/flatten", r"[1, [2, [3, [4, [5]]], 6], [[7]], []]", r"""
def flatten(x):
    if isinstance(x, list):
        return [y for item in x for y in flatten(item)]
    return [x]

def depth(x):
    return 1 + max((depth(i) for i in x), default=0) if isinstance(x, list) else 0

def f(nested):
    return [flatten(nested), depth(nested)]
""")

_p("recursion/ackermann_and_memo", r"2, 3", r"""
def ack(m, n):
    if m == 0:
        return n + 1
    if n == 0:
        return ack(m - 1, 1)
    return ack(m - 1, ack(m, n - 1))

def partitions(n, k, memo={}):
    if n == 0:
        return 1
    if n < 0 or k == 0:
        return 0
    key = (n, k)
    if key not in memo:
        memo[key] = partitions(n - k, k) + partitions(n, k - 1)
    return memo[key]

def f(m, n):
    return [ack(m, n), partitions(30, 30), partitions(50, 50)]
""")

_p("recursion/n_queens", r"6", r"""
def solve(n, row=0, cols=(), out=None):
    if out is None:
        out = []
    if row == n:
        out.append(cols)
        return out
    for c in range(n):
        if all(c != pc and abs(c - pc) != row - pr for pr, pc in enumerate(cols)):
            solve(n, row + 1, cols + (c,), out)
    return out

def f(n):
    sols = solve(n)
    return [len(sols), sols[0], len(solve(5))]
""")

_p("recursion/merge_and_quick_sort", r"[38, 27, 43, 3, 9, 82, 10, 3]", r"""
def merge_sort(xs):
    if len(xs) <= 1:
        return xs
    mid = len(xs) // 2
    a, b = merge_sort(xs[:mid]), merge_sort(xs[mid:])
    out = []
    while a and b:
        out.append(a.pop(0) if a[0] <= b[0] else b.pop(0))
    return out + a + b

def quick_sort(xs):
    if len(xs) <= 1:
        return xs
    p, rest = xs[0], xs[1:]
    return quick_sort([x for x in rest if x < p]) + [p] + quick_sort([x for x in rest if x >= p])

def f(xs):
    return [merge_sort(list(xs)), quick_sort(list(xs)), merge_sort(list(xs)) == sorted(xs)]
""")

_p("recursion/tree_paths", r"{'v': 1, 'kids': [{'v': 2, 'kids': [{'v': 4, 'kids': []}]}, {'v': 3, 'kids': []}]}", r"""
def paths(node, prefix=()):
    here = prefix + (node['v'],)
    if not node['kids']:
        return [here]
    return [p for k in node['kids'] for p in paths(k, here)]

def total(node):
    return node['v'] + sum(total(k) for k in node['kids'])

def f(tree):
    return [paths(tree), total(tree)]
""")

_p("recursion/moderate_depth", r"300", r"""
def count_down(n):
    return 0 if n == 0 else 1 + count_down(n - 1)

def build(n):
    return [] if n == 0 else [build(n - 1)]

def measure(x):
    return 0 if not x else 1 + measure(x[0])

def f(n):
    return [count_down(n), measure(build(n // 2)), sum(range(n + 1))]
""")

_p("recursion/gcd_power_set_strings", r"1071, 462, 'abc'", r"""
def gcd(a, b):
    return a if b == 0 else gcd(b, a % b)

def subsets(s):
    if not s:
        return ['']
    rest = subsets(s[1:])
    return rest + [s[0] + r for r in rest]

def f(a, b, s):
    return [gcd(a, b), sorted(subsets(s)), len(subsets(s + 'def'))]
""")

_p("recursion/err_recursion_limit_caught", r"100000", r"""
def down(n):
    return 0 if n == 0 else 1 + down(n - 1)

def f(n):
    try:
        return down(n)
    except RecursionError as e:
        return ['RecursionError', str(e)[:35]]
""")


# =========================================================================== exceptions

_p("exc/try_else_finally_order", r"[1, 0, 'x']", r"""
def f(divisors):
    log = []
    for d in divisors:
        try:
            log.append(('try', d))
            r = 10 / d
        except ZeroDivisionError as e:
            log.append(('except', str(e)))
        except TypeError as e:
            log.append(('type', str(e)))
        else:
            log.append(('else', r))
        finally:
            log.append('finally')
    return log
""")

_p("exc/chaining", r"'42x'", r"""
class ParseFailure(Exception):
    pass

def parse(s):
    try:
        return int(s)
    except ValueError as e:
        raise ParseFailure(f'cannot parse {s!r}') from e

def parse_quiet(s):
    try:
        return int(s)
    except ValueError:
        raise ParseFailure('quiet') from None

def f(s):
    out = []
    try:
        parse(s)
    except ParseFailure as e:
        out.append([str(e), type(e.__cause__).__name__, e.__suppress_context__])
    try:
        parse_quiet(s)
    except ParseFailure as e:
        out.append([str(e), e.__cause__, e.__suppress_context__, type(e.__context__).__name__])
    try:
        try:
            {}['k']
        except KeyError:
            1 / 0
    except ZeroDivisionError as e:
        out.append([type(e.__context__).__name__, e.__cause__])
    return out
""")

_p("exc/hierarchy_catching", r"['key', 'index', 'zero', 'value', 'unicode', 'lookup', 'os']", r"""
def trigger(kind):
    if kind == 'key':
        {}['x']
    if kind == 'index':
        [][1]
    if kind == 'zero':
        1 // 0
    if kind == 'value':
        int('x')
    if kind == 'unicode':
        b'\xff'.decode('utf-8')
    if kind == 'lookup':
        ''.encode('nope')
    if kind == 'os':
        raise FileNotFoundError(2, 'No such file', 'x.txt')

def f(kinds):
    out = []
    for k in kinds:
        try:
            trigger(k)
        except LookupError as e:
            out.append(('LookupError', type(e).__name__))
        except ArithmeticError as e:
            out.append(('ArithmeticError', type(e).__name__, str(e)))
        except ValueError as e:
            out.append(('ValueError', type(e).__name__))
        except OSError as e:
            out.append(('OSError', type(e).__name__, e.errno, e.strerror, e.filename, str(e)))
    return out
""")

_p("exc/exception_group", r"[1, 0, 'a', 2]", r"""
def f(values):
    errors = []
    for v in values:
        try:
            10 / v
        except Exception as e:
            errors.append(e)
    caught = []
    try:
        raise ExceptionGroup('batch', errors)
    except* ZeroDivisionError as eg:
        caught.append(('zero', [str(e) for e in eg.exceptions]))
    except* TypeError as eg:
        caught.append(('type', len(eg.exceptions), eg.message))
    return caught
""")

_p("exc/notes_and_args", r"'config.ini'", r"""
def f(name):
    try:
        try:
            raise KeyError(name, 'section')
        except KeyError as e:
            e.add_note(f'while reading {name}')
            e.add_note('second note')
            raise
    except KeyError as e:
        return [e.args, e.__notes__, str(e), repr(e)]
""")

_p("exc/finally_return_override", r"1", r"""
def risky(n):
    try:
        return 'from try'
    finally:
        if n:
            return 'from finally'

def swallow():
    for i in range(3):
        try:
            raise ValueError(i)
        finally:
            if i < 2:
                continue
    return 'unreachable'

def f(n):
    out = [risky(n), risky(0)]
    try:
        out.append(swallow())
    except ValueError as e:
        out.append(('ValueError', e.args))
    return out
""")

_p("exc/builtin_messages", r"0", r"""
def f(zero):
    probes = [
        lambda: 1 / zero, lambda: 1 // zero, lambda: 1.5 % zero, lambda: divmod(1, zero), lambda: [][zero],
        lambda: 'abc'[10], lambda: (1, 2)[5], lambda: {'a': 1}['b'], lambda: int('x1'), lambda: [1, 2].index(3),
        lambda: None + 1, lambda: len(5), lambda: 'a' * 'b', lambda: undefined_name, lambda: (lambda a: a)(1, 2),
        lambda: ''.join([1]), lambda: iter(5), lambda: hash([]), lambda: {}.pop('k'), lambda: chr(-1),
    ]
    out = []
    for p in probes:
        try:
            p()
            out.append('no error')
        except Exception as e:
            out.append(f'{type(e).__name__}: {e}')
    return out
""")

_p("exc/unbound_local_and_assert", r"5", r"""
def g(flag):
    if flag:
        x = 1
    return x

def f(n):
    out = []
    try:
        g(False)
    except UnboundLocalError as e:
        out.append(['UnboundLocalError', str(e), isinstance(e, NameError)])
    try:
        assert n > 10, f'{n} is too small'
    except AssertionError as e:
        out.append(['AssertionError', str(e)])
    return out
""")

_p("exc/contextlib_suppress", r"['1', 'x', '3']", r"""
from contextlib import suppress, contextmanager

@contextmanager
def tag(log, name):
    log.append('<' + name + '>')
    try:
        yield log
    finally:
        log.append('</' + name + '>')

def f(items):
    total = 0
    for item in items:
        with suppress(ValueError):
            total += int(item)
    log = []
    with tag(log, 'b'):
        with tag(log, 'i'):
            log.append('text')
    return [total, log]
""")

_p("exc/retry_loop", r"['bad', 'worse', '17']", r"""
def f(attempts):
    errors = []
    for i, text in enumerate(attempts):
        try:
            value = int(text)
        except ValueError as e:
            errors.append((i, str(e)))
            continue
        break
    else:
        value = None
    return [value, errors]
""")

_p("exc/custom_exception_attrs", r"'age', -5", r"""
class ValidationError(ValueError):
    def __init__(self, field, value):
        self.field, self.value = field, value
        super().__init__(f'{field} has invalid value {value}')
    def __str__(self):
        return f'[{self.field}] ' + super().__str__()

def f(field, value):
    try:
        raise ValidationError(field, value)
    except ValueError as e:
        return [str(e), e.field, e.value, e.args, type(e).__mro__[1].__name__]
""")

_p("exc/err_zero_division_variants", r"[(1, 0), (1.0, 0), (5, 0.0), (0, 0)]", r"""
def f(pairs):
    out = []
    for a, b in pairs:
        for op in (lambda: a / b, lambda: a // b, lambda: a % b):
            try:
                out.append(op())
            except ZeroDivisionError as e:
                out.append(str(e))
    return out
""")

_p("exc/err_type_errors", r"'abc'", r"""
def g(a, b=2, *, c):
    return a

def f(s):
    out = []
    for call in (lambda: g(1), lambda: g(1, 2, 3, c=4), lambda: g(1, c=1, d=2), lambda: s + 1, lambda: s[1.5],
                 lambda: sorted(5), lambda: int([1])):
        try:
            out.append(call())
        except TypeError as e:
            out.append(str(e))
    return out
""")

_p("exc/raise_zero_division", r"10, 0", r"""
def f(a, b):
    return a // b
""")

_p("exc/raise_assertion", r"[3, 2, 1]", r"""
def f(xs):
    assert xs == sorted(xs), 'input must be sorted'
    return xs
""")

_p("exc/raise_not_implemented", r"'shape'", r"""
class Base:
    def area(self):
        raise NotImplementedError('subclasses must implement area')

def f(kind):
    return Base().area()
""")

_p("exc/raise_name_error", r"1", r"""
def f(x):
    return x + undefined_variable_here
""")

_p("exc/raise_exception_group", r"['a', 'b']", r"""
def f(items):
    raise ExceptionGroup('many problems', [ValueError(i) for i in items])
""")

_p("exc/raise_index_error", r"[1, 2, 3], 7", r"""
def f(xs, i):
    return xs[i]
""")

_p("exc/raise_reraise_in_except", r"'x'", r"""
def f(s):
    try:
        return int(s)
    except ValueError:
        raise TypeError(f'expected digits, got {s!r}')
""")


# =========================================================================== more standard library: parsers and helpers
# Several of these modules import banned modules internally (uuid: hashlib/platform, queue: threading, zipfile:
# os/time/shutil/threading, plistlib: datetime, argparse/getopt: os/sys); the programs themselves never do.

_p("tomllib/loads", r"'title = \"demo\"\n[owner]\nname = \"Ann\"\nlangs = [\"py\", \"rs\"]\n[[items]]\nid = 1\nprice = 2.5\n[[items]]\nid = 2\nok = true\n'", r"""
import tomllib

def f(text):
    data = tomllib.loads(text)
    return [data, sorted(data), data['items'][1]['ok']]
""")

_p("tomllib/err_decode", r"['a = 1', 'a = ', '[x]\nb = 1\n[x]\n', 'k = \"unterminated']", r"""
import tomllib

def f(docs):
    out = []
    for d in docs:
        try:
            out.append(tomllib.loads(d))
        except tomllib.TOMLDecodeError as e:
            out.append(['TOMLDecodeError', str(e), isinstance(e, ValueError)])
    return out
""")

_p("tomllib/raise_decode", r"'= no key'", r"""
import tomllib

def f(text):
    return tomllib.loads(text)
""")

_p("csv/reader_writer", r"'name,qty,note\nann,3,\"likes, commas\"\nbo,5,\"say \"\"hi\"\"\"\n'", r"""
import csv
import io

def f(text):
    rows = list(csv.reader(io.StringIO(text)))
    dicts = list(csv.DictReader(io.StringIO(text)))
    out = io.StringIO()
    w = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator='\n')
    w.writerow(['a', 1, 2.5, 'x"y'])
    dw = csv.DictWriter(out, fieldnames=['k', 'v'], lineterminator='\n')
    dw.writeheader()
    dw.writerow({'k': 'tab\there', 'v': None})
    return [rows, [dict(d) for d in dicts], out.getvalue()]
""")

_p("csv/sniffer_dialects", r"'a;b;c\n1;2;3\n4;5;6\n'", r"""
import csv
import io

def f(text):
    dialect = csv.Sniffer().sniff(text)
    rows = list(csv.reader(io.StringIO(text), dialect))
    return [dialect.delimiter, csv.Sniffer().has_header(text), rows, sorted(csv.list_dialects()),
            list(csv.reader(['x|y|"z|w"'], delimiter='|'))]
""")

_p("csv/err_strict_quoting", r"'a,\"b\"c,d\n'", r"""
import csv
import io

def f(text):
    try:
        return list(csv.reader(io.StringIO(text), strict=True))
    except csv.Error as e:
        return ['Error', str(e), list(csv.reader(io.StringIO(text)))]
""")

_p("configparser/read_string", r"'[DEFAULT]\nhost = localhost\n[db]\nport = 5432\ndebug = yes\npath = /srv/%(host)s\n[cache]\nttl = 30\n'", r"""
import configparser

def f(text):
    cp = configparser.ConfigParser()
    cp.read_string(text)
    return [cp.sections(), cp.getint('db', 'port'), cp.getboolean('db', 'debug'), cp.get('db', 'path'),
            cp.get('cache', 'host'), dict(cp['cache']), cp.has_option('db', 'nope'), cp.get('db', 'nope', fallback='fb')]
""")

_p("configparser/err_duplicates_missing", r"'[a]\nx = 1\n[a]\ny = 2\n'", r"""
import configparser

def f(text):
    out = []
    try:
        configparser.ConfigParser().read_string(text)
    except configparser.DuplicateSectionError as e:
        out.append([type(e).__name__, str(e)])
    cp = configparser.ConfigParser()
    cp.read_string('[a]\nx = 1\n')
    for sec, opt in (('a', 'y'), ('b', 'x')):
        try:
            cp.get(sec, opt)
        except configparser.Error as e:
            out.append([type(e).__name__, str(e)])
    return out
""")

_p("argparse/parse_list", r"['--count', '3', '-v', 'in.txt', 'out.txt', '--mode=fast']", r"""
import argparse

def f(argv):
    p = argparse.ArgumentParser(prog='tool', exit_on_error=False)
    p.add_argument('files', nargs='+')
    p.add_argument('--count', type=int, default=1)
    p.add_argument('-v', '--verbose', action='store_true')
    p.add_argument('--mode', choices=['fast', 'slow'], default='slow')
    ns = p.parse_args(argv)
    known, rest = p.parse_known_args(['x', '--extra', '1'])
    return [vars(ns), vars(known), rest]
""")

_p("argparse/err_bad_value", r"['--count', 'three']", r"""
import argparse

def f(argv):
    p = argparse.ArgumentParser(prog='tool', exit_on_error=False)
    p.add_argument('--count', type=int)
    try:
        return vars(p.parse_args(argv))
    except argparse.ArgumentError as e:
        return ['ArgumentError', str(e), e.argument_name]
""")

_p("getopt/parse", r"['-a', '-b', 'val', '--long=x', '--flag', 'rest1', 'rest2']", r"""
import getopt

def f(argv):
    opts, args = getopt.getopt(argv, 'ab:', ['long=', 'flag'])
    out = [opts, args]
    try:
        getopt.getopt(['-z'], 'ab:')
    except getopt.GetoptError as e:
        out.append([type(e).__name__, e.msg, e.opt])
    return out
""")

_p("graphlib/topological", r"{'app': ['lib', 'utils'], 'lib': ['core'], 'utils': ['core'], 'core': []}", r"""
from graphlib import TopologicalSorter

def f(graph):
    ts = TopologicalSorter(graph)
    order = list(ts.static_order())
    ts2 = TopologicalSorter(graph)
    ts2.prepare()
    layers = []
    while ts2.is_active():
        ready = sorted(ts2.get_ready())
        layers.append(ready)
        ts2.done(*ready)
    return [order, layers]
""")

_p("graphlib/err_cycle", r"{'a': ['b'], 'b': ['c'], 'c': ['a']}", r"""
from graphlib import TopologicalSorter, CycleError

def f(graph):
    try:
        return list(TopologicalSorter(graph).static_order())
    except CycleError as e:
        return [type(e).__name__, e.args[0], sorted(e.args[1])]
""")

_p("graphlib/raise_cycle", r"{'x': ['y'], 'y': ['x']}", r"""
from graphlib import TopologicalSorter

def f(graph):
    return list(TopologicalSorter(graph).static_order())
""")

_p("colorsys/conversions", r"[(1.0, 0.0, 0.0), (0.2, 0.4, 0.6), (0.5, 0.5, 0.5)]", r"""
import colorsys

def f(colors):
    out = []
    for rgb in colors:
        h, s, v = colorsys.rgb_to_hsv(*rgb)
        back = colorsys.hsv_to_rgb(h, s, v)
        out.append([round(h, 6), round(s, 6), round(v, 6), [round(c, 6) for c in colorsys.rgb_to_hls(*rgb)],
                    [round(c, 6) for c in back], [round(c, 6) for c in colorsys.rgb_to_yiq(*rgb)]])
    return out
""")

_p("uuid/name_based", r"'example.org', '12345678-1234-5678-1234-567812345678'", r"""
import uuid

def f(name, text):
    u5 = uuid.uuid5(uuid.NAMESPACE_DNS, name)
    u3 = uuid.uuid3(uuid.NAMESPACE_URL, 'https://' + name)
    parsed = uuid.UUID(text)
    return [str(u5), u5.version, str(u3), u3.hex, parsed.int, parsed.bytes, str(parsed.urn), parsed.variant,
            str(uuid.UUID(bytes=bytes(range(16))))]
""")

_p("uuid/err_badly_formed", r"['12345678-1234-5678-1234-567812345678', 'not-a-uuid', '1234']", r"""
import uuid

def f(texts):
    out = []
    for t in texts:
        try:
            out.append(str(uuid.UUID(t)))
        except ValueError as e:
            out.append(str(e))
    return out
""")

_p("queue/fifo_lifo_priority", r"[(3, 'c'), (1, 'a'), (2, 'b')]", r"""
import queue

def f(items):
    fifo, lifo, prio = queue.Queue(), queue.LifoQueue(), queue.PriorityQueue()
    for it in items:
        fifo.put(it)
        lifo.put(it)
        prio.put(it)
    drain = lambda q: [q.get_nowait() for _ in range(q.qsize())]
    sq = queue.SimpleQueue()
    sq.put('x')
    return [drain(fifo), drain(lifo), drain(prio), sq.get(), fifo.empty()]
""")

_p("queue/err_empty_full", r"1", r"""
import queue

def f(size):
    q = queue.Queue(maxsize=size)
    out = []
    try:
        q.get_nowait()
    except queue.Empty as e:
        out.append(type(e).__name__)
    q.put_nowait('a')
    try:
        q.put_nowait('b')
    except queue.Full as e:
        out.append(type(e).__name__)
    return out + [q.full(), q.qsize()]
""")

_p("email/message_parsing", r"'From: Ann <ann@example.com>\nTo: bo@example.org, cy@example.net\nSubject: =?utf-8?q?caf=C3=A9_menu?=\nContent-Type: text/plain; charset=\"utf-8\"\n\nHello,\nlunch at noon.\n'", r"""
import email
from email.header import decode_header

def f(text):
    msg = email.message_from_string(text)
    subject = ''.join(part.decode(enc or 'ascii') if isinstance(part, bytes) else part
                      for part, enc in decode_header(msg['Subject']))
    return [msg['From'], msg['To'], subject, msg.get_content_type(), msg.get_param('charset'), msg.get_payload(),
            msg.keys(), msg.is_multipart()]
""")

_p("plistlib/xml_roundtrip", r"{'name': 'demo', 'version': 3, 'ratio': 0.5, 'tags': ['a', 'b'], 'enabled': True, 'blob': b'\x00\x01'}", r"""
import plistlib

def f(obj):
    xml = plistlib.dumps(obj, sort_keys=True)
    binary = plistlib.dumps(obj, fmt=plistlib.FMT_BINARY)
    return [plistlib.loads(xml) == obj, plistlib.loads(binary) == obj, xml.decode().splitlines()[3:8], binary[:8]]
""")

_p("plistlib/err_invalid", r"b'this is not a plist'", r"""
import plistlib

def f(data):
    try:
        return plistlib.loads(data)
    except plistlib.InvalidFileException as e:
        return [type(e).__name__, str(e), isinstance(e, ValueError)]
""")

_p("quopri/roundtrip", r"b'caf\xe9 costs = 5\tok\nline two with a very long text that goes past the seventy six character limit of quoted printable\n'", r"""
import quopri

def f(data):
    enc = quopri.encodestring(data)
    return [enc, quopri.decodestring(enc) == data, quopri.encodestring(b'a b', quotetabs=True), quopri.decodestring(b'x=3Dy=\nz')]
""")

_p("zipfile/in_memory_roundtrip", r"{'a.txt': 'alpha', 'dir/b.txt': 'beta beta beta beta beta beta beta beta beta beta beta beta'}", r"""
import io
import zipfile

def f(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', compression=zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0)), text)
    buf.seek(0)
    with zipfile.ZipFile(buf) as zf:
        names = zf.namelist()
        contents = {n: zf.read(n).decode() == files[n] for n in names}
        infos = [(i.filename, i.file_size, i.date_time) for i in zf.infolist()]
        bad = zf.testzip()
    return [names, contents, infos, bad]
""")

_p("zipfile/err_bad_zip", r"b'PK not really a zip archive'", r"""
import io
import zipfile

def f(data):
    try:
        return zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile as e:
        return [type(e).__name__, str(e)]
""")

_p("statistics/normal_dist", r"100.0, 15.0", r"""
from statistics import NormalDist

def f(mu, sigma):
    d = NormalDist(mu, sigma)
    return [round(d.cdf(115), 10), round(d.inv_cdf(0.975), 8), round(d.pdf(100), 10), d.mean, d.stdev,
            round(d.overlap(NormalDist(110, 15)), 10), [round(q, 6) for q in d.quantiles(4)], round(d.zscore(130), 10)]
""")

_p("tokenize/tokens", r"'total = price * 1.5  # tax\nif total > 10:\n    print(\"big\")\n'", r"""
import io
import tokenize

def f(src):
    toks = tokenize.generate_tokens(io.StringIO(src).readline)
    return [(tokenize.tok_name[t.type], t.string, t.start) for t in toks if t.type != tokenize.NL][:20]
""")

_p("ast/literal_and_dump", r"'[1, (2, 3), {\"k\": -4.5}, None]', 'x + f(y, 2) * 3'", r"""
import ast

def f(literal, expr):
    tree = ast.parse(expr, mode='eval')
    names = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)})
    return [ast.literal_eval(literal), ast.dump(tree.body, annotate_fields=False)[:120], names, ast.unparse(tree)]
""")

_p("ast/err_literal_eval", r"""['[1, 2]', 'x + 1', '(1,', "{'a': 1}", '1e10', '-(3)']""", r"""
import ast

def f(texts):
    out = []
    for t in texts:
        try:
            out.append(ast.literal_eval(t))
        except (ValueError, SyntaxError) as e:
            out.append(type(e).__name__)
    return out
""")

_p("reprlib/abbreviated", r"[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]", r"""
import reprlib

def f(xs):
    short = reprlib.Repr()
    short.maxlist = 4
    short.maxstring = 10
    return [reprlib.repr(xs), short.repr(xs), short.repr('a' * 40), reprlib.repr({i: str(i) for i in range(8)}),
            reprlib.repr('x' * 100)]
""")

_p("contextlib/exit_stack", r"['a', 'b', 'c']", r"""
from contextlib import ExitStack, contextmanager, nullcontext

@contextmanager
def resource(log, name):
    log.append('open ' + name)
    yield name.upper()
    log.append('close ' + name)

def f(names):
    log = []
    with ExitStack() as stack:
        handles = [stack.enter_context(resource(log, n)) for n in names]
        stack.callback(log.append, 'callback')
        log.append('using ' + ','.join(handles))
    with nullcontext(5) as v:
        log.append(v)
    return log
""")

_p("io/text_wrapper_encodings", r"'Grüße, 世界'", r"""
import io

def f(text):
    out = []
    for enc in ('utf-8', 'utf-8-sig', 'utf-16', 'utf-32-le', 'gb18030'):
        raw = io.BytesIO()
        w = io.TextIOWrapper(raw, encoding=enc, newline='\r\n')
        w.write(text + '\n')
        w.flush()
        data = raw.getvalue()
        back = io.TextIOWrapper(io.BytesIO(data), encoding=enc, newline='').read()
        out.append([enc, data, back])
        w.detach()
    return out
""")

_p("html/entities", r"['amp', 'eacute', 'hearts', 'nbsp']", r"""
from html.entities import name2codepoint, codepoint2name, html5

def f(names):
    return [[name2codepoint[n] for n in names], [codepoint2name[c] for c in (60, 169, 8364)], html5['notin;'],
            len(name2codepoint) > 200]
""")

_p("ast/get_docstring", r"'def area(w, h):\n    \"\"\"Area of a rectangle.\n\n        Both sides in metres.\n    \"\"\"\n    return w * h\n'", r"""
import ast

def f(src):
    fn = ast.parse(src).body[0]
    return [fn.name, ast.get_docstring(fn), ast.get_docstring(fn, clean=False), [a.arg for a in fn.args.args]]
""")

_p("dataclasses/functional_apis", r"['x', 'y']", r"""
from dataclasses import make_dataclass, asdict
from enum import Enum
from typing import NamedTuple, NewType, TypedDict

def f(names):
    Point = make_dataclass('Point', [(n, int) for n in names], frozen=True)
    Color = Enum('Color', 'RED GREEN BLUE')
    Pair = NamedTuple('Pair', [(n, int) for n in names])
    UserId = NewType('UserId', int)
    Movie = TypedDict('Movie', {'title': str, 'year': int})
    p = Point(1, 2)
    return [asdict(p), repr(p), [(c.name, c.value) for c in Color], Pair(3, 4)._asdict(), UserId(5),
            UserId.__name__, sorted(Movie.__annotations__)]
""")

_p("mimetypes/guess_from_system_tables", r"['a.mkv', 'b.json', 'c.webm', 'd.md', 'e.7z', 'f.tar.gz', 'g.unknownext']", r"""
import mimetypes

def f(names):
    return [mimetypes.guess_type(n) for n in names] + [mimetypes.guess_extension('text/markdown')]
""")
