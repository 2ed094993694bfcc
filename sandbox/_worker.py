"""Warm sandbox worker: one long-lived interpreter that forks a fresh child for every piece of untrusted code.

Run as a script by `sandbox.pool` (``python -S -s _worker.py INDEX``) with an almost empty environment. It is
stdlib-only and self-contained on purpose: it must start fast, preload only what jobs may use, and never import the
project (or anything from site-packages) into the address space that every child inherits.

Protocol (fd 0 in, fd 1 out): frames of a 4-byte little-endian length followed by a marshal payload. The parent is
trusted, so marshal is fine in that direction; what children send back is parsed by hand (see `_Manager.run`).

Two processes per worker: the manager (this script's process: pool protocol, compile and static checks, watching
runs, parsing records; it never forks after start-up, so its writes cost no copy-on-write faults) and the zygote,
forked once right after the warm-up into a PID namespace of its own, which unpacks each run and forks and reaps one
child for it.

Layers, outermost first (see docs in README "## Sandbox"):
- worker: no address-space randomisation (re-exec at start), own network namespace (and user namespace when not
  root), empty os.environ, private temp folder; the zygote is process 1 of the jobs' PID namespace;
- child: fork per run, new process group, fds 0/1/2 on /dev/null and every other inherited fd closed (but the
  standard-library folders it may need, see _reachable_stdlib), rlimits (address space, CPU, file size, open
  files, processes, no core files), a separate unprivileged uid when the worker is root, no-new-privs, not
  dumpable, parent-death signal where there is no PID namespace;
- inside the child: banned modules purged from sys.modules, an import guard and an import blocker, and an
  allow-list audit hook that refuses process creation, signals, sockets, ctypes, frame and gc introspection, and
  file access outside the private folder and the standard library.
Results carry a per-run random nonce that lives only in the runner's frame, so job code cannot forge them without
frame access (which the audit hook refuses).
"""

from __future__ import annotations

import builtins
import gc
import marshal
import math
import opcode
import os
import resource
import select
import signal
import struct
import sys
import time
from typing import Callable

_LEN = struct.Struct("<I")

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

CLONE_NEWNET = 0x40000000
CLONE_NEWNS = 0x00020000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 2, 4, 8, 1 << 14, 1 << 18
TMPFS_MB = 64  # what a job may write in total into its private folder (each file at most 1 MiB)
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_NO_NEW_PRIVS = 38
O_WRITE = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
PROGRAM_CODES = frozenset({"syntax", "no_entry", "banned_import"})
CODE_LIST = (
    "ok", "syntax", "no_entry", "banned_import", "bad_input", "timeout", "memory", "runtime_error",
    "nondeterministic", "output_not_literal", "output_too_large", "wrong", "crashed",
)
CODE_ID = {c: i for i, c in enumerate(CODE_LIST)}
# A child's record: nonce, item index, code, payload length; then the payload (repr or detail, UTF-8).
_HDR = struct.Struct("<16sIBI")
_HDR_SIZE = _HDR.size


# --------------------------------------------------------------------------- framing with the parent

class _Reader:
    def __init__(self, fd: int) -> None:
        self.fd, self.buf = fd, bytearray()

    def read_msg(self):
        while True:
            if len(self.buf) >= 4:
                (n,) = _LEN.unpack_from(self.buf)
                if len(self.buf) >= 4 + n:
                    data = bytes(self.buf[4:4 + n])
                    del self.buf[:4 + n]
                    return marshal.loads(data)
            chunk = os.read(self.fd, 1 << 16)
            if not chunk:
                return None
            self.buf += chunk


def _send(obj) -> None:
    data = marshal.dumps(obj)
    view = memoryview(_LEN.pack(len(data)) + data)
    while view:
        view = view[os.write(1, view):]


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


# --------------------------------------------------------------------------- literal output check (child side)

class _Reject(Exception):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code, self.detail = code, detail


_SCALARS = (int, str, bytes, bool, type(None))
_CONTAINERS = (list, tuple, set, dict)


def _serialize(value, max_chars: int, max_depth: int, type=type, len=len, id=id, repr=repr, set=set, str=str,
               bytes=bytes, float=float, complex=complex, dict=dict, ValueError=ValueError,
               isfinite=math.isfinite, _Reject=_Reject, _SCALARS=_SCALARS, _CONTAINERS=_CONTAINERS) -> str:
    """repr of a value made only of exact built-in literal types (so the repr is produced by C code, not by the
    job, and parses back to an equal value); anything else is rejected before repr is called."""
    budget = [0]
    path: set = set()

    def walk(v, depth: int) -> None:
        t = type(v)
        if t in _SCALARS:
            if t is str or t is bytes:
                budget[0] += len(v) + 2
            else:
                budget[0] += 1
        elif t is float:
            if not isfinite(v):
                raise _Reject("output_not_literal", f"float {v!r} has no literal form")
            budget[0] += 3
        elif t is complex:
            if not (isfinite(v.real) and isfinite(v.imag)):
                raise _Reject("output_not_literal", f"complex {v!r} has no literal form")
            budget[0] += 4
        elif t in _CONTAINERS:
            if depth > max_depth:
                raise _Reject("output_too_large", f"output nests deeper than {max_depth} levels")
            key = id(v)
            if key in path:
                raise _Reject("output_not_literal", "output contains itself (recursive container)")
            budget[0] += 2 + len(v)
            if budget[0] > max_chars:
                raise _Reject("output_too_large", f"output repr is longer than {max_chars} characters")
            path.add(key)
            if t is dict:
                for k, x in v.items():
                    walk(k, depth + 1)
                    walk(x, depth + 1)
            else:
                for x in v:
                    walk(x, depth + 1)
            path.discard(key)
        else:
            raise _Reject("output_not_literal",
                          f"returned a {t.__module__}.{t.__qualname__}, not a built-in literal type")
        if budget[0] > max_chars:
            raise _Reject("output_too_large", f"output repr is longer than {max_chars} characters")

    walk(value, 1)
    try:
        text = repr(value)
    except ValueError:  # an int beyond sys.get_int_max_str_digits()
        raise _Reject("output_too_large", "output is an integer too large to print") from None
    if len(text) > max_chars:
        raise _Reject("output_too_large", f"output repr has {len(text)} characters, limit {max_chars}")
    return text


