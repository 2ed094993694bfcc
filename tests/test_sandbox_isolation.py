"""Real attempts to break out of the sandbox. Most attacks use codegen jobs (no static import check) and reach the
`os` module around the import blocker through `object.__subclasses__()`, so what stops them is the run-time layer
(audit hook, rlimits, uid, namespaces), not the static filter."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from azr.config import SandboxConfig
from sandbox import Job, Result, Sandbox

ROOT = Path(__file__).resolve().parent.parent
OS = ("OS = [c for c in ().__class__.__base__.__subclasses__() if c.__name__ == '_wrap_close'][0]"
      ".__init__.__globals__\n")


@pytest.fixture(scope="module")
def sb():
    with Sandbox(SandboxConfig(workers=2, timeout_s=2.0, memory_mb=256)) as s:
        yield s


@pytest.fixture(scope="module")
def solo():
    """One worker, so consecutive jobs run in children of the same warm process."""
    with Sandbox(SandboxConfig(workers=1, timeout_s=2.0, memory_mb=256)) as s:
        yield s


def attack(sb: Sandbox, body: str, prelude: str = OS) -> Result:
    program = prelude + "def attack():\n" + textwrap.indent(textwrap.dedent(body), "    ") + "\n"
    return sb.run([Job(id="a", kind="codegen", program=program, tests="def check(c):\n    c()\n",
                       entry_point="attack")])[0]


def refused(r: Result) -> bool:
    """Refused by the audit hook ("sandbox: ...") or by the kernel (the path does not exist in the job's view, or
    the call is not permitted): a project cloned under /tmp looks like the private folder to the hook."""
    detail = r.detail or ""
    return not r.ok and r.error in ("runtime_error", "banned_import") and (
        "sandbox" in detail or detail.startswith(("FileNotFoundError", "PermissionError")))


def test_escape_route_used_by_these_tests_works(sb):
    r = attack(sb, "assert callable(OS['getpid'])\nassert OS['getpid']() > 1")
    assert r.ok, r.detail


def test_write_outside_private_folder_refused(sb, tmp_path):
    target = Path("/var/tmp") / f"azr-escape-{uuid.uuid4().hex}"
    worker = ROOT / "sandbox" / "worker" / "main.py"
    for body in (f"open({str(target)!r}, 'w').write('x')",
                 f"OS['open']({str(target)!r}, OS['O_WRONLY'] | OS['O_CREAT'])",
                 f"open({str(worker)!r}, 'a').write('# pwned')",
                 f"OS['mkdir']({str(target)!r})", f"OS['rename']('.', {str(target)!r})"):
        r = attack(sb, body)
        assert refused(r), (body, r)
    assert not target.exists()
    assert "# pwned" not in worker.read_text()


def test_the_private_folder_is_tmp_and_the_hosts_tmp_is_untouched(sb):
    if not sb.protections["filesystem_view"]:
        pytest.skip("this kernel gives the sandbox no filesystem view")
    name = f"azr-escape-{uuid.uuid4().hex}"
    r = attack(sb, f"open('/tmp/{name}', 'w').write('x')\nassert OS['getcwd']() == '/tmp'\n"
                   f"assert OS['listdir']('/tmp') == [{name!r}]")
    assert r.ok, r.detail
    assert not (Path("/tmp") / name).exists()


def test_read_outside_private_folder_and_stdlib_refused(sb):
    for path in ("/etc/passwd", "/proc/self/environ", "/proc/1/cmdline", str(ROOT / "pyproject.toml")):
        r = attack(sb, f"open({path!r}).read()")
        assert refused(r), (path, r)


def test_private_folder_is_writable_and_wiped_between_jobs(solo):
    first = attack(solo, "open('note.txt', 'w').write('left behind')\nOS['mkdir']('sub')\n"
                         "assert sorted(OS['listdir']('.')) == ['note.txt', 'sub']")
    assert first.ok, first.detail
    second = attack(solo, "assert OS['listdir']('.') == [], OS['listdir']('.')")
    assert second.ok, second.detail


def test_no_network(sb):
    r = attack(sb, "import socket\nsocket.create_connection(('127.0.0.1', 9))", prelude="")
    assert not r.ok and r.error == "banned_import"
    r = attack(sb, "import _socket", prelude="")
    assert not r.ok and r.error == "banned_import"
    prot = sb.protections
    if os.geteuid() == 0 or prot["user_namespace"]:
        assert prot["network_namespace"] is True


def test_no_new_processes(sb):
    for body in ("OS['fork']()", "OS['system']('touch /tmp/azr-forked')", "OS['execv']('/bin/true', ['true'])",
                 "OS['posix_spawn']('/bin/true', ['true'], {})"):
        r = attack(sb, body)
        assert refused(r), (body, r)
    assert not Path("/tmp/azr-forked").exists()


def test_no_threads(sb):
    r = attack(sb, "import threading\nt = threading.Thread(target=print)\nt.start()\nt.join()", prelude="")
    assert not r.ok and r.error == "runtime_error", r


def test_no_signals_to_other_processes(sb):
    me = os.getpid()
    for body in (f"OS['kill']({me}, 9)", "OS['kill'](OS['getppid'](), 9)", "OS['kill'](-1, 9)",
                 f"OS['killpg']({os.getpgid(me)}, 9)"):
        r = attack(sb, body)
        assert refused(r), (body, r)
    assert sb.run([Job(id=1, kind="validate", program="def f(a):\n    return a", input="1")])[0].ok


def test_environment_is_empty(monkeypatch):
    monkeypatch.setenv("AZR_SANDBOX_SECRET", "hunter2")
    with Sandbox(SandboxConfig(workers=1, timeout_s=2.0)) as s:
        r = attack(s, "assert dict(OS['environ']) == {}, dict(OS['environ'])")
        assert r.ok, r.detail
        r = attack(s, "assert OS['getenv']('AZR_SANDBOX_SECRET') is None")
        assert r.ok, r.detail
        leak = attack(s, f"open('/proc/{os.getpid()}/environ').read()")
        assert refused(leak), leak


def test_poisoned_builtins_do_not_reach_the_next_job(solo):
    poison = "import builtins\nbuiltins.len = lambda x: 42\nbuiltins.sorted = None\ndef f(a):\n    return len(a)"
    first = solo.run([Job(id=1, kind="validate", program=poison, input="[1]")])[0]
    assert first.output == "42"
    clean = solo.run([Job(id=2, kind="validate", program="def f(a):\n    return [len(a), sorted(a)]",
                          input="[3, 1, 2]")])[0]
    assert clean.ok and clean.output == "[3, [1, 2, 3]]"


def test_forged_records_do_not_count(sb):
    # Without the per-run nonce, bytes written to every open descriptor are a protocol violation.
    forger = """
