"""The job process's lock-down: what a freshly forked child does to itself before the first line of job code.

The zygote (see main.py) already lives in the worker's jail and runs under a seccomp filter of its own, a wide
allow-list of what it and this lock-down need. A child then:
1. closes every inherited descriptor but its result pipe (fds 0-2 are /dev/null already);
2. sets its address-space and CPU limits;
3. switches to the jobs' unprivileged uid (root), or caps its processes at one (a normal user);
4. installs the job filter: a short seccomp program stacked on the zygote's, which takes away what only the zygote
   needs (fork, clone, wait, kill, setuid and friends, setrlimit, prctl, seccomp, signal handlers). The two
   together are the jobs' allow-list; one short filter per child costs about 0.05 ms, a full allow-list per
   child about 0.35 ms (measured; see README "### Speed").
A seccomp filter cannot be removed, and what it refuses fails with EPERM whatever the job does in Python.
"""

from __future__ import annotations

import math
import os
import resource
import signal

PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
PR_SET_PDEATHSIG, PR_SET_DUMPABLE = 1, 4


class SeccompLoader:
    """A BPF program prepared in the zygote, so a child installs it with one prctl call and no allocation."""

    def __init__(self, lib, bpf: bytes) -> None:
        import ctypes

        class SockFprog(ctypes.Structure):
            _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

        self._buf = ctypes.create_string_buffer(bpf, len(bpf))
        self._prog = SockFprog(len(bpf) // 8, ctypes.cast(self._buf, ctypes.c_void_p))
        self._ref = ctypes.byref(self._prog)
        self._prctl = lib.prctl

    def install(self) -> bool:
        return self._prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, self._ref, 0, 0) == 0


def cpu_limit(opts: dict, n_items: int) -> int:
    return int(math.ceil(opts["timeout"] * max(1, n_items) * (2 if opts["repeat"] else 1))) + 1


def lock_down(wfd: int, n_items: int, opts: dict, ctx: dict) -> None:
    """Raises on any failure; the caller reports it and exits before job code runs."""
    low = 3
    for fd in sorted(ctx["keep_fds"] + (wfd,)):  # the result pipe and, without a view, the stdlib folders
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 1 << 16)
    cpu = cpu_limit(opts, n_items)
    resource.setrlimit(resource.RLIMIT_AS, (opts["memory_mb"] << 20,) * 2)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))  # SIGXCPU first, SIGKILL a second later
    uid, lib = ctx["job_uid"], ctx["libc"]
    if uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)  # also makes the process non-dumpable
    elif os.geteuid() != 0:
        resource.setrlimit(resource.RLIMIT_NPROC, (1, 1))
        if lib is not None:
            lib.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    if not ctx["pid_namespace"]:
        # Without a PID namespace of its own, the child must die with the zygote by itself (after the uid
        # change, which clears the setting). In one, the kernel kills every job when the zygote dies.
        if lib is not None:
            lib.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != ctx["zygote_pid"]:
            os._exit(3)
    job_filter = ctx["job_filter"]
    if job_filter is not None and not job_filter.install():
        raise OSError("the job's seccomp filter could not be installed")