# --------------------------------------------------------------------------- isolation set-up (worker level)

def _libc():
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True)
    except Exception:
        return None


def _write_file(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def _probe(fn) -> bool:
    """Run fn in a throwaway child (uid and rlimit changes must not touch the worker)."""
    pid = os.fork()
    if pid == 0:
        try:
            fn()
            os._exit(0)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def setup_worker(index: int, parent_pid: int) -> dict:
    """Namespaces, job uid, private folder; returns what is active."""
    libc = _libc()
    prot: dict = {"kernel": os.uname().release, "fork_per_job": True, "empty_environment": True,
                  "audit_hook": True, "rlimits": True, "network_namespace": False, "user_namespace": False,
                  "separate_uid": False, "no_new_privs": False, "parent_death_signal": False}
    root = os.geteuid() == 0
    if libc is not None:
        if root:
            prot["network_namespace"] = libc.unshare(CLONE_NEWNET) == 0
        else:
            uid, gid = os.geteuid(), os.getegid()
            if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0:
                try:
                    _write_file("/proc/self/setgroups", "deny")
                    _write_file("/proc/self/uid_map", f"{uid} {uid} 1")
                    _write_file("/proc/self/gid_map", f"{gid} {gid} 1")
                    prot["user_namespace"] = prot["network_namespace"] = True
                except OSError:
                    prot["user_namespace"] = prot["network_namespace"] = False
            elif libc.unshare(CLONE_NEWNET) == 0:
                prot["network_namespace"] = True
        prot["parent_death_signal"] = True
        prot["no_new_privs"] = True
    job_uid = None
    if root:
        # A distinct unprivileged uid per worker: kernel-enforced file permissions, RLIMIT_NPROC (not enforced
        # for root), and signals to any other process refused by the kernel.
        for cand in (1_000_000_000 + (parent_pid % 1_000_000) * 64 + index % 64, 65534 - index % 64):
            def _try(c=cand):
                os.setgroups([])
                os.setresgid(c, c, c)
                os.setresuid(c, c, c)
            if _probe(_try):
                job_uid = cand
                break
    prot["separate_uid"] = job_uid is not None
    prot["process_limit"] = job_uid is not None or not root
    tmp = _mkdtemp()
    if job_uid is not None:
        os.chown(tmp, job_uid, job_uid)
    os.chmod(tmp, 0o700)
    prot["private_tmpfs"] = _mount_tmpfs(libc, tmp, TMPFS_MB, job_uid)
    if libc is not None:
        libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
        libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)  # inherited by every child
    # Limits that are the same for every job are set once here and inherited through fork.
    for lim, val in ((resource.RLIMIT_CORE, 0), (resource.RLIMIT_FSIZE, 1 << 20), (resource.RLIMIT_NOFILE, 64)):
        resource.setrlimit(lim, (val, val))
    if job_uid is not None:
        # Root is exempt from RLIMIT_NPROC, so this does not stop the worker forking; the child inherits it and
        # it binds as soon as the child switches to the job uid: the job can neither fork nor start threads.
        resource.setrlimit(resource.RLIMIT_NPROC, (1, 1))
    os.environ.clear()
    return {"prot": prot, "tmp": tmp, "job_uid": job_uid, "libc": libc}


def _others_can_enter(path: str) -> bool:
    """Whether a uid that owns nothing can list path: o+rx on it and o+x on every folder above."""
    try:
        st = os.stat(path)
        if st.st_mode & 0o005 != 0o005:
            return False
        parent = os.path.dirname(path)
        while parent and parent != path:
            if not os.stat(parent).st_mode & 0o001:
                return False
            path, parent = parent, os.path.dirname(parent)
    except OSError:
        return False
    return True


def _reachable_stdlib() -> tuple:
    """Jobs run as an unprivileged uid; when the standard library lies under a folder that uid cannot enter
    (pyenv under /root, mode 0700, say), only preloaded modules would import. Open each such sys.path folder here
    and put /proc/self/fd/N before it: a process may follow its own descriptors, so jobs import from the folder
    without any right on the folders above it, and read nothing else there. Returns the descriptors."""
    fds = []
    for p in list(sys.path):
        if not p or not os.path.isdir(p) or _others_can_enter(p):
            continue
        fd = os.open(p, os.O_RDONLY | os.O_DIRECTORY)
        high = _dup_at_least(fd, 40 + len(fds))
        os.close(fd)
        fds.append(high)
        sys.path.insert(sys.path.index(p), f"/proc/self/fd/{high}")
    sys.path_importer_cache.clear()
    return tuple(fds)


