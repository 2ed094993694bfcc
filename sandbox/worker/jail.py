"""The worker's jail: kernel boundaries set up once per worker and inherited by every job process it forks.

Whatever a job does in Python (it may reach `os` and `posix` through the object graph and switch every
Python-level check off), these hold, because the kernel enforces them:
- namespaces of the worker's own: network (no interface but a down loopback), UTS (hostname "sandbox"), IPC (no
  System V objects shared with anything), mount, and a user namespace when not root; the PID namespace is made in
  main.py, with the zygote as its process 1;
- a minimal filesystem view (`build_view`): a new root, after pivot_root, that holds only read-only bind mounts of
  the standard library, the shared libraries its extension modules load, /dev/null, and the job's private tmpfs
  at the fixed path /tmp. Nothing else of the host exists there: not its files, not their metadata;
- Landlock (`restrict_landlock`, where the kernel has it) on the zygote and so on every job: reads only beneath
  the paths of the view, writes only in the private folder, no TCP, no signals or abstract sockets leaving the
  domain. It is the file boundary where no mount namespace can be made (a normal user without user namespaces);
- one unprivileged uid for all jobs (root only), no-new-privs, not dumpable, rlimits, an empty environment.

Each step reports whether it took: `Sandbox.protections` shows what this kernel gives.
"""

from __future__ import annotations

import os
import resource
import stat

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 1 << 14, 1 << 18
MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 1024, 2048, 1 << 21
MNT_DETACH = 2
ST_NOEXEC, ST_NODEV, ST_NOATIME, ST_NODIRATIME, ST_RELATIME = 8, 4, 1024, 2048, 4096
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS = 1, 4, 38
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}
JOB_TMP = "/tmp"  # the private folder's path inside the view: the same in every worker and every run
TMPFS_MB = 64  # what a job may write in total into its private folder (each file at most 1 MiB)
FIXED_UID = 1_000_000_000  # the jobs' uid when the worker is root and every job is walled off by the kernel
HOSTNAME = b"sandbox"


def libc():
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


def _job_uid(index: int, parent_pid: int, fixed: bool):
    """An unprivileged uid for the jobs (root only): kernel-enforced file permissions, RLIMIT_NPROC (not enforced
    for root) and signal checks. One fixed uid when seccomp walls every job off (so getuid() is the same in every
    worker); otherwise a uid per worker, so jobs of different workers cannot signal each other."""
    cands = [FIXED_UID] if fixed else []
    cands += [1_000_000_000 + 64 + (parent_pid % 1_000_000) * 64 + index % 64, 65534 - index % 64]
    for cand in cands:
        def _try(c=cand):
            os.setgroups([])
            os.setresgid(c, c, c)
            os.setresuid(c, c, c)
        if _probe(_try):
            return cand
    return None


