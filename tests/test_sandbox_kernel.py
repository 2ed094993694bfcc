"""The kernel boundary holds on its own: every attack here runs twice, once with the Python-level checks on (the
job reaches `os` through the object graph with names built at run time, as a hostile program would) and once with
them switched off entirely (`python_checks=False`: no static check, no import guard, no audit hook; the job
imports `os` and `ctypes` directly). What stops it must be the kernel: the filesystem view, Landlock, seccomp,
namespaces, uid and rlimits. Each test also checks the host afterwards."""

from __future__ import annotations

import os
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from azr.config import SandboxConfig
from sandbox import Job, Result, Sandbox

ROOT = Path(__file__).resolve().parent.parent
# `os` through the object graph, with every escape-hatch name built at run time (the static check sees none).
GRAPH_OS = ("_n = lambda *p: ''.join(p)\n"
            "os = [c for c in getattr(object, _n('__subcl', 'asses__'))() if c.__name__ == '_wrap_close'][0]\n"
            "os = getattr(os.__init__, _n('__glo', 'bals__'))\n"
            "class _Mod:\n    pass\n_m = _Mod()\n_m.__dict__.update(os)\nos = _m\n")
PLAIN_OS = "import os\n"


@pytest.fixture(scope="module", params=["checks_on", "checks_off"])
def box(request):
    checks = request.param == "checks_on"
    with Sandbox(SandboxConfig(workers=2, timeout_s=3.0, memory_mb=256), python_checks=checks) as s:
        s.prelude = GRAPH_OS if checks else PLAIN_OS
        yield s


def attack(sb: Sandbox, body: str) -> Result:
    program = sb.prelude + "def attack():\n" + textwrap.indent(textwrap.dedent(body), "    ") + "\n"
    return sb.run([Job(id="a", kind="codegen", program=program, tests="def check(c):\n    c()\n",
                       entry_point="attack")])[0]


def failed(r: Result) -> bool:
    return not r.ok and r.error in ("runtime_error", "banned_import")


def test_the_kernel_boundary_is_active(box):
    prot = box.protections
    if os.geteuid() != 0 and not prot["user_namespace"]:
        pytest.skip("no root and no user namespaces: no mount namespace for a filesystem view")
    assert prot["filesystem_view"] and prot["seccomp"] and prot["pid_namespace"], prot
    assert prot["audit_hook"] is (box.prelude == GRAPH_OS)


def test_host_files_cannot_be_read_or_even_seen(box):
    for path in ("/etc/passwd", "/etc/shadow", "/proc/self/environ", "/proc/1/cmdline", str(ROOT / "pyproject.toml"),
                 str(ROOT / "sandbox" / "worker" / "main.py"), "/root/.bashrc", "/var/tmp", "/home"):
        for body in (f"open({path!r}, 'rb').read()", f"os.stat({path!r})", f"os.listdir({path!r})"):
            r = attack(box, body)
            assert failed(r), (body, r)
            if box.prelude == PLAIN_OS:  # the kernel's own answer: not there at all, or not readable
                assert "FileNotFoundError" in r.detail or "PermissionError" in r.detail or "NotADirectory" in \
                    r.detail, (body, r)


def test_host_files_cannot_be_created_changed_or_deleted(box):
    victim = ROOT / "sandbox" / "worker" / "main.py"
    before = victim.read_bytes()
    names = [f"/var/tmp/azr-escape-{uuid.uuid4().hex}", str(ROOT / f"azr-escape-{uuid.uuid4().hex}")]
    for target in names:
        for body in (f"open({target!r}, 'w').write('x')", f"os.mkdir({target!r})", f"os.mkfifo({target!r})",
                     f"os.mknod({target!r})", f"os.symlink('/etc/passwd', {target!r})"):
            r = attack(box, body)
            assert failed(r), (body, r)
    for body in (f"open({str(victim)!r}, 'a').write('# pwned')", f"os.unlink({str(victim)!r})",
                 f"os.rename({str(victim)!r}, '/tmp/x')", "open(os.__file__, 'a').write('# pwned')",
                 f"os.utime({str(victim)!r}, (0, 0))", f"os.chmod({str(victim)!r}, 0o777)"):
        r = attack(box, body)
        assert failed(r), (body, r)
    assert victim.read_bytes() == before and victim.stat().st_mtime > 0
    assert not any(Path(t).exists() for t in names)