def _dup_at_least(fd: int, at_least: int) -> int:
    """os.dup to the lowest free descriptor >= at_least (fcntl F_DUPFD, without importing fcntl)."""
    taken = []
    try:
        new = os.dup(fd)
        while new < at_least:
            taken.append(new)
            new = os.dup(fd)
        return new
    finally:
        for t in taken:
            os.close(t)


def _mkdtemp() -> str:
    base = "/tmp" if os.path.isdir("/tmp") else "/var/tmp"
    while True:
        path = f"{base}/azr-sandbox-{os.getpid()}-{os.urandom(6).hex()}"
        try:
            os.mkdir(path, 0o700)
            return path
        except FileExistsError:
            continue


def _empty(path: str) -> None:
    """Remove everything inside path (not path itself, which may be a mount point); never follows symlinks."""
    for root, dirs, files in os.walk(path, topdown=False):
        for name in files:
            try:
                os.unlink(os.path.join(root, name))
            except OSError:
                pass
        for name in dirs:
            full = os.path.join(root, name)
            try:
                os.unlink(full) if os.path.islink(full) else os.rmdir(full)
            except OSError:
                pass


def _rmtree(path: str) -> None:
    _empty(path)
    try:
        os.rmdir(path)
    except OSError:
        pass


def _mount_tmpfs(libc, path: str, size_mb: int, uid) -> bool:
    """A size-capped tmpfs over the private folder, in a mount namespace of the worker's own: a job can fill at
    most size_mb of memory, never the disk. Needs root or a user namespace."""
    if libc is None:
        return False
    try:
        if libc.unshare(CLONE_NEWNS) != 0:
            return False
        if libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None) != 0:
            return False
        owner = f",uid={uid},gid={uid}" if uid is not None else ""
        opts = f"size={size_mb}m,nr_inodes=4096,mode=0700{owner}".encode()
        return libc.mount(b"tmpfs", path.encode(), b"tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) == 0
    except Exception:
        return False


def _clean_tmp(tmp: str, job_uid) -> str:
    """Empty the private folder between jobs (one listdir when nothing was written, the common case)."""
    try:
        if not os.listdir(tmp):
            return tmp
        _empty(tmp)
        if not os.listdir(tmp):
            return tmp
    except OSError:
        pass
    # Could not clean: use a new folder rather than leak state into the next job.
    tmp = _mkdtemp()
    if job_uid is not None:
        os.chown(tmp, job_uid, job_uid)
    return tmp


# --------------------------------------------------------------------------- the child (untrusted code runs here)

# > 0 while the import guard lets a standard-library module import a banned one (see _make_import_guard).
_ALLOW = [0]
JOB_MODULE = "__sandbox__"  # the name a job's program runs under


class _Blocker:
    """Meta-path finder that refuses banned modules whatever route the import takes (import statement,
    __import__, importlib). Installed once in the worker (inactive there: `blocked` is empty); the zygote sets
    `blocked` for its children. `hit` records an attempt even if the job catches the ImportError."""

    blocked: frozenset = frozenset()
    hit: list = [None]
    allow: list = _ALLOW

    @classmethod
    def find_spec(cls, name, path=None, target=None):
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


def _make_import_guard(stash: dict, roots) -> Callable:
    """`builtins.__import__` for jobs. Pure standard-library modules often import a banned module themselves
    (pprint imports sys, statistics imports random, fnmatch imports os), so a job could only use the preloaded
    ones. The guard tells the two apart: a banned import is allowed only while one of the job's own imports of a
    permitted module is running, and only from the code of a standard-library module (its globals are the
    __dict__ of a module loaded from the standard library); it gets the module the zygote already holds, or a
    fresh import. Any other banned import, the job's own above all, is refused and recorded. importlib routes
    that skip __import__ still meet the meta-path blocker and the audit hook."""
    real, modules, allow, hit = builtins.__import__, sys.modules, _ALLOW, _Blocker.hit
    blocker, depth = _Blocker, [0]
    _type, _str, _dict, _ImpErr, _getattr = type, str, dict, ImportError, getattr
    prefixes = tuple(r + "/" for r in roots)

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
        if not (depth[0] and from_stdlib(globals)):
            hit[0] = name
            raise _ImpErr(f"sandbox: module '{name}' is banned")
        mod = stash.get(name)
        if mod is not None and stash.get(top) is not None:
            return mod if fromlist else stash[top]
        allow[0] += 1
        try:
            return real(name, globals, locals, fromlist, level)
        finally:
            allow[0] -= 1

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


def _child(wfd: int, run: tuple, ctx: dict) -> None:
    """Never returns. Runs in a fresh process forked from the zygote. The zygote has already unpacked the run
    (program compiled and checked by the manager, options, import state; see `_zygote`), so the child only locks
    itself down and runs it: every page it writes costs a copy-on-write fault, so it writes as few as it can.
    Everything used after the first line of job code is bound here, to locals and default arguments, so a job
    that poisons builtins or module globals only breaks its own result."""
    _write, _exit, _len, _mv, _callable, _exec = os.write, os._exit, len, memoryview, callable, exec
    _loads, _Module, _modules, _getattr = marshal.loads, type(sys), sys.modules, getattr
    _serial, _Rej, _type, _str, _pack, _ids = _serialize, _Reject, type, str, _HDR.pack, CODE_ID
    _Base, _MemErr = BaseException, MemoryError
    nonce, code, tests_code, items, opts, tmp, armed = run
    max_chars, max_depth, timeout = opts["max_output_chars"], opts["max_depth"], opts["timeout"]
    _alarm, _ITIMER = signal.setitimer, signal.ITIMER_REAL  # SIGALRM's default action ends an overrunning call
    mode, entry, repeat, stop = opts["mode"], opts["entry"], opts["repeat"], opts["stop"]
    flag = armed[3]

    def report(index: int, code_: str, text: str) -> None:
        data = text.encode("utf-8", "backslashreplace")
        data = _mv(_pack(nonce, index, _ids[code_], _len(data)) + data)
        while data:
            data = data[_write(wfd, data):]

    if code is None:
        report(0, "crashed", "sandbox set-up failed: the zygote could not load the program")
        _exit(4)
    try:
        os.setpgid(0, 0)
        null = ctx["devnull"]
        os.dup2(null, 0)
        os.dup2(null, 1)
        os.dup2(null, 2)
        low = 3
        for fd in sorted(ctx["keep_fds"] + (wfd,)):  # wfd and the stdlib folders (see _reachable_stdlib)
            os.closerange(low, fd)
            low = fd + 1
        os.closerange(low, 1 << 16)
        cpu = _cpu_limit(opts, len(items))
        resource.setrlimit(resource.RLIMIT_AS, (opts["memory_mb"] << 20,) * 2)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))  # SIGXCPU first, SIGKILL a second later
        uid = ctx["job_uid"]
        libc = ctx["libc"]
        if uid is not None:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)  # also makes the process non-dumpable
        elif os.geteuid() != 0:
            resource.setrlimit(resource.RLIMIT_NPROC, (1, 1))
            if libc is not None:
                libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
        if not ctx["pid_namespace"]:
            # Without a PID namespace of its own, the child must die with the zygote by itself (after the uid
            # change, which clears the setting). In one, the kernel kills every job when the zygote dies.
            if libc is not None:
                libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            if os.getppid() != ctx["zygote_pid"]:
                _exit(3)
        os.chdir(tmp)
        del run
        ctx["hook_state"][0] = armed  # arm the hook installed by the worker
    except BaseException as exc:
        try:
            report(0, "crashed", f"sandbox set-up failed: {type(exc).__name__}: {exc}")
        finally:
            _exit(4)

    # ---- from here on, job code may run; only names bound above are used.
    def describe(exc) -> tuple:
        t = _type(exc)
        if t is _MemErr:
            return "memory", "MemoryError: the job ran out of its memory limit"
        if flag[0] is not None:
            return "banned_import", f"import of banned module '{flag[0]}'"
        try:
            msg = _str(exc)
        except _Base:
            msg = "<unprintable>"
        try:
            name = _str(_getattr(t, "__name__", "Exception"))
        except _Base:
            name = "Exception"
        return "runtime_error", (f"{name}: {msg}" if msg else name)[:500]

    def load(namespace_name: str) -> dict:
        # A real module object registered under its name, so dataclasses, typing and pickle find the namespace.
        mod = _Module(namespace_name)
        g = mod.__dict__
        g["__builtins__"] = builtins
        _modules[namespace_name] = mod
        _exec(code, g)
        return g

    def call(args_blob: bytes) -> str:
        g = load(JOB_MODULE)
        f = g.get(entry)
        if not _callable(f):
            raise _Rej("no_entry", f"'{entry}' is not a function after the program ran")
        value = f(*_loads(args_blob))
        return _serial(value, max_chars, max_depth)

    def run_codegen() -> None:
        g = load(JOB_MODULE)
        _exec(tests_code, g)
        cand = g.get(entry)
        if not _callable(cand):
            raise _Rej("no_entry", f"entry point '{entry}' is not defined")
        check = g.get("check")
        if not _callable(check):
            raise _Rej("runtime_error", "the tests do not define check(candidate)")
        try:
            check(cand)
        except AssertionError as exc:
            raise _Rej("wrong", f"a test assertion failed: {exc}"[:500]) from None

    try:
        if mode == "codegen":
            try:
                _alarm(_ITIMER, timeout)
                run_codegen()
                report(0, "ok", "")
            except _Rej as rej:
                report(0, rej.code, rej.detail)
            except _Base as exc:
                report(0, *describe(exc))
            _exit(0)
        for i, blob in enumerate(items):
            try:
                _alarm(_ITIMER, timeout)
                text = call(blob)
                if flag[0] is not None:
                    raise _Rej("banned_import", f"import of banned module '{flag[0]}'")
                if repeat:
                    _alarm(_ITIMER, timeout)  # the second execution gets its own time limit
                    spacer = [object() for _ in range(31 + i)]  # shift addresses so id()-based results differ
                    spacer.append(bytearray(4099))
                    again = call(blob)
                    del spacer
                    if again != text:
                        raise _Rej("nondeterministic", f"two executions disagree: {text[:200]} vs {again[:200]}")
                report(i, "ok", text)
            except _Rej as rej:
                report(i, rej.code, rej.detail)
                if stop:
                    break
            except _Base as exc:
                report(i, *describe(exc))
                if stop:
                    break
    except _Base:
        _exit(5)
    _exit(0)