def setup_worker(index: int, parent_pid: int, plan: dict) -> dict:
    """Namespaces, job uid, the private folder (inside the filesystem view where the kernel allows); returns what
    is active. Runs before any job code exists in this process."""
    lib = libc()
    off = plan["disable"]
    prot: dict = {"kernel": os.uname().release, "fork_per_job": True, "empty_environment": True,
                  "network_namespace": False, "user_namespace": False, "uts_namespace": False,
                  "ipc_namespace": False, "separate_uid": False, "no_new_privs": False,
                  "parent_death_signal": False}
    root = os.geteuid() == 0
    extra = CLONE_NEWUTS | CLONE_NEWIPC
    if lib is not None:
        if root:
            if lib.unshare(CLONE_NEWNET | extra) == 0:
                prot["network_namespace"] = prot["uts_namespace"] = prot["ipc_namespace"] = True
            else:
                prot["network_namespace"] = lib.unshare(CLONE_NEWNET) == 0
        else:
            uid, gid = os.geteuid(), os.getegid()
            if lib.unshare(CLONE_NEWUSER | CLONE_NEWNET | extra) == 0:
                try:
                    _write_file("/proc/self/setgroups", "deny")
                    _write_file("/proc/self/uid_map", f"{uid} {uid} 1")
                    _write_file("/proc/self/gid_map", f"{gid} {gid} 1")
                    prot["user_namespace"] = prot["network_namespace"] = True
                    prot["uts_namespace"] = prot["ipc_namespace"] = True
                except OSError:
                    pass
            elif lib.unshare(CLONE_NEWNET) == 0:
                prot["network_namespace"] = True
        if prot["uts_namespace"]:
            lib.sethostname(HOSTNAME, len(HOSTNAME))
        prot["parent_death_signal"] = True
        prot["no_new_privs"] = True
    walled = plan.get("seccomp") is not None and "seccomp" not in off
    job_uid = _job_uid(index, parent_pid, fixed=walled) if root else None
    prot["separate_uid"] = job_uid is not None
    prot["process_limit"] = job_uid is not None or not root
    base = mkdtemp()
    os.chmod(base, 0o700)
    tmp, view, tmpfs = base, False, False
    if lib is not None and _private_mounts(lib):
        if "filesystem_view" not in off:
            view = build_view(lib, base, plan["binds"], plan["links"], job_uid)
        if view:
            tmp, tmpfs = JOB_TMP, True
        else:
            tmpfs = _mount_tmpfs(lib, base, job_uid)
    if job_uid is not None and not view:
        os.chown(base, job_uid, job_uid)
    prot["filesystem_view"] = view
    prot["private_tmpfs"] = tmpfs
    prot["fixed_private_path"] = view
    if lib is not None:
        lib.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
        lib.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)  # inherited by every child; seccomp and Landlock need it
    # Limits that are the same for every job are set once here and inherited through fork.
    for lim, val in ((resource.RLIMIT_CORE, 0), (resource.RLIMIT_FSIZE, 1 << 20), (resource.RLIMIT_NOFILE, 64)):
        resource.setrlimit(lim, (val, val))
    if job_uid is not None:
        # Root is exempt from RLIMIT_NPROC, so this does not stop the worker forking; the child inherits it and
        # it binds as soon as the child switches to the job uid: the job can neither fork nor start threads.
        resource.setrlimit(resource.RLIMIT_NPROC, (1, 1))
    os.environ.clear()
    return {"prot": prot, "base": base, "tmp": tmp, "job_uid": job_uid, "libc": lib}


# --------------------------------------------------------------------------- mounts

def _private_mounts(lib) -> bool:
    """A mount namespace of the worker's own, with no propagation back to the host. Needs root or a user ns."""
    try:
        return lib.unshare(CLONE_NEWNS) == 0 and lib.mount(None, b"/", None, MS_REC | MS_PRIVATE, None) == 0
    except Exception:
        return False


def _tmpfs_opts(size_mb: int, uid, mode: str = "0700") -> bytes:
    owner = f",uid={uid},gid={uid}" if uid is not None else ""
    return f"size={size_mb}m,nr_inodes=4096,mode={mode}{owner}".encode()