def test_the_private_folder_is_the_only_writable_place_and_holds_no_devices_or_links(box):
    r = attack(box, "open('/tmp/a', 'w').write('x')\nos.rename('/tmp/a', '/tmp/b')\nos.mkdir('/tmp/d')\n"
                    "assert sorted(os.listdir('/tmp')) == ['b', 'd']\nos.unlink('/tmp/b')\nos.rmdir('/tmp/d')")
    assert r.ok, r.detail
    for body in ("os.mkfifo('/tmp/fifo')", "os.mknod('/tmp/node')", "os.symlink('/etc/passwd', '/tmp/l')",
                 "open('/tmp/f', 'w').close()\nos.link('/tmp/f', '/tmp/g')"):
        r = attack(box, body)
        assert failed(r), (body, r)
        assert "Operation not permitted" in r.detail or box.prelude == GRAPH_OS, (body, r)


def test_no_processes_threads_signals_or_credentials(box):
    for body in ("os.fork()", "os.execv('/bin/true', ['true'])", "os.posix_spawn('/bin/true', ['true'], {})",
                 "if os.system('true') != 0:\n    raise OSError('refused')", "os.kill(1, 9)", "os.kill(-1, 9)", "os.setuid(0)", "os.setgid(0)",
                 "os.chroot('/tmp')", "os.setpgid(0, 0)", "os.setsid()"):
        r = attack(box, body)
        assert failed(r), (body, r)
    r = attack(box, "import _thread\n_thread.start_new_thread(print, ())")
    assert failed(r), r


def test_signal_handlers_cannot_be_installed(box):
    # A handler's frame would lead back into the runner's locals; the kernel refuses the handler itself.
    r = attack(box, "import signal\nsignal.signal(signal.SIGALRM, lambda *a: None)")
    assert failed(r), r
    if box.prelude == PLAIN_OS:
        assert "Operation not permitted" in r.detail
        r = attack(box, "import signal\nsignal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])")
        assert failed(r) and "Operation not permitted" in r.detail, r


def test_no_network_even_with_raw_sockets(box):
    r = attack(box, "import _socket\n_socket.socket()")
    assert failed(r), r
    if box.prelude == PLAIN_OS:
        assert "Operation not permitted" in r.detail


def test_limits_cannot_be_raised(box):
    if box.prelude == GRAPH_OS:
        pytest.skip("resource is unreachable with the checks on")
    r = attack(box, "import resource\nresource.setrlimit(resource.RLIMIT_AS, (-1, -1))")
    assert failed(r), r
    r = attack(box, "import resource\nassert resource.getrlimit(resource.RLIMIT_NPROC)[0] <= 1")
    assert r.ok or os.geteuid() != 0, r


def test_ctypes_gives_nothing_the_kernel_does_not(box):
    if box.prelude == GRAPH_OS:
        pytest.skip("ctypes is unreachable with the checks on")
    body = """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
out = {}
for name, args in (('unshare', (0x00020000,)), ('mount', (b'none', b'/tmp', b'tmpfs', 0, None)),
                   ('personality', (0x0040000,)), ('ptrace', (16, 1, 0, 0)), ('setns', (3, 0)),
                   ('prctl', (22, 0, 0, 0, 0))):
    out[name] = getattr(libc, name)(*args)
assert all(v == -1 for v in out.values()), out
"""
    r = attack(box, body)
    assert r.ok, r.detail


def test_jobs_see_constant_process_identity(box):
    if not box.protections["fixed_job_pid"]:
        pytest.skip("no fixed job pid on this kernel")
    body = ("assert os.getpid() == 2, os.getpid()\nassert os.getppid() == 1\n"
            "assert os.uname().nodename == 'sandbox'\nassert os.getcwd() == '/tmp', os.getcwd()")
    results = box.run([Job(id=k, kind="codegen", program=box.prelude + "def attack():\n" +
                           textwrap.indent(body, "    "), tests="def check(c):\n    c()", entry_point="attack")
                       for k in range(6)])
    assert all(r.ok for r in results), results


def test_a_forged_report_from_inside_the_job_cannot_make_a_non_literal_gold():
    """With every Python check off, a validate job finds the runner's reporting function on its own stack, claims
    success with an output that is not a literal, and exits. The pool re-parses the output and refuses it."""
    program = """
import sys, os
def f(x):
    frame = sys._getframe()
    while frame is not None and 'report' not in frame.f_locals:
        frame = frame.f_back
    frame.f_locals['report'](0, 'ok', 'object()')
    os._exit(0)
"""
    with Sandbox(SandboxConfig(workers=1, timeout_s=3.0), python_checks=False) as sb:
        r = sb.run([Job(id=1, kind="validate", program=program, input="1")])[0]
    assert not r.ok and r.error == "output_not_literal", r


