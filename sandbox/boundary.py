"""What the pool hands every worker for its kernel boundary: the seccomp programs and the filesystem view.

Both are computed here, in the trusted caller, once per process:
- `seccomp_programs`: two BPF programs compiled by libseccomp (through pyseccomp). The zygote's is an allow-list
  (everything else fails with EPERM; a foreign syscall ABI, such as 32-bit calls on x86_64, kills the process):
  the system calls CPython needs to run pure Python, plus forking, reaping and a job's own set-up. The job's is
  stacked on it in every job process and takes those extras away again, so a job's effective filter is
  `JOB_SYSCALLS` (some with argument checks) and nothing more. Left out on purpose: every way to create a device
  file, link, mount, namespace or process; to change credentials, personality or limits; to send signals, trace,
  or read another process's memory; sockets, System V IPC, BPF, io_uring, keyrings, kernel modules, handles.
- `view_plan`: the files the jobs' filesystem view holds: the standard library, the shared libraries its
  extension modules load (found by importing them in a throwaway interpreter and reading its memory map), the
  data files pure stdlib modules read (MIME tables, the time-zone database) and /dev/null. Everything else of the
  host is absent from the view.
"""

from __future__ import annotations

import errno
import functools
import json
import os
import subprocess
import sys
import tempfile

# System calls a job process may make. Reads and writes of files are fine here because the filesystem view and
# Landlock decide which files exist and which may be written; processes, signals and the rest are refused here.
JOB_SYSCALLS = (
    # memory
    "brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "msync", "mincore",
    # files (the view and Landlock bound what they reach)
    "read", "write", "readv", "writev", "pread64", "pwrite64", "lseek", "close", "open", "openat", "creat",
    "fstat", "stat", "lstat", "newfstatat", "statx", "statfs", "fstatfs", "access", "faccessat", "faccessat2",
    "getdents", "getdents64", "readlink", "readlinkat", "getcwd", "chdir", "fchdir", "mkdir", "mkdirat", "rmdir",
    "unlink", "unlinkat", "rename", "renameat", "renameat2", "truncate", "ftruncate", "fallocate", "fsync",
    "fdatasync", "chmod", "fchmod", "fchmodat", "utimensat", "utime", "utimes", "flock", "umask", "dup", "dup2",
    "dup3", "pipe", "pipe2", "sendfile", "copy_file_range", "getxattr", "lgetxattr", "fgetxattr", "listxattr",
    "llistxattr", "flistxattr", "fadvise64",
    # waiting and time (time.sleep, select on the job's own pipes)
    "poll", "ppoll", "select", "pselect6", "nanosleep", "clock_nanosleep", "clock_gettime", "clock_getres",
    "gettimeofday", "time", "sched_yield", "futex", "setitimer", "getitimer", "alarm",
    # identity and accounting (read-only)
    "getpid", "getppid", "gettid", "getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid",
    "getgroups", "getpgrp", "getpgid", "getsid", "getrusage", "times", "sysinfo", "uname", "getcpu",
    "sched_getaffinity", "getpriority", "capget", "getrlimit", "getrandom",
    # leaving
    "exit", "exit_group", "rt_sigreturn", "restart_syscall",
)
# Only these requests (isatty() and friends on the job's own descriptors; TIOCSTI and the rest are refused).
IOCTL_REQUESTS = (0x5401, 0x5413, 0x541B, 0x5421, 0x5450, 0x5451)  # TCGETS TIOCGWINSZ FIONREAD FIONBIO FIONCLEX FIOCLEX
# fcntl: descriptor flags, status flags, duplication and record locks (F_SETOWN/F_SETSIG would aim signals).
FCNTL_COMMANDS = (0, 1, 2, 3, 4, 5, 6, 7, 1030, 36, 37, 38)
# The zygote's extras, taken away again from every job process by the job filter.
ZYGOTE_SYSCALLS = (
    "clone", "wait4", "waitid", "kill", "pidfd_open", "setgroups", "setresgid", "setresuid", "setrlimit",
    "prlimit64", "prctl", "close_range", "set_robust_list", "rseq", "rt_sigaction", "rt_sigprocmask",
)
_NATIVE_ONLY = ("open", "stat", "lstat", "access", "getdents", "readlink", "mkdir", "rmdir", "unlink", "rename",
                "creat", "chmod", "utime", "utimes", "poll", "select", "pipe", "dup2", "time", "alarm", "getrlimit",
                "fadvise64", "sendfile")