def _mount_tmpfs(lib, path: str, uid) -> bool:
    """A size-capped tmpfs over the private folder: a job can fill at most TMPFS_MB of memory, never the disk."""
    return lib.mount(b"tmpfs", path.encode(), b"tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                     _tmpfs_opts(TMPFS_MB, uid)) == 0


def _remount_ro(lib, path: str, device: bool = False) -> bool:
    """Make a bind mount read-only, nosuid (and nodev, but for a device node). In a user namespace the kernel
    refuses a remount that clears a flag the mount inherited locked, so those are kept."""
    flags = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | (0 if device else MS_NODEV)
    f = os.statvfs(path).f_flag
    for st_flag, ms_flag in ((ST_NOEXEC, MS_NOEXEC), (ST_NODEV, MS_NODEV), (ST_NOATIME, MS_NOATIME),
                             (ST_NODIRATIME, MS_NODIRATIME), (ST_RELATIME, MS_RELATIME)):
        if f & st_flag:
            flags |= ms_flag
    return lib.mount(None, path.encode(), None, flags, None) == 0


def build_view(lib, base: str, binds: list, links: list, job_uid) -> bool:
    """Replace this process's root with a minimal one (the pattern of bubblewrap and nsjail): a small tmpfs on
    base holding read-only bind mounts of `binds` at their own paths, the symlinks in `links` (library names the
    dynamic loader looks up), and the job's private tmpfs at /tmp; then pivot_root into it and drop the old root.
    On any failure before the pivot, everything mounted here is undone and False is returned."""
    nr = SYS_PIVOT_ROOT.get(os.uname().machine)
    if nr is None:
        return False
    bbase = base.encode()
    if lib.mount(b"tmpfs", bbase, b"tmpfs", MS_NOSUID | MS_NODEV, _tmpfs_opts(8, None, "0755")) != 0:
        return False
    try:
        job = base + JOB_TMP
        os.mkdir(job, 0o700)
        if lib.mount(b"tmpfs", job.encode(), b"tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                     _tmpfs_opts(TMPFS_MB, job_uid)) != 0:
            raise OSError("tmpfs for the private folder")
        for src in binds:
            st = os.stat(src)
            dst = base + src
            os.makedirs(os.path.dirname(dst), 0o755, exist_ok=True)
            if stat.S_ISDIR(st.st_mode):
                os.makedirs(dst, 0o755, exist_ok=True)
            elif not os.path.exists(dst):
                os.close(os.open(dst, os.O_WRONLY | os.O_CREAT, 0o644))
            if lib.mount(src.encode(), dst.encode(), None, MS_BIND, None) != 0:
                raise OSError(f"bind {src}")
            if not _remount_ro(lib, dst, device=stat.S_ISCHR(st.st_mode)):
                raise OSError(f"read-only {src}")
        for link, target in links:
            dst = base + link
            os.makedirs(os.path.dirname(dst), 0o755, exist_ok=True)
            if not os.path.lexists(dst):
                os.symlink(target, dst)
        os.chdir(base)
        if lib.syscall(nr, b".", b".") != 0:
            raise OSError("pivot_root")
    except Exception:
        os.chdir("/")
        lib.umount2(bbase, MNT_DETACH)
        return False
    # The old root now sits on top of the new one: detach it, and nothing of the host is reachable.
    ok = lib.umount2(b".", MNT_DETACH) == 0
    os.chdir("/")
    ok = ok and lib.mount(None, b"/", None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, None) == 0
    if not ok:
        raise SystemExit("sandbox: pivot_root succeeded but the old root could not be dropped")
    return True


# --------------------------------------------------------------------------- Landlock

LANDLOCK_FS = {  # access right -> first ABI that has it
    "execute": (1 << 0, 1), "write_file": (1 << 1, 1), "read_file": (1 << 2, 1), "read_dir": (1 << 3, 1),
    "remove_dir": (1 << 4, 1), "remove_file": (1 << 5, 1), "make_char": (1 << 6, 1), "make_dir": (1 << 7, 1),
    "make_reg": (1 << 8, 1), "make_sock": (1 << 9, 1), "make_fifo": (1 << 10, 1), "make_block": (1 << 11, 1),
    "make_sym": (1 << 12, 1), "refer": (1 << 13, 2), "truncate": (1 << 14, 3), "ioctl_dev": (1 << 15, 5),
}
_FILE_RIGHTS = ("execute", "write_file", "read_file", "truncate", "ioctl_dev")
_READ = ("read_file", "read_dir")
_WRITE = ("read_file", "read_dir", "write_file", "remove_dir", "remove_file", "make_dir", "make_reg", "truncate")
SYS_LANDLOCK = (444, 445, 446)  # create_ruleset, add_rule, restrict_self: the same number on every arch


def landlock_abi(lib) -> int:
    try:
        abi = lib.syscall(SYS_LANDLOCK[0], None, 0, 1)  # LANDLOCK_CREATE_RULESET_VERSION
    except Exception:
        return 0
    return abi if abi > 0 else 0


def restrict_landlock(lib, reads: list, writes: list) -> int:
    """Restrict this process and its future children: read-only beneath `reads`, read-write beneath `writes`,
    nothing else; no TCP bind/connect (ABI 4), no signals or abstract sockets out of the domain (ABI 6). Returns
    the ABI version in force, or 0 when the kernel has no Landlock (nothing changed then)."""
    import ctypes

    abi = landlock_abi(lib)
    if abi <= 0:
        return 0

    def rights(names, abi=abi) -> int:
        return sum(LANDLOCK_FS[n][0] for n in names if LANDLOCK_FS[n][1] <= abi)

    handled = rights(LANDLOCK_FS)
    attr = (ctypes.c_uint64 * 3)(handled, 3 if abi >= 4 else 0, 3 if abi >= 6 else 0)
    size = 8 if abi < 4 else (16 if abi < 6 else 24)
    ruleset = lib.syscall(SYS_LANDLOCK[0], ctypes.byref(attr), size, 0)
    if ruleset < 0:
        return 0

    class PathBeneath(ctypes.Structure):
        _pack_ = 1
        _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]

    try:
        for paths, names in ((reads, _READ), (writes, _WRITE)):
            for path in paths:
                try:
                    fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
                except OSError:
                    continue
                try:
                    is_dir = stat.S_ISDIR(os.fstat(fd).st_mode)
                    allowed = rights(names if is_dir else [n for n in names if n in _FILE_RIGHTS])
                    rule = PathBeneath(allowed, fd)
                    if lib.syscall(SYS_LANDLOCK[1], ruleset, 1, ctypes.byref(rule), 0) != 0:
                        return 0
                finally:
                    os.close(fd)
        if lib.syscall(SYS_LANDLOCK[2], ruleset, 0) != 0:
            return 0
    finally:
        os.close(ruleset)
    return abi


# --------------------------------------------------------------------------- the private folder

def mkdtemp() -> str:
    base = "/tmp" if os.path.isdir("/tmp") else "/var/tmp"
    while True:
        path = f"{base}/azr-sandbox-{os.getpid()}-{os.urandom(6).hex()}"
        try:
            os.mkdir(path, 0o700)
            return path
        except FileExistsError:
            continue


def empty(path: str) -> bool:
    """Remove everything inside path (not path itself, a mount point), without recursion, without following
    symlinks and holding at most two descriptors: a job may leave a tree thousands of folders deep (deeper than
    the worker's descriptor limit), or folders it made unreadable (the worker is root, or owns the user namespace,
    so their modes do not stop it). Bounded work: the tmpfs holds at most a few thousand inodes, so a tree that
    is still not gone after many steps is given up on. Returns whether path is empty now."""
    try:
        cur = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return False
    names_up: list = []  # the folder names from path down to cur
    steps = 0
    try:
        while steps < 200_000:
            steps += 1
            try:
                entries = os.listdir(cur)
            except OSError:
                entries = []
            sub = None
            for name in entries:
                steps += 1
                try:
                    os.unlink(name, dir_fd=cur)
                    continue
                except IsADirectoryError:
                    pass
                except OSError:
                    continue
                try:
                    os.chmod(name, 0o700, dir_fd=cur)
                except OSError:
                    pass
                try:
                    sub = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=cur)
                except OSError:
                    continue
                names_up.append(name)
                break
            if sub is not None:
                os.close(cur)
                cur = sub
                continue
            if not names_up:
                return not entries or not os.listdir(cur)
            parent = os.open("..", os.O_RDONLY | os.O_DIRECTORY, dir_fd=cur)
            os.close(cur)
            cur = parent
            try:
                os.rmdir(names_up.pop(), dir_fd=cur)
            except OSError:
                pass
        return False
    except OSError:
        return False
    finally:
        try:
            os.close(cur)
        except OSError:
            pass


