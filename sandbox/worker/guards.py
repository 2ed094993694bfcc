"""The Python-level filters: a fast first line and clear error messages, never the security boundary.

A job may run arbitrary Python, switch every check here off and reach any loaded module through the object graph;
what it can then do is bounded by the kernel (see jail.py and lockdown.py). What these filters give is speed (a
program that imports a banned module is refused before it costs a process) and a precise error code
(`banned_import`, "sandbox: writing outside the private folder is not allowed") for the common, honest case.

- static_check: the compiled program's imports, escape-hatch names and entry point (runs in the manager);
- _Blocker and the import guard: banned modules refused at run time, by every import route, while the standard
  library may still import what it needs;
- the audit hook: an allow-list of audit events (files, processes, sockets, frames).
"""

from __future__ import annotations

import builtins
import opcode
import os
import sys
from typing import Callable


# Pure standard-library modules AZR-style programs use; loaded once here so `import` in a job is free.
# Every preloaded module makes each fork a little dearer (more pages to map), so only the common ones; any other
# pure-stdlib module still imports on demand inside the child.
PRELOAD = (
    "math", "collections", "collections.abc", "itertools", "functools", "re", "string", "heapq", "bisect",
    "operator", "copy", "dataclasses", "typing", "json", "fractions", "enum", "array", "queue", "textwrap",
    "unicodedata", "warnings", "linecache",
)

# Modules that give raw access to the OS, blocked at run time for every job kind whatever the configuration says.
ALWAYS_BLOCKED = frozenset({
    "os", "posix", "nt", "subprocess", "_posixsubprocess", "socket", "_socket", "ssl", "_ssl", "select",
    "selectors", "ctypes", "_ctypes", "mmap", "fcntl", "pty", "tty", "termios", "signal", "_signal", "resource",
    "multiprocessing", "_multiprocessing", "_posixshmem", "threading", "_thread", "faulthandler", "gc", "pdb",
    "bdb", "inspect", "importlib", "_imp", "zipimport", "pickle", "_pickle", "shelve", "marshal", "asyncio",
    "concurrent", "shutil", "tempfile", "pathlib", "sysconfig", "site", "code",
    "codeop", "runpy", "webbrowser", "urllib", "http", "ftplib", "smtplib", "telnetlib", "xmlrpc", "sqlite3",
    "_sqlite3", "syslog", "pwd", "grp", "spwd", "crypt", "platform", "sys", "_winapi", "msvcrt", "winreg",
    "_tracemalloc", "tracemalloc", "_xxsubinterpreters", "_testcapi", "_testinternalcapi",
    "__main__", "_frozen_importlib", "_frozen_importlib_external",
})
# Banned modules that importable modules hold as attributes (linecache.os, collections._sys, posixpath.os,
# dataclasses.inspect, queue.threading, ...): reaching one of these attribute names counts as importing the module
# it names. Words that are also everyday attribute names (time, select, signal, code, ...) are left out.
ATTRIBUTE_ROUTES = {name: name for name in (
    "os", "sys", "posix", "subprocess", "_posixsubprocess", "socket", "_socket", "ctypes", "_ctypes", "importlib",
    "_imp", "_thread", "threading", "marshal", "inspect", "mmap", "fcntl", "shutil", "multiprocessing", "pathlib",
    "tempfile")}
ATTRIBUTE_ROUTES.update({"_os": "os", "_sys": "sys", "_bootstrap": "importlib", "_bootstrap_external": "importlib"})
# The subset of the above that a codegen job (HumanEval-style code) may legitimately import; it is still isolated.
CODEGEN_ALLOWED = frozenset({"sys", "inspect", "pickle", "tempfile", "pathlib", "platform", "threading", "io"})

# Attribute names that only serve to reach around import checks (module globals, frames, the object graph).
ESCAPE_NAMES = frozenset({
    "__subclasses__", "__globals__", "__builtins__", "__code__", "__closure__", "__loader__", "__spec__",
    "f_globals", "f_locals", "f_back", "f_builtins", "gi_frame", "cr_frame", "ag_frame", "tb_frame",
    "__import__", "import_module",
})
FRAME_ATTRS = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame", "f_back", "gi_yieldfrom", "cr_await"})