# --------------------------------------------------------------------------- the zygote: a lean forker

# Manager -> zygote frames: 1-byte type + 4-byte length + payload. b"R": fork a child for this payload; b"K": kill
# the running child (ignored when none runs). Zygote -> manager: the pid and wait status of each reaped child.
_ZFRAME = struct.Struct("<cI")
_ZSTATUS = struct.Struct("<ii")


def _zygote(ctl: int, back: int, res_w: int, ctx: dict) -> None:
    """Never returns. Forks one child per request and reaps it. It is forked from the manager right after the
    warm-up, so its memory is the preloaded modules and little else, and between forks it only runs this loop:
    few pages are written per fork (each write after a fork is a page fault), and every fork copies a small
    page table. The manager, which never forks, does all other work (compiling, watching, parsing)."""
    read, write, fork, waitpid, kill, killpg, pclose = os.read, os.write, ctx["fork"], os.waitpid, os.kill, \
        os.killpg, os.close
    unpack, pack, hsize = _ZFRAME.unpack, _ZSTATUS.pack, _ZFRAME.size
    pidfd_open = getattr(os, "pidfd_open", None)
    poller = select.poll()
    poller.register(ctl, select.POLLIN)
    POLLIN, KILL, WNOHANG = select.POLLIN, signal.SIGKILL, os.WNOHANG
    child = _child

    loads = marshal.loads
    modules = sys.modules
    all_modules = dict(modules)
    builtins.__import__ = _make_import_guard(all_modules, ctx["read_roots"].values())
    purged: list = [None]  # the blocked set sys.modules is purged for now
    known: dict = {}  # options key -> options, sent once by the manager
    blocked_sets: dict = {}
    armed_for: dict = {}  # (tmp, blocked) -> the audit hook's state for children

    def stage(payload: bytes) -> tuple:
        """Unpack a run here, before the fork: the zygote rewrites pages the last child shared cheaply (that
        child is gone, so nothing is copied), while every page a child writes is a copy-on-write fault. Options,
        import state and the hook's state only change when the manager's options or private folder do."""
        nonce, code_blob, tests_blob, items, okey, new_opts, tmp = loads(payload)
        if new_opts is not None:  # one blocked-set object per distinct set, so `is` below means equal
            new_opts["blocked"] = blocked_sets.setdefault(new_opts["blocked"], new_opts["blocked"])
            known[okey] = new_opts
        opts = known[okey]
        blocked = opts["blocked"]
        _Blocker.hit[0] = None
        if purged[0] is not blocked:
            # Drop what jobs may not import, so `import x` of a banned x reaches the blocker (the zygote itself
            # imports nothing after start-up; it keeps every module alive in all_modules).
            modules.clear()
            modules.update(all_modules)
            for name in opts["purge"]:
                modules.pop(name, None)
            _Blocker.blocked = blocked
            purged[0] = blocked
        armed = armed_for.get((tmp, blocked))
        if armed is None:
            armed = armed_for[(tmp, blocked)] = ({"tmp": tmp}, dict(ctx["read_roots"], tmp=tmp), blocked,
                                                 _Blocker.hit)
        try:
            code = loads(code_blob)
            tests_code = loads(tests_blob) if tests_blob is not None else None
        except Exception:
            code = tests_code = None
        return nonce, code, tests_code, items, opts, tmp, armed

    def exactly(n: int) -> bytes:
        data = read(ctl, n)
        while len(data) < n:
            more = read(ctl, n - len(data))
            if not more:
                return b""
            data += more
        return data

    while True:
        head = exactly(hsize)
        if not head:
            os._exit(0)  # the manager is gone
        kind, n = unpack(head)
        payload = exactly(n) if n else b""
        if kind != b"R":
            continue  # a late kill for a child already reaped
        run = stage(payload)
        del payload
        pid = fork()
        if pid == 0:
            try:
                child(res_w, run, ctx)
            finally:
                os._exit(6)
        del run
        pidfd = -1
        if pidfd_open is not None:
            try:
                pidfd = pidfd_open(pid)
                poller.register(pidfd, POLLIN)
            except OSError:
                pidfd = -1
        status = None
        while status is None:
            for fd, _ev in poller.poll(None if pidfd >= 0 else 5):
                if fd != ctl:
                    continue
                head = exactly(hsize)
                if head:
                    kind, n = unpack(head)
                    if n:
                        exactly(n)
                for target in (killpg, kill):
                    try:
                        target(pid, KILL)
                    except OSError:
                        pass
                if not head:  # the manager is gone: take the child down too
                    waitpid(pid, 0)
                    os._exit(0)
            got, st = waitpid(pid, 0 if pidfd >= 0 else WNOHANG)
            if got == pid:
                status = st
        if pidfd >= 0:
            poller.unregister(pidfd)
            pclose(pidfd)
        write(back, pack(pid, status))