def test_rigged_eq_cannot_pass_codegen_tests():
    rigged = "class Yes:\n    def __eq__(self, other):\n        return True\n\ndef add(a, b):\n    return Yes()\n"
    tests = "def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(2, 2) == 4\n"
    honest = "def add(a, b):\n    return a + b\n"
    with Sandbox(SandboxConfig(workers=1, timeout_s=3.0)) as sb:
        bad, good = sb.run([Job(id=k, kind="codegen", program=p, tests=tests, entry_point="add")
                            for k, p in enumerate((rigged, honest))])
    assert not bad.ok and bad.error == "wrong" and "built-in" in bad.detail, bad
    assert good.ok, good
    caught = "def check(candidate):\n    try:\n        assert candidate(1, 2) == 3\n    except Exception:\n        pass\n"
    with Sandbox(SandboxConfig(workers=1, timeout_s=3.0)) as sb:
        r = sb.run([Job(id=1, kind="codegen", program=rigged, tests=caught, entry_point="add")])[0]
    assert not r.ok and r.error == "wrong", r
    with Sandbox(SandboxConfig(workers=1, timeout_s=3.0, codegen_literal_returns=False)) as sb:
        r = sb.run([Job(id=1, kind="codegen", program=rigged, tests=tests, entry_point="add")])[0]
    assert r.ok, r  # the setting off: HumanEval's own harness behaviour


REPRODUCIBLE = [
    # (program, input): values that used to differ between workers and runs; now the same everywhere.
    (GRAPH_OS + "def f(x):\n    return [os.getpid(), os.getppid(), x]", "1"),
    (GRAPH_OS + "def f(x):\n    return os.getcwd() + x", "'/'"),
    (GRAPH_OS + "def f(x):\n    return [os.uname().nodename, os.getuid(), os.getgid()]", "0"),
    (GRAPH_OS + "def f(x):\n    return sorted(os.listdir('.')) + [x]", "'z'"),
    ("_n = lambda *p: ''.join(p)\nsy = [c for c in getattr(object, _n('__subcl', 'asses__'))() "
     "if c.__name__ == 'SeccompLoader'][0]\nsy = getattr(sy.install, _n('__glo', 'bals__'))['os']\n"
     "def f(x):\n    return [x, sy.getpgrp(), sy.getsid(0)]", "0"),
    ("def f(x):\n    return hash(None) % 1000 + x", "3"),
    ("def f(x):\n    return sorted({'b', 'a', x})", "'c'"),
    ("def f(s):\n    return [hash(s) % 997, list({s, s + 'x', s * 2})]", "'ab'"),
]
CLOCKED = [
    ("import gzip\ndef f(x):\n    return [x, int(gzip.time.clock_gettime(0)) // 86400]", "0"),
    ("import gzip\ndef f(data):\n    return gzip.compress(data)[4:8]", "b'x'"),
    ("import io, zipfile\ndef f(x):\n    buf = io.BytesIO()\n    with zipfile.ZipFile(buf, 'w') as z:\n"
     "        z.writestr('a.txt', x)\n    return buf.getvalue()[10:14]", "'x'"),
    ("import uuid\ndef f(x):\n    return uuid.uuid1().time // 10**7 // 86400", "0"),
]


def test_gold_outputs_are_the_same_in_two_sandboxes_started_seconds_apart():
    jobs = [Job(id=k, kind="validate", program=p, input=i) for k, (p, i) in enumerate(REPRODUCIBLE + CLOCKED)]
    runs = []
    for n in range(2):
        if n:
            time.sleep(1.5)
        with Sandbox(SandboxConfig(workers=2, timeout_s=3.0)) as sb:
            if not sb.protections["fixed_job_pid"]:
                pytest.skip("no fixed job pid on this kernel")
            runs.append(sb.run(jobs + jobs[::-1]))  # each job on more than one worker
    first, second = runs
    for a, b in zip(first, second):
        assert (a.ok, a.output, a.error) == (b.ok, b.output, b.error), (a, b)
    n = len(jobs)
    for k in range(len(REPRODUCIBLE)):
        assert first[k].ok, first[k]
        assert first[k].output == first[2 * n - 1 - k].output  # the same on the other worker
    for k in range(len(REPRODUCIBLE), n):  # clock-derived: caught, never a gold output
        assert not first[k].ok and first[k].error in ("nondeterministic", "banned_import"), first[k]
    # gzip's time module reached as an attribute, and gzip's header time: the clock shift sees both
    assert first[len(REPRODUCIBLE)].error == first[len(REPRODUCIBLE) + 1].error == "nondeterministic"