# Audit events a job may raise without further checks.
ALLOWED_EVENTS = frozenset({
    "builtins.id", "exec", "compile", "code.__new__", "function.__new__", "object.__setattr__",
    "object.__delattr__", "sys.addaudithook", "array.__new__", "marshal.dumps", "marshal.loads",
    "os.putenv", "os.unsetenv", "builtins.input", "builtins.input/result", "time.sleep", "locale.setlocale",
    "sys.excepthook", "sys.unraisablehook", "cpython._PySys_ClearAuditHooks", "copy.copy", "pickle.find_class",
    "types.CodeType.replace",
})
READ_PATH_EVENTS = frozenset({"os.listdir", "os.scandir", "os.walk", "glob.glob", "os.fwalk", "glob.glob/2"})
WRITE_PATH_EVENTS = frozenset({"os.remove", "os.rmdir", "os.mkdir", "tempfile.mkstemp", "tempfile.mkdtemp"})


O_WRITE = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC


# --------------------------------------------------------------------------- static checks (trusted, no exec)

def _top(name: str) -> str:
    return name.split(".", 1)[0]


_IMPORT_NAME = opcode.opmap["IMPORT_NAME"]
_EXTENDED_ARG = opcode.opmap["EXTENDED_ARG"]
_LOAD_ATTR = opcode.opmap["LOAD_ATTR"]
# Opcodes whose argument names an attribute (or a `from m import name`), as an index into co_names.
_ATTR_OPS = frozenset(opcode.opmap[n] for n in ("LOAD_ATTR", "LOAD_METHOD", "STORE_ATTR", "DELETE_ATTR",
                                                "IMPORT_FROM") if n in opcode.opmap)
_ATTR_SHIFT = 1 if sys.version_info >= (3, 12) else 0  # 3.12 packs a flag into LOAD_ATTR's low bit
_CodeType = type(compile("", "", "exec"))


def static_check(code, blocked: frozenset, entry: str) -> tuple[str, str] | None:
    """Banned imports (every IMPORT_NAME, at any nesting, so `import`, `from ... import` and imports inside
    functions), escape hatches (`__import__`, `import_module`, `__subclasses__`, `__globals__`, frame attributes,
    as names, attributes or strings), and the entry function. Works on the compiled code: no AST round-trip."""
    if entry not in code.co_names:
        return "no_entry", f"no top-level function '{entry}'"
    stack = [code]
    while stack:
        co = stack.pop()
        names = co.co_names
        for n in names:
            if n in ESCAPE_NAMES:
                return "banned_import", f"uses '{n}', which reaches modules around the import checks"
        if any(n.partition(".")[0] in blocked or ATTRIBUTE_ROUTES.get(n) in blocked for n in names):
            raw, ext = co.co_code, 0
            for i in range(0, len(raw), 2):
                op = raw[i]
                if op == _EXTENDED_ARG:
                    ext = (ext | raw[i + 1]) << 8
                    continue
                arg, ext = ext | raw[i + 1], 0
                if op == _IMPORT_NAME:
                    name = names[arg]
                    if name.partition(".")[0] in blocked:
                        return "banned_import", f"import of banned module '{name}'"
                elif op in _ATTR_OPS:
                    name = names[arg >> _ATTR_SHIFT if op == _LOAD_ATTR else arg]
                    if ATTRIBUTE_ROUTES.get(name) in blocked:
                        return "banned_import", (f"reaches banned module '{ATTRIBUTE_ROUTES[name]}' through another "
                                                 f"module ('.{name}')")
        for c in co.co_consts:
            if type(c) is _CodeType:
                stack.append(c)
            elif type(c) is str and c in ESCAPE_NAMES:
                return "banned_import", f"string {c!r} names an escape hatch around the import checks"
    return None



# --------------------------------------------------------------------------- the child (untrusted code runs here)

# > 0 while the import guard lets a standard-library module import a banned one (see _make_import_guard).
_ALLOW = [0]
JOB_MODULE = "__sandbox__"  # the name a job's program runs under


# C accelerators that read the wall clock without going through the `time` module, so the runner's clock shift
# (runner.install_clock_shift) would miss them. Without them, datetime and uuid use their pure-Python versions,
# which call time.time() and time.time_ns(): a gold output built from "now" is then caught as nondeterministic.
UNSHIFTABLE_CLOCKS = frozenset({"_datetime", "_uuid"})