# --------------------------------------------------------------------------- the manager: one run at a time

class _Manager:
    """The worker process proper: talks to the pool, compiles and checks programs, hands runs to the zygote and
    watches them (wall clock, output size, forged records), and parses what children report."""

    def __init__(self, ctl: int, back: int, res: int, zygote: int) -> None:
        self.ctl, self.back, self.res, self.zygote = ctl, back, res, zygote
        os.set_blocking(res, False)
        self.poller = select.poll()
        self.poller.register(0, 0)  # the parent's pipe, only for hang-up: the parent died
        self.poller.register(res, select.POLLIN)
        self.poller.register(back, select.POLLIN)
        self.sbuf = bytearray()

    def kill(self) -> None:
        os.write(self.ctl, _ZFRAME.pack(b"K", 0))

    def run(self, payload: bytes, nonce: bytes, n_items: int, timeout: float, cap: int):
        """One child: (records, reason, status). reason is None when the child exited by itself, else
        'timeout'/'violation'; status is its wait status. Exits the process when the parent is gone."""
        os.write(self.ctl, _ZFRAME.pack(b"R", len(payload)) + payload)
        records: list = []
        buf = bytearray()
        reason = None
        killed = False
        deadline = time.monotonic() + timeout
        res, back, zsize = self.res, self.back, _ZSTATUS.size
        while True:
            wait = deadline - time.monotonic()
            if wait <= 0:
                if not killed:
                    reason = reason or "timeout"
                    self.kill()
                    killed = True
                deadline = time.monotonic() + 30  # the zygote reaps a killed child at once
                wait = 30
            events = self.poller.poll(max(1, int(wait * 1000) + 1))
            if not events and killed:
                raise RuntimeError("the zygote did not reap a killed child")
            done = False
            for fd, ev in events:
                if fd == 0:
                    if ev & (select.POLLHUP | select.POLLERR):
                        os._exit(0)  # the zygote sees its pipe close and takes the child down
                elif fd == back:
                    chunk = os.read(back, 64)
                    if not chunk:
                        raise RuntimeError("the zygote exited")
                    self.sbuf += chunk
                    done = len(self.sbuf) >= zsize
            # Read what the child wrote (after its exit, everything it wrote is in the pipe already).
            while reason is None:
                try:
                    chunk = os.read(res, 1 << 16)
                except BlockingIOError:
                    break
                if not chunk:
                    break
                buf += chunk
                if len(buf) > cap:
                    reason = "violation"
                    break
                while len(buf) >= _HDR_SIZE:
                    got_nonce, idx, cid, size = _HDR.unpack_from(buf)
                    if got_nonce != nonce or cid >= len(CODE_LIST) or size > cap:
                        reason = "violation"
                        break
                    if len(buf) < _HDR_SIZE + size:
                        break
                    if idx != len(records) or len(records) >= n_items:
                        reason = "violation"
                        break
                    records.append((CODE_LIST[cid], buf[_HDR_SIZE:_HDR_SIZE + size].decode("utf-8", "replace")))
                    del buf[:_HDR_SIZE + size]
                    deadline = time.monotonic() + timeout
                if len(records) >= n_items and not buf and not killed:
                    # All answers are in; give the child a moment to exit by itself.
                    deadline = min(deadline, time.monotonic() + 0.5)
            if reason == "violation" and not killed:
                self.kill()
                killed = True
            if reason is not None:
                self._drain()
            if done:
                pid, status = _ZSTATUS.unpack_from(self.sbuf)
                del self.sbuf[:zsize]
                if reason is None and killed:
                    reason = "timeout"
                return records, reason, status

    def _drain(self) -> None:
        while True:
            try:
                if not os.read(self.res, 1 << 16):
                    return
            except BlockingIOError:
                return


