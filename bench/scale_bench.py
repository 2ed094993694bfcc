"""How one step's time splits across generation, sandbox and training on a Ray cluster, per actor layout.

For each layout (rollout engines x sandbox actors) the bench builds the run's own cluster pieces (a DeepSpeed
trainer group, an engine pool, a sandbox fan-out) on a local Ray head and times, warm, one step's worth of:
generation (B prompts), sandbox jobs (one CPU-bound program per job) and one update on the generated sequences.
It shows the scaling shape on the machine at hand, not absolute speed: on a 2-core CPU two engines compete for
the same cores that one engine already uses.

    .venv/bin/python bench/scale_bench.py                       # bundled model, layouts 1x1 2x1 1x2 2x2
    .venv/bin/python bench/scale_bench.py --layouts 1x1,4x2 --set model.path=/models/qwen
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROGRAM = "def f(n):\n    s = 0\n    for i in range(n):\n        s = (s * 31 + i) % 1000003\n    return s"


def parse_layouts(text: str) -> list[tuple[int, int]]:
    out = []
    for part in text.split(","):
        try:
            e, s = (int(x) for x in part.lower().split("x"))
        except ValueError:
            raise SystemExit(f"--layouts: {part!r} is not ENGINESxSANDBOXES (e.g. 2x1)") from None
        if e < 1 or s < 1:
            raise SystemExit(f"--layouts: {part!r} needs at least one engine and one sandbox actor")
        out.append((e, s))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--config", default=None, help="config file (default: the embedded tiny-cpu preset)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--layouts", default="1x1,2x1,1x2,2x2", help="ENGINESxSANDBOXES, comma separated")
    p.add_argument("--ranks", type=int, default=1, help="trainer ranks (default 1)")
    p.add_argument("--prompts", type=int, default=8, help="prompts generated per step (default 8)")
    p.add_argument("--max-new-tokens", type=int, default=48, help="tokens per completion (default 48)")
    p.add_argument("--jobs", type=int, default=200, help="sandbox jobs per step (default 200)")
    p.add_argument("--job-size", type=int, default=200_000, help="loop length of each job's program")
    p.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    args = p.parse_args(argv)
    layouts = parse_layouts(args.layouts)

    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("DS_ACCELERATOR", "cpu")
    import ray

    from azr.cluster.policy import weights_folder
    from azr.cluster.ray_env import runtime_env
    from azr.cluster.rollouts import EnginePool
    from azr.cluster.sandboxes import SandboxFanout
    from azr.cluster.trainer_group import TrainerGroup
    from azr.config import load_config
    from azr.model import load_tokenizer, resolve_model_dir
    from azr.policy import TrainSample
    from sandbox import Job

    cfg = load_config(args.config, ["run.cluster=ray", f"cluster.trainer_ranks={args.ranks}", "sandbox.workers=1"]
                      + args.overrides)
    most = max(e for e, _ in layouts) + max(s for _, s in layouts) + args.ranks
    ray.init(num_cpus=max(os.cpu_count() or 1, most), include_dashboard=False, runtime_env=runtime_env(),
             configure_logging=False, log_to_driver=False)
    work = Path(tempfile.mkdtemp(prefix="azr-scale-bench-"))
    tok = load_tokenizer(resolve_model_dir(cfg.model.path, cfg.model.cache_dir))
    rnd = random.Random(0)
    prompts = [f"Write a Python function number {k} that reverses a list.\n" for k in range(args.prompts)]
    jobs = [Job(id=k, kind="validate", program=PROGRAM, input=str(args.job_size + k)) for k in range(args.jobs)]
    print(f"{os.cpu_count()} CPUs; model {cfg.model.path}; {args.prompts} prompts x {args.max_new_tokens} tokens, "
          f"{args.jobs} sandbox jobs, {args.ranks} trainer rank(s)", flush=True)
    rows = []
    group = TrainerGroup(cfg, work / "batches")
    try:
        folder = weights_folder(work / "weights", 0)
        checksum = group.export(folder)
        for engines, sandboxes in layouts:
            c = cfg.model_copy(deep=True)
            c.cluster.rollout_engines, c.cluster.sandbox_actors = engines, sandboxes
            pool, fan = EnginePool(c, tok, folder, checksum), SandboxFanout(c)
            try:
                timings: dict[str, float] = {}
                for warm in (True, False):  # the first pass compiles and warms caches; the second is timed
                    t0 = time.perf_counter()
                    out = pool.generate(prompts, n=1, temperature=1.0, max_new_tokens=args.max_new_tokens, seed=1)
                    t1 = time.perf_counter()
                    results = fan.run(jobs)
                    t2 = time.perf_counter()
                    ids = pool.encode(prompts)
                    samples = [TrainSample(prompt_ids=ids[k], response_ids=out[k][0].token_ids,
                                           advantage=rnd.uniform(-1, 1)) for k in range(len(prompts))]
                    group.step(samples)
                    t3 = time.perf_counter()
                    if not warm:
                        timings = {"generate_s": t1 - t0, "sandbox_s": t2 - t1, "train_s": t3 - t2}
                assert all(r.ok for r in results), "a sandbox job failed: the bench's program is broken"
                tokens = sum(len(c[0].token_ids) for c in out)
                row = dict(engines=engines, sandbox_actors=sandboxes, ranks=args.ranks, **timings,
                           step_s=sum(timings.values()), gen_tokens_per_s=tokens / timings["generate_s"],
                           jobs_per_s=len(jobs) / timings["sandbox_s"])
                rows.append(row)
                print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()}),
                      flush=True)
            finally:
                fan.close()
                pool.close()
    finally:
        group.close()
        ray.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    print("\n| engines | sandbox actors | generate s | sandbox s | train s | step s | gen tok/s | jobs/s |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['engines']} | {r['sandbox_actors']} | {r['generate_s']:.2f} | {r['sandbox_s']:.2f} | "
              f"{r['train_s']:.2f} | {r['step_s']:.2f} | {r['gen_tokens_per_s']:.1f} | {r['jobs_per_s']:.1f} |")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