class _Blocker:
    """Meta-path finder that refuses banned modules whatever route the import takes (import statement,
    __import__, importlib). Installed once in the worker (inactive there: `blocked` is empty); the zygote sets
    `blocked` for its children. `hit` records an attempt even if the job catches the ImportError."""

    blocked: frozenset = frozenset()
    hit: list = [None]
    allow: list = _ALLOW

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name in UNSHIFTABLE_CLOCKS:
            raise ImportError(f"sandbox: module '{name}' is not available (it reads clocks the sandbox cannot "
                              "shift; the standard library falls back to its pure-Python version)")
        if name.partition(".")[0] in cls.blocked and not cls.allow[0]:
            cls.hit[0] = name
            raise ImportError(f"sandbox: module '{name}' is banned")
        return None


class _NullWriter:
    """Where a job's print() goes: discarded, at the cost of a method call."""

    def write(self, s):
        return len(s)

    def flush(self):
        pass

    def isatty(self):
        return False


_NULL = _NullWriter()
_PURGE: dict = {}


def _purge_list(blocked: frozenset, modules) -> tuple:
    """Keys of the zygote's sys.modules (a snapshot taken when it was forked; it imports nothing afterwards) that
    a child must drop so `import x` of a banned x goes to the blocker. Cached per blocked set."""
    got = _PURGE.get(blocked)
    if got is None:
        got = _PURGE[blocked] = tuple(n for n in modules if n.partition(".")[0] in blocked)
    return got


def _exact_path(path, _type=type, _str=str, _bytes=bytes, _isinstance=isinstance):
    """The path as an exact str, or None. Subclasses are copied through the base type's own methods (their
    overrides never run) and path-like objects are refused: their __fspath__ could answer differently when
    the check asks than when the kernel call does."""
    if _type(path) is _str:
        return path
    if _isinstance(path, _str):
        return _str.__str__(path)
    if _isinstance(path, _bytes):
        try:
            return _bytes.decode(path, "utf-8", "strict")
        except ValueError:
            return None
    return None


def _inside(path, roots) -> bool:
    """Purely syntactic containment for an exact str (no realpath, which runs Python code a job could have
    patched): absolute paths must start with a root, relative ones resolve against the private folder (chdir
    is refused), and no '..' component is allowed. Symlinks cannot be created inside the sandbox."""
    if path is None or "\x00" in path or "/../" in "/" + path + "/":
        return False
    if not path.startswith("/"):
        return "tmp" in roots
    for root in roots.values():
        if path == root or path.startswith(root + "/"):
            return True
    return False


# Standard-library functions that import a banned module in their own body, when the job calls them (not when the
# job imports their module): argparse's HelpFormatter (shutil, for the terminal width), uuid3/uuid5 (hashlib),
# ast.get_docstring (inspect.cleandoc). Found by the differential test (tests/test_sandbox_stdlib_differential.py).
LAZY_STDLIB_IMPORTS = {"argparse": frozenset({"shutil"}), "uuid": frozenset({"hashlib"}),
                       "ast": frozenset({"inspect"})}