def _death_reason(status: int, timeout: float) -> tuple[str, str]:
    """Why a child died without answering. No rusage on the fast path: the signal says enough (SIGALRM: wall
    clock, SIGXCPU: CPU soft limit, SIGKILL not sent by us: the kernel's OOM killer or the CPU hard limit)."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        if sig == signal.SIGALRM:
            return "timeout", f"exceeded the {timeout:g}s time limit"
        if sig == signal.SIGXCPU:
            return "timeout", "exceeded the CPU time limit"
        if sig == signal.SIGKILL:
            return "memory", "killed by SIGKILL (out of memory)"
        if sig in (signal.SIGSEGV, signal.SIGBUS):
            return "crashed", f"killed by {name} (C stack overflow or interpreter crash)"
        return "crashed", f"killed by {name}"
    return "crashed", f"exited with status {os.waitstatus_to_exitcode(status)} without reporting a result"


def _compile(program: str, mode: str, tests) -> tuple:
    """(code, tests_code) or ((error code, detail), None)."""
    try:
        code = compile(program, "<program>", "exec", dont_inherit=True)
        tests_code = compile(tests, "<tests>", "exec", dont_inherit=True) if mode == "codegen" else None
        return code, tests_code
    except SyntaxError as exc:
        return ("syntax", f"line {exc.lineno}: {exc.msg}" if exc.lineno else str(exc.msg)), None
    except (ValueError, MemoryError, RecursionError, OverflowError) as exc:
        return ("syntax", f"{type(exc).__name__}: {exc}"[:300]), None


_BLOCKED_CACHE: dict = {}
_CHECKED: dict = {}  # recent programs, compiled and checked: the G abduction answers to one program share this


def _checked(program: str, opts: dict, blocked: frozenset):
    """(code_blob, tests_blob) for a program that may run, or the (code, detail) that stops it."""
    key = (program, opts["mode"], opts["tests"], opts["entry"], opts["static"], blocked)
    got = _CHECKED.get(key)
    if got is not None:
        return got
    compiled = _compile(program, opts["mode"], opts["tests"])
    if isinstance(compiled[0], tuple):
        got = compiled[0]
    else:
        code, tests_code = compiled
        problem = static_check(code, blocked, opts["entry"]) if opts["static"] else None
        got = problem or [marshal.dumps(code), marshal.dumps(tests_code) if tests_code is not None else None]
    if len(_CHECKED) >= 512:
        _CHECKED.clear()
    _CHECKED[key] = got
    return got


def _blocked(banned: tuple, codegen: bool) -> frozenset:
    key = (banned, codegen)
    got = _BLOCKED_CACHE.get(key)
    if got is None:
        got = ALWAYS_BLOCKED - CODEGEN_ALLOWED if codegen else ALWAYS_BLOCKED | frozenset(_top(b) for b in banned)
        _BLOCKED_CACHE[key] = got
    return got


def execute(program: str, items: list, opts: dict, ctx: dict) -> list:
    """Compiles and checks one program here in the manager (a program that fails to parse, has no entry or
    imports a banned module never costs a process), then runs it over its items in as few children as possible."""
    mode = opts["mode"]
    opts["blocked"] = blocked = _blocked(opts["banned"], mode == "codegen")
    opts["purge"] = _purge_list(blocked, ctx["zygote_modules"])
    checked = _checked(program, opts, blocked)
    if isinstance(checked, tuple) and isinstance(checked[0], str):
        return [checked]
    code_blob, tests_blob = checked
    okey = tuple(opts[k] for k in _CHILD_OPTS)
    zygote_known = ctx["zygote_opts"]
    opts_id = zygote_known.get(okey)
    child_opts = None
    if opts_id is None:
        opts_id = zygote_known[okey] = len(zygote_known)
        child_opts = {k: opts[k] for k in _CHILD_OPTS}
    manager = ctx["manager"]
    n = 1 if mode == "codegen" else len(items)
    results: list = []
    start = 0
    timeout = opts["timeout"] * (2 if opts["repeat"] else 1)  # backstop; each execution has its own alarm
    cap = 4 * opts["max_output_chars"] + 4096
    while start < n:
        chunk = items[start:] if mode != "codegen" else []
        want = 1 if mode == "codegen" else len(chunk)
        nonce = os.urandom(16)
        payload = marshal.dumps((nonce, code_blob, tests_blob, chunk, opts_id, child_opts, ctx["tmp"]))
        child_opts = None  # the zygote has them now
        records, reason, status = manager.run(payload, nonce, want, timeout + 0.05, cap * want)
        ctx["tmp"] = _clean_tmp(ctx["tmp"], ctx["job_uid"])
        results.extend(records)
        if records and records[-1][0] != "ok" and (opts["stop"] or mode == "codegen" or (
                len(records) == 1 and records[0][0] in PROGRAM_CODES)):
            break
        if len(records) >= want:
            break
        # The child died or was stopped before answering item start + len(records).
        if reason == "timeout":
            failure = ("timeout", f"exceeded the {opts['timeout']:g}s time limit")
        elif reason == "violation":
            failure = ("crashed", "protocol violation: the job wrote forged or corrupt results")
        else:
            failure = _death_reason(status, opts["timeout"])
        results.append(failure)
        if opts["stop"] or mode == "codegen":
            break
        start += len(records) + 1
    return results


_CHILD_OPTS = ("mode", "entry", "repeat", "stop", "timeout", "memory_mb", "max_output_chars", "max_depth", "blocked",
               "purge")


def _cpu_limit(opts: dict, n_items: int) -> int:
    return int(math.ceil(opts["timeout"] * max(1, n_items) * (2 if opts["repeat"] else 1))) + 1


ADDR_NO_RANDOMIZE = 0x0040000


def _fixed_layout() -> bool:
    """Re-exec this worker once without address-space randomisation, so values derived from the addresses of
    built-in objects (hash(None), id(int), the order of a set holding None) are the same in every worker and
    every run: a gold output must not depend on which worker computed it. (Heap addresses still differ between
    the two executions of a validation.) Returns whether the layout is fixed; False where the kernel or a
    seccomp profile refuses, and the worker then goes on with a randomised layout."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        current = libc.personality(0xFFFFFFFF)
        if current < 0:
            return False
        if current & ADDR_NO_RANDOMIZE:
            return True
        if libc.personality(current | ADDR_NO_RANDOMIZE) < 0:
            return False
    except Exception:
        return False
    try:
        os.execv(sys.executable, sys.orig_argv)  # same arguments, environment and pipes; never returns
    except OSError:
        return False


