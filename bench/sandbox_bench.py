"""Sandbox throughput: ours vs a reference-style executor vs the bare fork-per-job floor, on the same jobs.

    .venv/bin/python bench/sandbox_bench.py [--n 600] [--batch 64] [--g 8] [--workers 2] [--timeout 0.2] [--repeat 3]

(a) validate jobs of the kind the model writes (mostly fine, some raising, some with syntax errors or banned
    imports, about 1% looping until the time limit);
(b) one AZR training step's job mix in the paper's proportions, per task type: B validations, B*G learnability
    checks and B solver checks (deduction/abduction/induction; induction proposals carry 10 inputs, checks use 5
    hidden pairs). Every induction answer is a distinct program: the worst case for process-per-program isolation;
(c) the same mix where a share of the answers repeats an earlier answer to the same task (ours vs the baseline);
(d) the CPU cost per job of each protection (ours with that one switched off, against all of them on).

Executors:
- ours: `sandbox.Sandbox` with every protection on;
- baseline: built the way the reference works: one persistent worker process, `exec` of each program in a fresh
  globals dict, answers spliced into code and evaluated, one round-trip per job, no isolation (a timeout kills and
  restarts the worker);
- floor: process-per-job isolation and nothing else: a warm server per worker forks a child per job, the child
  execs and pipes the result back; no limits, no checks (a timeout kills the child).
The floor and ours use the same number of workers; the baseline has one worker, like the reference.
"""

from __future__ import annotations

import argparse
import marshal
import os
import random
import selectors
import struct
import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from azr.config import SandboxConfig  # noqa: E402
from sandbox import Job, Sandbox  # noqa: E402
sys.path.insert(0, str(ROOT / "sandbox" / "worker"))
from guards import PRELOAD  # noqa: E402  (the worker's own, stdlib-only module)

# --------------------------------------------------------------------------- job generation

GOOD = [
    ("def f(s):\n    return s[::-1] + s[:2]",
     lambda r: repr("".join(r.choice("abcxyz") for _ in range(r.randint(3, 12))))),
    ("def f(nums):\n    out = []\n    for i, x in enumerate(nums):\n        if x % 2 == 0:\n            out.append(x * i)\n"
     "        else:\n            out.append(x - i)\n    return sorted(out)",
     lambda r: repr([r.randint(-20, 50) for _ in range(r.randint(2, 9))])),
    ("from collections import Counter\n\ndef f(s, k):\n    c = Counter(s)\n"
     "    return sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:k]",
     lambda r: f"{''.join(r.choice('aabbbc') for _ in range(10))!r}, {r.randint(1, 3)}"),
    ("def f(d, key):\n    result = {k: v * 2 for k, v in d.items() if k != key}\n    result['count'] = len(d)\n"
     "    return result",
     lambda r: f"{{'a': {r.randint(0, 9)}, 'b': {r.randint(0, 9)}, 'c': 3}}, 'b'"),
    ("def f(n):\n    a, b = 0, 1\n    seq = []\n    for _ in range(n):\n        seq.append(a)\n        a, b = b, a + b\n"
     "    return seq",
     lambda r: str(r.randint(1, 25))),
    ("import math\n\ndef helper(x):\n    return math.isqrt(x)\n\ndef f(xs):\n    return [helper(x) ** 2 == x for x in xs]",
     lambda r: repr([r.randint(0, 100) for _ in range(6)])),
    ("def f(matrix):\n    return [list(row) for row in zip(*matrix)]",
     lambda r: repr([[r.randint(0, 9) for _ in range(3)] for _ in range(3)])),
    ("def f(text):\n    words = text.split()\n    return ' '.join(w.capitalize() for w in words if len(w) > 2)",
     lambda r: repr(" ".join(r.choice(["the", "quick", "fox", "a", "jumps", "over"]) for _ in range(6)))),
]
BAD = [
    ("def f(xs):\n    return xs[len(xs) + 3]", lambda r: repr([1, 2, 3])),
    ("def f(a, b):\n    return a / (b - b)", lambda r: "4, 2"),
    ("def f(x)\n    return x +", lambda r: "1"),
    ("import random\n\ndef f(x):\n    return random.random() * x", lambda r: "3"),
    ("def f(x):\n    return [x, frozenset([x])]", lambda r: "1"),
]
LOOP = ("def f(x):\n    while x > 0:\n        x = x + 1\n    return x", lambda r: "1")