header = (b'\\x00' * 16) + (0).to_bytes(4, 'little') + bytes([0]) + (2).to_bytes(4, 'little') + b'42'
for fd in range(0, 64):
    try:
        OS['write'](fd, header)
    except OSError:
        pass
OS['_exit'](0)
"""
    r = attack(sb, forger)
    assert not r.ok and r.error == "crashed", r
    # The same forger next to honest jobs in one batch does not touch their results.
    honest = [Job(id=k, kind="validate", program="def f(a):\n    return a * 2", input=str(k)) for k in range(6)]
    program = OS + "def attack():\n" + textwrap.indent(textwrap.dedent(forger), "    ")
    batch = honest[:3] + [Job(id="forger", kind="codegen", program=program, tests="def check(c):\n    c()",
                              entry_point="attack")] + honest[3:]
    results = sb.run(batch)
    assert [r.output for r in results if r.id != "forger"] == [str(k * 2) for k in range(6)]
    assert not results[3].ok


def test_frame_and_gc_introspection_refused(sb):
    for body in ("import sys\nsys._getframe(1).f_locals", "import gc\ngc.get_objects()",
                 "try:\n    1 / 0\nexcept Exception as e:\n    e.__traceback__.tb_frame.f_back.f_locals"):
        r = attack(sb, body, prelude="")
        assert not r.ok and r.error in ("runtime_error", "banned_import"), (body, r)


def test_memory_exhaustion_is_contained(solo):
    hog = solo.run([Job(id=1, kind="validate", program="def f(a):\n    x = []\n    while True:\n"
                                                        "        x.append(bytearray(1 << 20))", input="1")])[0]
    assert not hog.ok and hog.error in ("memory", "timeout")
    assert solo.run([Job(id=2, kind="validate", program="def f(a):\n    return a", input="7")])[0].output == "7"


def _processes() -> dict[int, tuple[int, int]]:
    """pid -> (ppid, session id) for every live process."""
    out = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                out[int(entry.name)] = (int(fields[1]), int(fields[3]))
            except (OSError, IndexError, ValueError):
                pass
    return out


def test_no_process_left_behind_after_batch_and_close():
    s = Sandbox(SandboxConfig(workers=2, timeout_s=0.5))
    pids = s.worker_pids + s.zygote_pids  # each worker and its forker (the parent of every job process)
    s.run([Job(id=k, kind="validate", program="def f(a):\n    while True:\n        pass", input=str(k))
           for k in range(2)])
    assert not [p for p, (ppid, _) in _processes().items() if ppid in pids and p not in pids]  # children reaped
    s.close()
    time.sleep(0.2)
    procs = _processes()
    assert not [p for p in pids if p in procs]
    assert not [p for p, (_, sid) in procs.items() if sid in pids]


def test_no_process_left_behind_when_the_caller_is_killed(tmp_path):
    script = tmp_path / "caller.py"
    script.write_text(textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from azr.config import SandboxConfig
        from sandbox import Job, Sandbox
        s = Sandbox(SandboxConfig(workers=2, timeout_s=60))
        print(" ".join(map(str, s.worker_pids + s.zygote_pids)), flush=True)
        s.run([Job(id=k, kind="validate", program="def f(a):\\n    while True:\\n        pass", input=str(k))
               for k in range(4)])
    """))
    caller = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    pids = [int(p) for p in caller.stdout.readline().split()]

    def job_children() -> list[int]:
        return [p for p, (_, sid) in _processes().items() if sid in pids and p not in pids]

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(job_children()) < 2:
        time.sleep(0.05)  # wait until both looping job children run
    assert len(job_children()) == 2
    caller.send_signal(signal.SIGKILL)
    caller.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        procs = _processes()
        left = [p for p in pids if p in procs] + [p for p, (ppid, sid) in procs.items() if sid in pids]
        if not left:
            break
        time.sleep(0.05)
    assert not left, f"processes left behind: {left}"