def _make_import_guard(stash: dict, roots) -> Callable:
    """`builtins.__import__` for jobs. Pure standard-library modules often import a banned module themselves
    (pprint imports sys, statistics imports random, fnmatch imports os), so a job could only use the preloaded
    ones. The guard tells the two apart: a banned import is allowed only while one of the job's own imports of a
    permitted module is running (or, for LAZY_STDLIB_IMPORTS, when the named stdlib module's code asks for it),
    and only from the code of a standard-library module (its globals are the
    __dict__ of a module loaded from the standard library); it gets the module the zygote already holds, or a
    fresh import. Any other banned import, the job's own above all, is refused and recorded. importlib routes
    that skip __import__ still meet the meta-path blocker and the audit hook."""
    real, modules, allow, hit = builtins.__import__, sys.modules, _ALLOW, _Blocker.hit
    blocker, depth = _Blocker, [0]
    _type, _str, _dict, _ImpErr, _getattr = type, str, dict, ImportError, getattr
    prefixes = tuple(r + "/" for r in roots)
    _lazy = LAZY_STDLIB_IMPORTS

    def from_stdlib(g) -> bool:
        if _type(g) is not _dict:
            return False
        name, file = g.get("__name__"), g.get("__file__")
        if _type(name) is not _str or _type(file) is not _str or name == JOB_MODULE:
            return False
        mod = modules.get(name)
        return mod is not None and _getattr(mod, "__dict__", None) is g and file.startswith(prefixes)

    def guarded(name, globals=None, locals=None, fromlist=(), level=0):
        if level != 0 or _type(name) is not _str:
            return real(name, globals, locals, fromlist, level)
        top = _str.partition(name, ".")[0]
        if top not in blocker.blocked:
            depth[0] += 1
            try:
                return real(name, globals, locals, fromlist, level)
            finally:
                depth[0] -= 1
        if not (depth[0] and from_stdlib(globals)) and not (
                top in _lazy.get(globals.get("__name__") if _type(globals) is _dict else None, ())
                and from_stdlib(globals)):
            hit[0] = name
            raise _ImpErr(f"sandbox: module '{name}' is banned")
        mod = stash.get(name)
        if mod is not None and stash.get(top) is not None:
            return mod if fromlist else stash[top]
        allow[0] += 1
        depth[0] += 1  # what the module imports in turn (shutil imports os) comes from the stdlib too
        try:
            return real(name, globals, locals, fromlist, level)
        finally:
            allow[0] -= 1
            depth[0] -= 1

    return guarded


def _make_hook():
    """The audit hook, installed once in the worker and inert there; a child arms it by filling `state` before any
    job code runs. It is an allow-list: unknown events are refused. Its state lives only in this closure (no
    module global, no attribute a job could reach without frames or gc, which it refuses), and every name it
    uses is bound here, so poisoned builtins or module globals cannot weaken it."""
    state: list = [None]
    _allowed, _frame_attrs, _reads, _writes, _in, _p = (ALLOWED_EVENTS, FRAME_ATTRS, READ_PATH_EVENTS,
                                                        WRITE_PATH_EVENTS, _inside, _exact_path)
    _Perm, _ImpErr, _ValErr, _AttrErr = PermissionError, ImportError, ValueError, AttributeError
    _isinstance, _int, _type, _str, _len, o_write = isinstance, int, type, str, len, O_WRITE
    allow = _ALLOW

    def hook(event: str, args: tuple) -> None:
        armed = state[0]
        if armed is None or event in _allowed:
            return
        write_roots, all_roots, blocked, flag = armed
        if event == "open":
            path, _mode, flags = args
            if _isinstance(path, _int):
                raise _Perm("sandbox: opening file descriptors is not allowed")
            path = _p(path)
            # flags are the OS flags computed in C (for open() too), so the job's objects cannot lie here.
            if _type(flags) is not _int or (flags & o_write) != 0:
                if _in(path, write_roots):
                    return
                raise _Perm(f"sandbox: writing outside the private folder is not allowed: {path!r}")
            if path == "/dev/null" or _in(path, all_roots):
                return
            raise _Perm(f"sandbox: reading {path!r} is not allowed")
        if event == "object.__getattr__":
            if args[1] in _frame_attrs:
                raise _AttrErr(f"sandbox: '{args[1]}' is not available")
            return
        if event == "import":
            name = _p(args[0])
            if name is None or (_str.partition(name, ".")[0] in blocked and not allow[0]):
                flag[0] = name
                raise _ImpErr(f"sandbox: module '{name}' is banned")
            return
        if event == "sys._getframe":
            raise _ValErr("sandbox: frame access is not available")
        if event in _reads:
            if args and args[0] is not None and not _in(_p(args[0]), all_roots):
                raise _Perm(f"sandbox: listing {args[0]!r} is not allowed")
            return
        if event in _writes:
            if _len(args) > 2 and args[2] not in (None, -1):
                raise _Perm("sandbox: dir_fd is not allowed")
            if args and _in(_p(args[0]), write_roots):
                return
            raise _Perm(f"sandbox: {event} outside the private folder is not allowed")
        if event in ("os.rename", "os.replace") and _len(args) > 3 and args[2] in (None, -1) and (
                args[3] in (None, -1)) and _in(_p(args[0]), write_roots) and _in(_p(args[1]), write_roots):
            return
        raise _Perm(f"sandbox: '{event}' is not allowed")

    return hook, state