def validate_jobs(n: int, seed: int = 0) -> list[Job]:
    """~85% good, ~13% failing fast, ~1% looping: roughly what an early model proposes."""
    r = random.Random(seed)
    jobs = []
    for i in range(n):
        u = r.random()
        if u < 0.01:
            prog, make = LOOP
        elif u < 0.14:
            prog, make = r.choice(BAD)
        else:
            prog, make = r.choice(GOOD)
        # Unique text per job (as real proposals are), so no executor gets to reuse a compiled program.
        jobs.append(Job(id=i, kind="validate", program=f"{prog}\n# proposal {i}", input=make(r)))
    return jobs


def training_step(batch: int, g: int, seed: int = 1, repeat: float = 0.0) -> list[Job]:
    """Per type: B validations, B*G learnability checks, B solver checks (the paper's proportions); about half of
    the answers are right. Deduction and abduction proposals are different programs, and every induction answer
    is a distinct program text (the worst case for us) unless `repeat` > 0: then each answer after a task's first
    repeats one of that task's earlier answers with this probability, as sampled answers often do."""
    r = random.Random(seed)

    def proposals(tag: str) -> list:
        picks = [r.choice(GOOD) for _ in range(batch)]
        return [(f"{p}\n# {tag} task {k}", make, make(r)) for k, (p, make) in enumerate(picks)]

    ded, abd = proposals("deduction"), proposals("abduction")
    ind_prog, ind_make = GOOD[0]
    ind_inputs = [[ind_make(r) for _ in range(10)] for _ in range(batch)]
    with Sandbox(SandboxConfig()) as sb:  # gold outputs, as an earlier validation stage produced them
        gold = sb.run([Job(id=k, kind="validate", program=p, input=i) for k, (p, _, i) in enumerate(ded + abd)])
        ind = sb.run([Job(id=k, kind="induction_inputs", program=ind_prog, inputs=ins)
                      for k, ins in enumerate(ind_inputs)])
    jobs: list[Job] = []
    earlier: dict = {}

    def add(**kw) -> None:
        jobs.append(Job(id=len(jobs), **kw))

    def answer(key: tuple, fresh) -> str:
        seen = earlier.setdefault(key, [])
        text = r.choice(seen) if seen and r.random() < repeat else fresh()
        seen.append(text)
        return text

    for k in range(batch):  # proposals: deduction and abduction validations, induction input runs
        add(kind="validate", program=ded[k][0], input=ded[k][2])
        add(kind="validate", program=abd[k][0], input=abd[k][2])
        add(kind="induction_inputs", program=ind_prog, inputs=ind_inputs[k])
    for phase, rounds in (("learnability", g), ("solve", 1)):  # G per proposal, then 1 per task
        for k in range(batch):
            o = gold[k].output
            p, make, i = abd[k]
            abd_gold = gold[batch + k].output
            outs = ind[k].outputs
            for _ in range(rounds):
                add(kind="deduction", output=o, answer=o if r.random() < 0.5 else "'nope'")
                add(kind="abduction", program=p, output=abd_gold,
                    answer=answer(("abd", phase, k), lambda: i if r.random() < 0.5 else make(r)))
                n = len(jobs)
                add(kind="induction", inputs=ind_inputs[k][5:], outputs=outs[5:], answer=answer(
                    ("ind", phase, k), lambda: (ind_prog if r.random() < 0.5 else "def f(s):\n    return s[::-1]")
                    + f"\n# answer {n}"))
    return jobs


# --------------------------------------------------------------------------- baseline and floor executors

