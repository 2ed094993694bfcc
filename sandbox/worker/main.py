"""Warm sandbox worker: one long-lived interpreter that forks a fresh process for every piece of untrusted code.

Started by `sandbox.pool` as ``python -S -s -X utf8 main.py INDEX`` with an almost empty environment; the pool's
first frame is the worker's plan (the filesystem view, the seccomp programs, what to switch off). Stdlib-only on
purpose: it must start fast, preload only what jobs may use, and never import the project (or anything from
site-packages) into the address space that every job process inherits.

Two processes per worker:
- the manager (this script's process): pool protocol, compile and static checks, watching runs (wall clock,
  output size, forged records), cleaning the private folder; it never forks after start-up;
- the zygote, forked once after the warm-up as process 1 of a PID namespace of its own, restricted by Landlock and
  by a seccomp filter; it unpacks each run and forks and reaps one job process for it (see runner.py and
  lockdown.py for what that process does).
Modules: jail.py (the worker's kernel boundaries), lockdown.py (a job process's own), guards.py (the Python-level
filters), runner.py (running the job), protocol.py (frames and records).
"""

from __future__ import annotations

import gc
import marshal
import os
import select
import signal
import struct
import sys
import time

import jail
import lockdown
import protocol
import runner
from guards import ALWAYS_BLOCKED, CODEGEN_ALLOWED, PRELOAD, _Blocker, _make_hook, _make_import_guard, _NULL
from guards import _purge_list, _top, static_check
from protocol import PROGRAM_CODES, RecordParser

WORKER_MODULES = frozenset({"guards", "jail", "lockdown", "protocol", "runner"})

# Manager -> zygote frames: 1-byte type + 4-byte length + payload. b"R": fork a child for this payload; b"K": kill
# the running child (ignored when none runs). Zygote -> manager: the pid and wait status of each reaped child.
_ZFRAME = struct.Struct("<cI")
_ZSTATUS = struct.Struct("<ii")


# --------------------------------------------------------------------------- the zygote: a lean forker

def _zygote(ctl: int, back: int, res_w: int, ctx: dict) -> None:
    """Never returns. Forks one child per request and reaps it. Forked from the manager right after the warm-up,
    so its memory is the preloaded modules and little else, and between forks it only runs this loop: every page
    a child writes costs a copy-on-write fault, so the zygote unpacks each run *before* forking."""
    read, write, fork, waitpid, kill, killpg, pclose = os.read, os.write, ctx["fork"], os.waitpid, os.kill, \
        os.killpg, os.close
    unpack, pack, hsize = _ZFRAME.unpack, _ZSTATUS.pack, _ZFRAME.size
    pidfd_open = getattr(os, "pidfd_open", None)
    poller = select.poll()
    poller.register(ctl, select.POLLIN)
    POLLIN, KILL, WNOHANG = select.POLLIN, signal.SIGKILL, os.WNOHANG
    child = runner.child
    last_pid_fd = ctx["last_pid_fd"]
    pwrite = os.pwrite

    loads = marshal.loads
    modules = sys.modules
    all_modules = dict(modules)
    checks = ctx["python_checks"]
    if checks:
        import builtins

        builtins.__import__ = _make_import_guard(all_modules, ctx["read_roots"].values())
    purged: list = [None]  # the blocked set sys.modules is purged for now
    known: dict = {}  # options key -> options, sent once by the manager
    blocked_sets: dict = {}
    armed_for: dict = {}  # blocked set -> the audit hook's state for children
    tmp = ctx["tmp"]

    def stage(payload: bytes) -> tuple:
        """Unpack a run here, before the fork: the zygote rewrites pages the last child shared cheaply (that
        child is gone, so nothing is copied), while every page a child writes is a copy-on-write fault."""
        nonce, code_blob, tests_blob, items, okey, new_opts = loads(payload)
        if new_opts is not None:  # one blocked-set object per distinct set, so `is` below means equal
            new_opts["blocked"] = blocked_sets.setdefault(new_opts["blocked"], new_opts["blocked"])
            known[okey] = new_opts
        opts = known[okey]
        armed = None
        if checks:
            blocked = opts["blocked"]
            _Blocker.hit[0] = None
            if purged[0] is not blocked:
                # Drop what jobs may not import, so `import x` of a banned x reaches the blocker (the zygote
                # itself imports nothing after start-up; it keeps every module alive in all_modules).
                modules.clear()
                modules.update(all_modules)
                for name in opts["purge"]:
                    modules.pop(name, None)
                _Blocker.blocked = blocked
                purged[0] = blocked
            armed = armed_for.get(blocked)
            if armed is None:
                armed = armed_for[blocked] = ({"tmp": tmp}, dict(ctx["read_roots"], tmp=tmp), blocked,
                                              _Blocker.hit)
        try:
            code = loads(code_blob)
            tests_code = loads(tests_blob) if tests_blob is not None else None
        except Exception:
            code = tests_code = None
        return nonce, code, tests_code, items, opts, armed

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
        if last_pid_fd is not None:
            try:
                pwrite(last_pid_fd, b"1", 0)  # the next child is process 2, in every worker and every run
            except OSError:
                pass
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