@functools.lru_cache(maxsize=1)
def seccomp_programs() -> tuple[bytes, bytes] | None:
    """(zygote program, job program) as raw BPF, or None where libseccomp is missing (reported, not faked)."""
    try:
        import pyseccomp as sc
    except Exception:  # ImportError, or OSError from a missing libseccomp.so.2
        return None

    def export(f) -> bytes:
        with tempfile.TemporaryFile() as fh:
            f.export_bpf(fh)
            fh.seek(0)
            return fh.read()

    def add(f, action, name, *args) -> None:
        try:
            f.add_rule(action, name, *args)
        except (RuntimeError, ValueError, OSError) as exc:  # a syscall this architecture does not have
            if name not in _NATIVE_ONLY:
                raise RuntimeError(f"seccomp rule for {name}: {exc}") from exc

    try:
        zygote = sc.SyscallFilter(defaction=sc.ERRNO(errno.EPERM))
        zygote.set_attr(sc.Attr.CTL_OPTIMIZE, 2)  # a binary tree: every system call pays O(log n), not O(n)
        for name in JOB_SYSCALLS + ZYGOTE_SYSCALLS:
            add(zygote, sc.ALLOW, name)
        for req in IOCTL_REQUESTS:
            add(zygote, sc.ALLOW, "ioctl", sc.Arg(1, sc.EQ, req))
        for cmd in FCNTL_COMMANDS:
            add(zygote, sc.ALLOW, "fcntl", sc.Arg(1, sc.EQ, cmd))
        job = sc.SyscallFilter(defaction=sc.ALLOW)
        for name in ZYGOTE_SYSCALLS:
            if name != "prlimit64":
                add(job, sc.ERRNO(errno.EPERM), name)
        # getrlimit through prlimit64(0, resource, NULL, old) stays; setting any limit does not.
        add(job, sc.ERRNO(errno.EPERM), "prlimit64", sc.Arg(0, sc.NE, 0))
        add(job, sc.ERRNO(errno.EPERM), "prlimit64", sc.Arg(2, sc.NE, 0))
        return export(zygote), export(job)
    except Exception:
        return None


_PROBE = r"""
import json, os, sys
skip = set(sys.argv[1].split(","))
dynload = [p for p in sys.path if p.endswith("lib-dynload")]
before = set()
def mapped():
    out = set()
    with open("/proc/self/maps") as fh:
        for line in fh:
            parts = line.split(None, 5)
            if len(parts) == 6 and parts[5].startswith("/"):
                out.add(parts[5].strip())
    return out
before = mapped()
for d in dynload:
    for name in sorted(os.listdir(d)):
        mod = name.split(".", 1)[0]
        if name.endswith(".so") and mod not in skip and not mod.startswith(("_test", "xx", "_xx", "_ctypes_test")):
            try:
                __import__(mod)
            except Exception:
                pass
print(json.dumps(sorted(mapped() - before)))
"""
# Extension modules that are never importable by jobs (so their libraries stay out of the view), or that touch a
# terminal or a display when imported.
_PROBE_SKIP = ("readline", "_tkinter", "_curses", "_curses_panel", "ossaudiodev", "nis", "spwd", "_crypt",
               "_ssl", "_ctypes", "_sqlite3", "_socket", "_posixsubprocess", "_multiprocessing", "_posixshmem",
               "mmap", "fcntl", "termios", "resource", "syslog", "grp", "select", "_lsprof")


def _libraries() -> list[str]:
    """Shared libraries (outside the stdlib) that the importable extension modules load, as resolved paths."""
    try:
        out = subprocess.run([sys.executable, "-S", "-s", "-c", _PROBE, ",".join(_PROBE_SKIP)], env={},
                             capture_output=True, text=True, timeout=60, check=True).stdout
        paths = json.loads(out)
    except (OSError, subprocess.SubprocessError, ValueError):
        return []
    stdlib = os.path.realpath(os.path.dirname(os.__file__))
    return [p for p in paths if os.path.isfile(p) and not p.startswith(stdlib + "/")]


def _aliases(path: str) -> list[tuple[str, str]]:
    """Symlinks in path's folder that resolve to it (libz.so.1 -> libz.so.1.2.13): the names the dynamic loader
    asks for. Recreated in the view as (link, target) pairs."""
    folder = os.path.dirname(path)
    out = []
    try:
        names = os.listdir(folder)
    except OSError:
        return out
    for name in names:
        full = os.path.join(folder, name)
        if full != path and os.path.islink(full) and os.path.realpath(full) == path:
            out.append((full, os.readlink(full)))
    return out


def _stdlib_data() -> list[str]:
    """Host data files that pure standard-library modules read, so that they answer in a job as in plain Python:
    the MIME tables `mimetypes` loads (without them, guess_type('a.mkv') is None instead of 'video/x-matroska')
    and the time-zone database `zoneinfo` reads."""
    import mimetypes

    paths = list(dict.fromkeys(mimetypes.knownfiles)) + ["/usr/share/zoneinfo"]
    return [p for p in paths if os.path.exists(p)]


@functools.lru_cache(maxsize=1)
def view_plan() -> dict:
    """{"binds": paths bound read-only at their own place, "links": (link, target) symlinks, "data": the data
    files among them, which the audit hook lets jobs read too}."""
    stdlib = os.path.dirname(os.__file__)
    binds: list[str] = []
    links: list[tuple[str, str]] = []
    for written in [stdlib, os.path.join(stdlib, "lib-dynload")]:
        real = os.path.realpath(written)
        if not os.path.isdir(real):
            continue
        if not any(real == b or real.startswith(b + "/") for b in binds):
            binds.append(real)
        if written != real:
            links.append((written, real))
    for p in sys.path:
        if p.endswith(".zip") and os.path.isfile(p):
            binds.append(os.path.realpath(p))
    data_roots: list[str] = []
    for data in _stdlib_data():
        real = os.path.realpath(data)
        binds.append(real)
        data_roots += [data, real]
        if real != data:
            links.append((data, real))
    for lib in _libraries():
        binds.append(lib)
        links.extend(_aliases(lib))
    binds.append("/dev/null")
    return {"binds": binds, "links": links, "data": sorted(set(data_roots))}