SERVER = textwrap.dedent(r'''
    import marshal, os, struct, sys, select
    L = struct.Struct("<I")
    mode = sys.argv[1]
    for name in sys.argv[2].split(","):  # the same warm modules as the sandbox worker
        __import__(name)
    import gc; gc.collect(); gc.freeze()
    buf = bytearray()
    def read():
        global buf
        while True:
            if len(buf) >= 4:
                (n,) = L.unpack_from(buf)
                if len(buf) >= 4 + n:
                    d = bytes(buf[4:4+n]); del buf[:4+n]; return marshal.loads(d)
            c = os.read(0, 1 << 16)
            if not c: return None
            buf += c
    def send(o):
        d = marshal.dumps(o); d = L.pack(len(d)) + d
        while d: d = d[os.write(1, d):]
    def work(job):
        # Reference style: exec in a fresh globals dict, answers spliced into code and evaluated.
        kind = job[0]
        try:
            if kind == "deduction":
                return ("ok" if eval(job[2]) == eval(job[1]) else "wrong", "")
            g = {}
            exec(job[1], g)
            if kind == "validate":
                a = repr(eval("f(" + job[2] + ")", g)); b = repr(eval("f(" + job[2] + ")", g))
                return ("ok" if a == b else "nondeterministic", a)
            if kind == "inputs":
                return ("ok", [repr(eval("f(" + i + ")", g)) for i in job[2]])
            if kind == "abduction":
                return ("ok" if eval("f(" + job[3] + ")", g) == eval(job[2]) else "wrong", "")
            if kind == "induction":
                for i, o in zip(job[2], job[3]):
                    if eval("f(" + i + ")", g) != eval(o):
                        return ("wrong", "")
                return ("ok", "")
        except BaseException as e:
            return ("error", type(e).__name__)
    while True:
        m = read()
        if m is None: break
        rid, job, timeout = m
        if mode == "persistent":
            send((rid, work(job)))
            continue
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            os.write(w, marshal.dumps(work(job)))
            os._exit(0)
        os.close(w)
        ready, _, _ = select.select([r], [], [], timeout)
        data = b""
        if ready:
            while True:
                c = os.read(r, 1 << 16)
                if not c: break
                data += c
        else:
            os.kill(pid, 9)
        os.close(r); os.waitpid(pid, 0)
        send((rid, marshal.loads(data) if data else ("timeout", "")))
''')

_L = struct.Struct("<I")


def _plain(job: Job) -> tuple:
    if job.kind == "validate":
        return ("validate", job.program, job.input)
    if job.kind == "induction_inputs":
        return ("inputs", job.program, job.inputs)
    if job.kind == "deduction":
        return ("deduction", job.output, job.answer)
    if job.kind == "abduction":
        return ("abduction", job.program, job.output, job.answer)
    return ("induction", job.answer, job.inputs, job.outputs)


class Pool:
    """Minimal dispatcher: N server processes, one round-trip per job, two jobs in flight per server."""

    def __init__(self, mode: str, workers: int, timeout: float) -> None:
        self.mode, self.n, self.timeout = mode, workers, timeout
        self.procs = [self._spawn() for _ in range(workers)]
        self.dead_cpu = 0.0  # CPU of workers killed and replaced (the reference's way out of a loop)

    def _spawn(self) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-S", "-c", SERVER, self.mode, ",".join(PRELOAD)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def close(self) -> None:
        for p in self.procs:
            p.kill()
            p.wait()

    def run(self, jobs: list[Job]) -> list:
        todo = list(enumerate(_plain(j) for j in jobs))[::-1]
        out: list = [None] * len(jobs)
        inflight: dict[int, list] = {k: [] for k in range(self.n)}
        sent_at: dict[int, float] = {}
        bufs = {k: bytearray() for k in range(self.n)}
        sel = selectors.DefaultSelector()
        for k, p in enumerate(self.procs):
            sel.register(p.stdout, selectors.EVENT_READ, k)
        done = 0
        while done < len(jobs):
            for k, p in enumerate(self.procs):
                while todo and len(inflight[k]) < 2:
                    rid, job = todo.pop()
                    d = marshal.dumps((rid, job, self.timeout))
                    p.stdin.write(_L.pack(len(d)) + d)
                    p.stdin.flush()
                    inflight[k].append(rid)
                    sent_at[rid] = time.monotonic()
            for key, _ in sel.select(timeout=self.timeout / 4):
                k = key.data
                bufs[k] += os.read(self.procs[k].stdout.fileno(), 1 << 20)
                while len(bufs[k]) >= 4:
                    (n,) = _L.unpack_from(bufs[k])
                    if len(bufs[k]) < 4 + n:
                        break
                    rid, res = marshal.loads(bytes(bufs[k][4:4 + n]))
                    del bufs[k][:4 + n]
                    inflight[k].remove(rid)
                    if inflight[k]:
                        sent_at[inflight[k][0]] = time.monotonic()
                    out[rid] = res
                    done += 1
            if self.mode == "persistent":  # the reference's way out of an infinite loop: kill, restart, re-send
                now = time.monotonic()
                for k in range(self.n):
                    if inflight[k] and now - sent_at[inflight[k][0]] > self.timeout:
                        stuck, rest = inflight[k][0], inflight[k][1:]
                        sel.unregister(self.procs[k].stdout)
                        self.dead_cpu += _proc_cpu(self.procs[k].pid)
                        self.procs[k].kill()
                        self.procs[k].wait()
                        self.procs[k] = self._spawn()
                        sel.register(self.procs[k].stdout, selectors.EVENT_READ, k)
                        bufs[k].clear()
                        out[stuck] = ("timeout", "")
                        done += 1
                        inflight[k] = []
                        todo.extend((rid, _plain(jobs[rid])) for rid in reversed(rest))
        sel.close()
        return out