def _zygote_start(ctx: dict, prot: dict) -> None:
    """The zygote's own lock-down, once: Landlock, then its seccomp filter (the jobs' allow-list plus forking,
    reaping and a job's set-up). Both are inherited by every job process and cannot be undone."""
    lib, plan = ctx["libc"], ctx["plan"]
    os.chdir(ctx["tmp"])  # every job starts in its private folder
    if ctx["last_pid_fd"] is not None:
        try:
            os.pwrite(ctx["last_pid_fd"], b"1", 0)  # needs CAP_SYS_ADMIN over this PID namespace
        except OSError:
            os.close(ctx["last_pid_fd"])
            ctx["last_pid_fd"] = None
    prot["fixed_job_pid"] = ctx["last_pid_fd"] is not None
    abi = 0
    if lib is not None and "landlock" not in plan["disable"]:
        reads = sorted(set(plan["binds"]) | set(ctx["read_roots"].values()))
        abi = jail.restrict_landlock(lib, reads, [ctx["tmp"], "/dev/null"])
    prot["landlock_abi"] = str(abi) if abi else ""
    filters = plan["seccomp"]
    ctx["job_filter"] = None
    prot["seccomp"] = False
    if lib is not None and filters is not None and "seccomp" not in plan["disable"]:
        zygote_filter = lockdown.SeccompLoader(lib, filters[0])
        ctx["job_filter"] = lockdown.SeccompLoader(lib, filters[1])
        prot["seccomp"] = zygote_filter.install()
        if not prot["seccomp"]:
            ctx["job_filter"] = None


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
        parser = RecordParser(nonce, n_items, cap)
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
                if parser.feed(chunk):
                    deadline = time.monotonic() + timeout
                if parser.violation:
                    reason = "violation"
                elif parser.complete and not killed:
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
                return parser.records, reason, status

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
        if sig == signal.SIGSYS:
            return "crashed", "killed by SIGSYS (a system call the sandbox does not allow)"
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
        if problem is None and opts["mode"] != "codegen" and opts["entry"] not in code.co_names:
            problem = ("no_entry", f"no top-level function '{opts['entry']}'")
        got = problem or [marshal.dumps(code), marshal.dumps(tests_code) if tests_code is not None else None]
    if len(_CHECKED) >= 512:
        _CHECKED.clear()
    _CHECKED[key] = got
    return got


def _blocked(banned: tuple, codegen: bool) -> frozenset:
    key = (banned, codegen)
    got = _BLOCKED_CACHE.get(key)
    if got is None:
        base = ALWAYS_BLOCKED | WORKER_MODULES
        got = base - CODEGEN_ALLOWED if codegen else base | frozenset(_top(b) for b in banned)
        _BLOCKED_CACHE[key] = got
    return got


_CHILD_OPTS = ("mode", "entry", "repeat", "stop", "timeout", "memory_mb", "max_output_chars", "max_depth", "blocked",
               "purge", "literal_returns", "shifted")


def execute(program: str, items: list, opts: dict, ctx: dict) -> list:
    """Compiles and checks one program here in the manager (a program that fails to parse, has no entry or
    imports a banned module never costs a process), then runs it over its items in as few children as possible."""
    mode = opts["mode"]
    if not ctx["python_checks"]:
        opts["static"] = False
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
        payload = marshal.dumps((nonce, code_blob, tests_blob, chunk, opts_id, child_opts))
        child_opts = None  # the zygote has them now
        records, reason, status = manager.run(payload, nonce, want, timeout + 0.05, cap * want)
        if not jail.clean(ctx["tmp"]):
            ctx["broken"] = "the private folder could not be emptied"
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
        if opts["stop"] or mode == "codegen" or ctx.get("broken"):
            break
        start += len(records) + 1
    return results