def test_a_deep_tree_left_in_the_private_folder_costs_no_other_job_its_result():
    # Deep enough that a recursive clean-up would overflow the worker's stack; then a folder the job made
    # unreadable. Only the hostile job may fail; the jobs queued behind it on the same worker must not.
    deep = GRAPH_OS + ("def f(x):\n    p = 'd'\n    for _ in range(1500):\n        os.mkdir(p)\n"
                       "        p += '/d'\n        if len(p) > 3000:\n            break\n"
                       "    os.mkdir('locked')\n    open('locked/f', 'w').close()\n    os.chmod('locked', 0)\n"
                       "    return x")
    honest = "def f(x):\n    return x * 2"
    with Sandbox(SandboxConfig(workers=1, timeout_s=5.0)) as sb:
        jobs = [Job(id="deep", kind="validate", program=deep, input="1")]
        jobs += [Job(id=k, kind="validate", program=honest, input=str(k)) for k in range(5)]
        results = sb.run(jobs)
        assert [r.output for r in results[1:]] == [str(2 * k) for k in range(5)], results
        check = Job(id="after", kind="codegen", program=GRAPH_OS + "def g():\n    return sorted(os.listdir('.'))",
                    tests="def check(c):\n    assert c() == [], c()", entry_point="g")
        assert sb.run([check])[0].ok  # the next job starts in an empty folder


def test_a_worker_killed_mid_job_costs_the_jobs_queued_behind_it_nothing():
    slow = "def f(x):\n    n = 0\n    for i in range(3 * 10**7):\n        n += i\n    return x"
    honest = "def f(x):\n    return x + 1"
    with Sandbox(SandboxConfig(workers=1, timeout_s=20.0)) as sb:
        worker = sb.worker_pids[0]
        import threading

        killer = threading.Timer(0.5, lambda: os.kill(worker, 9))
        killer.start()
        jobs = [Job(id="slow", kind="validate", program=slow, input="0")]
        jobs += [Job(id=k, kind="validate", program=honest, input=str(k)) for k in range(4)]
        results = sb.run(jobs)
        killer.join()
    assert [r.output for r in results[1:]] == [str(k + 1) for k in range(4)], results
    assert results[0].ok, results[0]  # rerun once on the fresh worker


def test_the_protections_say_what_is_switched_off():
    with Sandbox(SandboxConfig(workers=1), disable=("seccomp", "landlock")) as sb:
        prot = sb.protections
    assert prot["seccomp"] is False and prot["landlock"] is False and prot["disabled"] == "landlock,seccomp"
    with pytest.raises(ValueError, match="unknown protection"):
        Sandbox(SandboxConfig(workers=1), disable=("aslr",))


def test_an_output_the_pipeline_could_not_read_back_never_validates():
    """A job that lifts its own int-to-str digit limit prints an integer no literal parser accepts; the re-parse on
    the trusted side refuses it, so it never becomes a gold output that later fails to load."""
    program = "import sys\ndef f(x):\n    sys.set_int_max_str_digits(0)\n    return 10 ** 5000 + x"
    with Sandbox(SandboxConfig(workers=1, timeout_s=3.0), python_checks=False) as sb:
        r = sb.run([Job(id=1, kind="validate", program=program, input="1")])[0]
    assert not r.ok and r.error in ("output_not_literal", "output_too_large"), r


def test_strict_determinism_also_catches_clock_derived_outputs():
    gz = "import gzip\ndef f(data):\n    return gzip.compress(data)[4:8]"
    with Sandbox(SandboxConfig(workers=2, timeout_s=3.0), strict_determinism=True) as sb:
        r = sb.run([Job(id=1, kind="validate", program=gz, input="b'x'")])[0]
    assert not r.ok and r.error == "nondeterministic", r


def test_the_signal_handler_route_to_the_runner_is_closed_with_the_checks_on():
    """The route the earlier red team used: reach `signal` through a worker class's globals (names built at run
    time), install a SIGALRM handler and read the runner's frame from it. The kernel refuses the handler."""
    program = ("_n = lambda *p: ''.join(p)\n"
               "cls = [c for c in getattr(object, _n('__subcl', 'asses__'))() if c.__name__ == 'SeccompLoader'][0]\n"
               "g = getattr(cls.install, _n('__glo', 'bals__'))\n"
               "def attack():\n"
               "    sig = g['signal']\n"
               "    sig.signal(sig.SIGALRM, lambda n, frame: None)\n")
    with Sandbox(SandboxConfig(workers=1, timeout_s=3.0)) as sb:
        if not sb.protections["seccomp"]:
            pytest.skip("no seccomp on this machine")
        r = sb.run([Job(id=1, kind="codegen", program=program, tests="def check(c):\n    c()",
                        entry_point="attack")])[0]
    assert not r.ok and r.error == "runtime_error" and "Operation not permitted" in r.detail, r