def clean(tmp: str) -> bool:
    """Empty the private folder between jobs (one listdir when nothing was written, the common case)."""
    try:
        if not os.listdir(tmp):
            return True
    except OSError:
        return False
    return empty(tmp)


# --------------------------------------------------------------------------- without a view: reach the stdlib

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


def reachable_stdlib(sys_path: list) -> tuple:
    """Without a filesystem view, jobs run as an unprivileged uid in the host's tree; when the standard library
    lies under a folder that uid cannot enter (pyenv under /root, mode 0700, say), only preloaded modules would
    import. Open each such sys.path folder here and put /proc/self/fd/N before it: a process may follow its own
    descriptors, so jobs import from the folder without any right on the folders above it. Returns the fds."""
    fds = []
    for p in list(sys_path):
        if not p or not os.path.isdir(p) or _others_can_enter(p):
            continue
        fd = os.open(p, os.O_RDONLY | os.O_DIRECTORY)
        high = _dup_at_least(fd, 40 + len(fds))
        os.close(fd)
        fds.append(high)
        sys_path.insert(sys_path.index(p), f"/proc/self/fd/{high}")
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


# --------------------------------------------------------------------------- address layout

ADDR_NO_RANDOMIZE = 0x0040000


def fixed_layout(argv: list, executable: str) -> bool:
    """Re-exec this worker once without address-space randomisation, so values derived from the addresses of
    built-in objects (hash(None), id(int), the order of a set holding None) are the same in every worker and
    every run: a gold output must not depend on which worker computed it. Returns whether the layout is fixed;
    False where the kernel or a seccomp profile refuses, and the worker then goes on with a randomised layout."""
    lib = libc()
    if lib is None:
        return False
    try:
        current = lib.personality(0xFFFFFFFF)
        if current < 0:
            return False
        if current & ADDR_NO_RANDOMIZE:
            return True
        if lib.personality(current | ADDR_NO_RANDOMIZE) < 0:
            return False
    except Exception:
        return False
    try:
        os.execv(executable, argv)  # same arguments, environment and pipes; never returns
    except OSError:
        return False