def _roots(job_uid, view: bool, data: list) -> tuple[dict, tuple]:
    """The folders jobs may read (for the audit hook and the import guard), and the descriptors to keep open."""
    stdlib = os.path.dirname(os.__file__)
    # Each folder as written and as resolved: imports open files (and modules carry __file__) under the path as
    # sys.path writes it, which differs from the resolved one when a symlink lies on the way.
    roots = {f(d) for d in (stdlib, os.path.join(stdlib, "lib-dynload")) for f in (str, os.path.realpath)}
    for p in sys.path:
        if p and p.endswith(".zip"):
            roots.update((p, os.path.realpath(p)))
    roots.update(data)  # stdlib data files: MIME tables, the time-zone database
    keep_fds: tuple = ()
    if job_uid is not None and not view:
        keep_fds = jail.reachable_stdlib(sys.path)
        sys.path_importer_cache.clear()
        roots.update(f"/proc/self/fd/{fd}" for fd in keep_fds)
    return {f"r{k}": r for k, r in enumerate(sorted(roots))}, keep_fds


def main() -> None:
    index = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    fixed = jail.fixed_layout(sys.orig_argv, sys.executable)
    # What a job could read of its own command line is the same in every worker (the index is not in it).
    sys.argv, sys.orig_argv = sys.argv[:1], sys.orig_argv[:-1]
    reader = protocol.Reader(0)
    plan = reader.read_msg()
    if plan is None:
        return
    # Open before the view hides /proc; only the zygote writes it (its own PID namespace's counter).
    last_pid_fd = None
    if "fixed_job_pid" not in plan["disable"]:
        try:
            last_pid_fd = os.open("/proc/sys/kernel/ns_last_pid", os.O_WRONLY | os.O_CLOEXEC)
        except OSError:
            pass
    if sys.path and os.path.realpath(sys.path[0]) == os.path.dirname(os.path.realpath(__file__)):
        del sys.path[0]  # jobs must not import the worker's own modules (the view does not hold them either)
    env = jail.setup_worker(index, os.getppid(), plan)
    prot = env["prot"]
    prot["fixed_address_layout"] = fixed
    checks = bool(plan["python_checks"])
    prot["audit_hook"] = prot["import_guard"] = prot["static_check"] = checks
    prot["rlimits"] = True
    for name in PRELOAD:
        try:
            __import__(name)
        except Exception:
            pass
    # Drop what no job may import from sys.modules once, here (the worker keeps its own references), so an
    # `import os` in a job is a fresh import that the blocker refuses. Codegen jobs may import a few of these
    # (CODEGEN_ALLOWED); AZR jobs drop those too, in the child.
    banned = frozenset(_top(b) for b in plan["banned"])
    worker_blocked = (ALWAYS_BLOCKED - CODEGEN_ALLOWED) | (banned - CODEGEN_ALLOWED) | WORKER_MODULES
    if checks:
        for name in [n for n in sys.modules if n.partition(".")[0] in worker_blocked]:
            del sys.modules[name]
        sys.meta_path.insert(0, _Blocker)
    read_roots, keep_fds = _roots(env["job_uid"], prot["filesystem_view"], plan.get("data", []))
    lib = env["libc"]
    fork = os.fork
    if lib is not None:
        try:
            import ctypes

            # fork(2) without CPython's at-fork machinery: the zygote is single-threaded, and skipping the
            # interpreter's after-fork hooks (threading's among them) saves the child a hundred page faults.
            fork = ctypes.PyDLL(None).fork
            fork.restype = ctypes.c_int
            fork.argtypes = ()
        except Exception:
            fork = os.fork
    ctx = {"tmp": env["tmp"], "job_uid": env["job_uid"], "libc": lib, "fork": fork, "keep_fds": keep_fds,
           "read_roots": read_roots, "plan": plan, "python_checks": checks, "last_pid_fd": last_pid_fd,
           "clock_shift": [0], "hook_state": [None]}
    if checks:
        hook, ctx["hook_state"] = _make_hook()
        sys.addaudithook(hook)  # inert until a child arms it
        del hook
    ctl_r, ctl_w = os.pipe()
    back_r, back_w = os.pipe()
    res_r, res_w = os.pipe()
    ctx["zygote_modules"] = tuple(sys.modules)
    ctx["zygote_opts"] = {}
    devnull = os.open(os.devnull, os.O_RDWR)
    sys.stdout = sys.stderr = sys.__stdout__ = sys.__stderr__ = _NULL  # where a job's print() goes
    sys.stdin = None
    gc.collect()
    gc.freeze()
    if lib is not None:
        try:
            lib.malloc_trim(0)  # hand freed heap back, so there are fewer pages for every fork to map
        except AttributeError:
            pass
    manager_pid = os.getpid()
    # The zygote becomes process 1 of a PID namespace of its own: when it dies (it dies with the manager), the
    # kernel kills every job process in the namespace, so a job needs no parent-death set-up of its own.
    ctx["pid_namespace"] = lib is not None and lib.unshare(jail.CLONE_NEWPID) == 0
    prot["pid_namespace"] = ctx["pid_namespace"]
    if not ctx["pid_namespace"] and last_pid_fd is not None:
        os.close(last_pid_fd)
        ctx["last_pid_fd"] = None
    status_r, status_w = os.pipe()  # the zygote reports what its own lock-down gave
    zpid = os.fork()
    if zpid == 0:
        try:
            if lib is not None:
                lib.prctl(jail.PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            if not ctx["pid_namespace"] and os.getppid() != manager_pid:
                os._exit(0)  # (in a new PID namespace the parent shows as 0; the ctl pipe's EOF covers it)
            for fd in (ctl_w, back_r, res_r, status_r):
                os.close(fd)
            os.dup2(devnull, 0)  # the pool's pipes belong to the manager alone; fd 2 is /dev/null already
            os.dup2(devnull, 1)
            os.close(devnull)
            ctx["zygote_pid"] = os.getpid()
            zprot: dict = {"clock_shift": "clock_shift" not in plan["disable"]}
            if zprot["clock_shift"]:
                ctx["clock_shift"] = runner.install_clock_shift()
            _zygote_start(ctx, zprot)
            os.write(status_w, marshal.dumps(zprot))
            os.close(status_w)
            _zygote(ctl_r, back_w, res_w, ctx)
        finally:
            os._exit(0)
    for fd in (ctl_r, back_w, res_w, status_w):
        os.close(fd)
    if ctx["last_pid_fd"] is not None:
        os.close(ctx["last_pid_fd"])
    os.close(devnull)
    got = b""
    while True:
        chunk = os.read(status_r, 4096)
        if not chunk:
            break
        got += chunk
    os.close(status_r)
    prot.update(marshal.loads(got) if got else {"landlock_abi": "", "seccomp": False, "fixed_job_pid": False, "clock_shift": False})
    ctx["manager"] = _Manager(ctl_w, back_r, res_r, zpid)
    protocol.send(("hello", os.getpid(), env["base"], dict(prot, zygote=True), zpid))
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
            except OSError as exc:  # the zygote's pipes broke: nothing more can run here
                protocol.send((run_id, [("crashed", f"sandbox worker error: {exc}")]))
                protocol.send((-1, "the zygote is gone"))
                break
            except RuntimeError as exc:
                if str(exc).startswith("the zygote"):  # the zygote is gone: nothing more can run here
                    protocol.send((run_id, [("crashed", f"sandbox worker error: {exc}")]))
                    protocol.send((-1, str(exc)))
                    break
                out = [("crashed", f"sandbox worker error: {type(exc).__name__}: {exc}"[:300])]
            except Exception as exc:  # a bug here must not take the worker down with the whole batch
                out = [("crashed", f"sandbox worker error: {type(exc).__name__}: {exc}"[:300])]
            protocol.send((run_id, out))
            if ctx.get("broken"):
                protocol.send((-1, ctx["broken"]))  # retire: the pool replaces this worker, blaming no job
                break
    finally:
        try:
            os.kill(zpid, signal.SIGKILL)
            os.waitpid(zpid, 0)
        except OSError:
            pass


if __name__ == "__main__":
    try:
        main()
    except (BrokenPipeError, KeyboardInterrupt):
        pass