def main() -> None:
    index = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    fixed = _fixed_layout()
    reader = _Reader(0)
    env = setup_worker(index, os.getppid())
    env["prot"]["fixed_address_layout"] = fixed
    for name in PRELOAD:
        try:
            __import__(name)
        except Exception:
            pass
    # Drop what no job may import from sys.modules once, here (the worker keeps its own references), so an
    # `import os` in a job is a fresh import that the blocker refuses. Codegen jobs may import a few of these
    # (CODEGEN_ALLOWED); AZR jobs drop those too, in the child.
    banned = frozenset(_top(b) for b in (sys.argv[2].split(",") if len(sys.argv) > 2 and sys.argv[2] else ()))
    worker_blocked = (ALWAYS_BLOCKED - CODEGEN_ALLOWED) | (banned - CODEGEN_ALLOWED)
    for name in [n for n in sys.modules if n.partition(".")[0] in worker_blocked]:
        del sys.modules[name]
    sys.meta_path.insert(0, _Blocker)
    if sys.path and os.path.realpath(sys.path[0]) == os.path.dirname(os.path.realpath(__file__)):
        del sys.path[0]  # jobs must not import from the sandbox package folder
    stdlib = os.path.dirname(os.__file__)
    # Each folder as written and as resolved: imports open files (and modules carry __file__) under the path as
    # sys.path writes it, which differs from the resolved one when a symlink lies on the way.
    roots = {f(d) for d in (stdlib, os.path.join(stdlib, "lib-dynload")) for f in (str, os.path.realpath)}
    for p in sys.path:
        if p and p.endswith(".zip"):
            roots.update((p, os.path.realpath(p)))
    keep_fds: tuple = ()
    if env["job_uid"] is not None:
        keep_fds = _reachable_stdlib()
        roots.update(f"/proc/self/fd/{fd}" for fd in keep_fds)
    libc = env["libc"]
    fork = os.fork
    if libc is not None:
        try:
            import ctypes

            # fork(2) without CPython's at-fork machinery: the zygote is single-threaded, and skipping the
            # interpreter's after-fork hooks (threading's among them) saves the child a hundred page faults.
            fork = ctypes.PyDLL(None).fork
            fork.restype = ctypes.c_int
            fork.argtypes = ()
        except Exception:
            fork = os.fork
    ctx = {"tmp": env["tmp"], "job_uid": env["job_uid"], "libc": libc, "fork": fork, "keep_fds": keep_fds,
           "devnull": os.open(os.devnull, os.O_RDWR),
           "read_roots": {f"r{k}": r for k, r in enumerate(sorted(roots))}}
    hook, ctx["hook_state"] = _make_hook()
    sys.addaudithook(hook)  # inert until a child arms it
    del hook
    ctl_r, ctl_w = os.pipe()
    back_r, back_w = os.pipe()
    res_r, res_w = os.pipe()
    ctx["zygote_modules"] = tuple(sys.modules)
    ctx["zygote_opts"] = {}
    sys.stdout = sys.stderr = sys.__stdout__ = sys.__stderr__ = _NULL  # where a job's print() goes
    sys.stdin = None
    gc.collect()
    gc.freeze()
    if libc is not None:
        try:
            libc.malloc_trim(0)  # hand freed heap back, so there are fewer pages for every fork to map
        except AttributeError:
            pass
    manager_pid = os.getpid()
    # The zygote becomes process 1 of a PID namespace of its own: when it dies (it dies with the manager), the
    # kernel kills every job process in the namespace, so a job needs no parent-death set-up of its own.
    ctx["pid_namespace"] = libc is not None and libc.unshare(CLONE_NEWPID) == 0
    env["prot"]["pid_namespace"] = ctx["pid_namespace"]
    zpid = os.fork()
    if zpid == 0:
        try:
            if libc is not None:
                libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            if not ctx["pid_namespace"] and os.getppid() != manager_pid:
                os._exit(0)  # (in a new PID namespace the parent shows as 0; the ctl pipe's EOF covers it)
            for fd in (ctl_w, back_r, res_r):
                os.close(fd)
            os.dup2(ctx["devnull"], 0)  # the pool's pipes belong to the manager alone
            os.dup2(ctx["devnull"], 1)
            ctx["zygote_pid"] = os.getpid()
            _zygote(ctl_r, back_w, res_w, ctx)
        finally:
            os._exit(0)
    for fd in (ctl_r, back_w, res_w):
        os.close(fd)
    ctx["manager"] = _Manager(ctl_w, back_r, res_r, zpid)
    prot = dict(env["prot"], zygote=True)
    _send(("hello", os.getpid(), env["tmp"], prot, zpid))
    opts_cache: dict = {}
    try:
        while True:
            msg = reader.read_msg()
            if msg is None:
                break
            run_id, program, items, opts_key, opts = msg
            if opts is None:
                opts = opts_cache[opts_key]
            else:
                opts_cache[opts_key] = opts
            opts = dict(opts)
            try:
                out = execute(program, items, opts, ctx)
            except MemoryError:
                out = [("crashed", "the sandbox worker ran out of memory on this job")]
            except RuntimeError as exc:  # the zygote is gone: nothing more can run here
                _send((run_id, [("crashed", f"sandbox worker error: {exc}")]))
                break
            except Exception as exc:  # a bug here must not take the worker down with the whole batch
                out = [("crashed", f"sandbox worker error: {type(exc).__name__}: {exc}"[:300])]
            _send((run_id, out))
    finally:
        try:
            os.kill(zpid, signal.SIGKILL)
            os.waitpid(zpid, 0)
        except OSError:
            pass
        _rmtree(ctx["tmp"])


if __name__ == "__main__":
    try:
        main()
    except (BrokenPipeError, KeyboardInterrupt):
        pass