# --------------------------------------------------------------------------- timing

_TICK = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int) -> float:
    """utime + stime + reaped children's cutime + cstime of one process, in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(x) for x in fields[11:15]) / _TICK
    except OSError:
        return 0.0


def _self_cpu() -> float:
    import resource

    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def _cpu(ex) -> float:
    """CPU seconds so far of the caller and every process of an executor. Ours: each worker and its zygote
    (whose reaped job children count in its cutime/cstime). Pools: their servers, live and replaced."""
    if isinstance(ex, Sandbox):
        return _self_cpu() + sum(_proc_cpu(p) for p in ex.worker_pids + ex.zygote_pids)
    return _self_cpu() + sum(_proc_cpu(p.pid) for p in ex.procs) + ex.dead_cpu


def measure(ex, jobs: list, repeat: int) -> tuple[float, float]:
    """(best wall seconds, CPU seconds of that run across caller, workers and their children). CPU time is the
    fairer number on a shared machine: other people's load stretches wall time, not our CPU."""
    best = (float("inf"), 0.0)
    for _ in range(repeat):
        c0 = _cpu(ex)
        t = time.perf_counter()
        ex.run(jobs)
        wall = time.perf_counter() - t
        best = min(best, (wall, _cpu(ex) - c0))
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=600, help="validate jobs in (a)")
    ap.add_argument("--batch", type=int, default=64, help="B in (b)")
    ap.add_argument("--g", type=int, default=8, help="G in (b)")
    ap.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--timeout", type=float, default=0.2, help="time limit per execution in the benchmark")
    ap.add_argument("--repeat", type=int, default=3, help="take the best of this many runs")
    ap.add_argument("--repeated-answers", type=float, nargs="*", default=[0.25, 0.5], metavar="P",
                    help="(c): also run the training step with this share of answers repeating an earlier answer "
                         "to the same task (ours and the baseline only)")
    ap.add_argument("--no-protection-costs", dest="protection_costs", action="store_false",
                    help="skip (d), the CPU cost of each protection per job")
    args = ap.parse_args()

    sets = {"(a) validate": validate_jobs(args.n), "(b) training step": training_step(args.batch, args.g)}
    print(f"cores={len(os.sched_getaffinity(0))} workers={args.workers} timeout={args.timeout}s best of "
          f"{args.repeat}; python {sys.version.split()[0]}; load average {os.getloadavg()[0]:.2f}")
    executors = (
        ("ours", lambda: Sandbox(SandboxConfig(workers=args.workers, timeout_s=args.timeout))),
        ("ours, 1 worker", lambda: Sandbox(SandboxConfig(workers=1, timeout_s=args.timeout))),
        ("floor (fork per job)", lambda: Pool("fork", args.workers, args.timeout)),
        ("floor, 1 worker", lambda: Pool("fork", 1, args.timeout)),
        ("baseline (reference-style, 1 worker)", lambda: Pool("persistent", 1, args.timeout)),
    )
    for name, jobs in sets.items():
        print(f"\n{name}: {len(jobs)} jobs {_kinds(jobs)}")
        rates, cpu_rates = _compare(executors, jobs, args.repeat)
        for what, r in (("wall", rates), ("CPU", cpu_rates)):
            ours, floor = r["ours"], r["floor (fork per job)"]
            base = r["baseline (reference-style, 1 worker)"]
            print(f"  by {what:4s}: ours/floor = {ours / floor:.2f}   ours/baseline = {ours / base:.2f}   "
                  f"ours {args.workers} workers vs 1 = {ours / r['ours, 1 worker']:.2f}x   "
                  f"floor {args.workers} vs 1 = {floor / r['floor, 1 worker']:.2f}x")
    if args.protection_costs:
        protection_costs(args)
    pair = (executors[0], executors[-1])
    for share in args.repeated_answers:
        jobs = training_step(args.batch, args.g, repeat=share)
        print(f"\n(c) training step, {share:.0%} of answers repeat an earlier answer to the same task: {len(jobs)} jobs")
        rates, cpu_rates = _compare(pair, jobs, args.repeat)
        for what, r in (("wall", rates), ("CPU", cpu_rates)):
            print(f"  by {what:4s}: ours/baseline = {r['ours'] / r['baseline (reference-style, 1 worker)']:.2f}")