def test_protections_are_reported(sb):
    prot = sb.protections
    for key in ("fork_per_job", "rlimits", "audit_hook", "empty_environment", "network_namespace",
                "user_namespace", "separate_uid", "process_limit", "wall_clock_kill", "literal_parsing",
                "pid_namespace"):
        assert isinstance(prot[key], bool), key
    assert prot["kernel"] == os.uname().release
    if os.geteuid() == 0:
        assert prot["separate_uid"] and prot["process_limit"] and prot["pid_namespace"]
    json.dumps(prot)


def test_jobs_see_no_process_outside_their_namespace(sb):
    if not sb.protections["pid_namespace"]:
        pytest.skip("this kernel gives the sandbox no PID namespace")
    # The job's parent is the namespace's process 1 (the zygote), and the caller's pid means nothing there.
    r = attack(sb, f"assert OS['getppid']() == 1\nassert OS['getpgid']({os.getpid()}) is None")
    assert not r.ok and "ProcessLookupError" in r.detail, r
    assert attack(sb, "assert OS['getppid']() == 1").ok


def test_poisoned_builtins_cannot_forge_a_literal(sb):
    # A job that rebinds builtins the runner uses (float, repr, len, isinstance...) still cannot get a non-literal
    # reported as its output: the runner bound its own references before any job code ran.
    program = ("import builtins\nclass Fake(float):\n    def __repr__(self):\n        return 'object()'\n"
               "builtins.float = Fake\nbuiltins.repr = lambda x: '1'\nbuiltins.len = lambda x: 0\n"
               "builtins.isinstance = lambda *a: True\nbuiltins.type = lambda x: float\n"
               "def f(a):\n    return Fake(1.5)")
    r = sb.run([Job(id=1, kind="validate", program=program, input="1")])[0]
    assert not r.ok and r.error == "output_not_literal", r


def test_str_subclass_paths_cannot_fool_the_file_checks(sb, tmp_path):
    target = f"/var/tmp/azr-escape-{uuid.uuid4().hex}"
    body = f"""
class Sneaky(str):
    def startswith(self, *a):
        return True
    def __contains__(self, x):
        return False
    def __eq__(self, o):
        return True
    __hash__ = str.__hash__
open(Sneaky({target!r}), 'w').write('x')
"""
    r = attack(sb, body, prelude="")
    assert not r.ok and "sandbox" in (r.detail or ""), r
    assert not Path(target).exists()


def test_writes_cannot_fill_the_disk(solo):
    # Each file is capped by RLIMIT_FSIZE, and the private folder is a size-capped tmpfs where the kernel allows.
    fill = "i = 0\nwhile True:\n    open(f'f{i}', 'wb').write(b'x' * (1 << 20))\n    i += 1"
    r = attack(solo, fill, prelude="")
    assert not r.ok and r.error in ("runtime_error", "timeout"), r
    if solo.protections["private_tmpfs"]:
        assert "No space left" in r.detail
    big = attack(solo, "open('big', 'wb').write(b'x' * (2 << 20))", prelude="")
    assert not big.ok and "File too large" in big.detail, big