PRICED = (  # (label, Sandbox keyword arguments): each run with one protection off, compared with all of them on
    ("seccomp (job filter per process, zygote filter per syscall)", {"disable": ("seccomp",)}),
    ("Landlock", {"disable": ("landlock",)}),
    ("filesystem view (pivot_root; off: host tree + /proc/self/fd)", {"disable": ("filesystem_view",)}),
    ("fixed job pid (ns_last_pid write per fork)", {"disable": ("fixed_job_pid",)}),
    ("clock shift (time wrappers, second execution)", {"disable": ("clock_shift",)}),
    ("Python-level checks (static check, import guard, hook)", {"python_checks": False}),
)


def protection_costs(args) -> None:
    """(d): what each protection costs per job, in CPU (caller + workers + job processes), on jobs that do almost
    nothing, so the isolation is all there is to measure. Rounds interleave the configurations, best of each."""
    jobs = [Job(id=k, kind="validate", program="def f(x):\n    return [x, x * 2]", input=str(k)) for k in range(600)]
    configs = [("all protections on", {})] + list(PRICED)
    best = {label: float("inf") for label, _ in configs}
    for _ in range(args.repeat):
        for label, kw in configs:
            with Sandbox(SandboxConfig(workers=args.workers, timeout_s=args.timeout), **kw) as sb:
                sb.run(jobs[:20])
                best[label] = min(best[label], measure(sb, jobs, 1)[1])
    base = best["all protections on"]
    print(f"\n(d) cost of each protection: {len(jobs)} trivial validate jobs, CPU-ms per job, best of {args.repeat}")
    print(f"  {'all protections on':60s} {base * 1e3 / len(jobs):6.3f}")
    for label, _ in PRICED:
        delta = (base - best[label]) * 1e3 / len(jobs)
        print(f"  {label:60s} {best[label] * 1e3 / len(jobs):6.3f} without it: costs {delta:+.3f} ms/job")


def _kinds(jobs: list[Job]) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for j in jobs:
        kinds[j.kind] = kinds.get(j.kind, 0) + 1
    return kinds


def _compare(executors, jobs: list[Job], repeat: int) -> tuple[dict[str, float], dict[str, float]]:
    """Run every executor on the same jobs; print and return (jobs per wall second, jobs per CPU second)."""
    rates: dict[str, float] = {}
    cpu_rates: dict[str, float] = {}
    for label, make in executors:
        ex = make()
        try:
            ex.run(jobs[:20])  # warm-up: workers started, caches hot
            t, cpu = measure(ex, jobs, repeat)
        finally:
            ex.close()
        rates[label] = len(jobs) / t
        cpu_rates[label] = len(jobs) / cpu if cpu else float("nan")
        print(f"  {label:40s} {t:7.3f} s  {rates[label]:8.0f} jobs/s   {cpu * 1e3 / len(jobs):6.2f} CPU-ms/job"
              f"  ({cpu_rates[label]:6.0f} jobs per CPU-second)")
    return rates, cpu_rates

if __name__ == "__main__":
    main()
