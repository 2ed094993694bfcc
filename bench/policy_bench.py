"""Policy benchmark: rollout tokens/s at several batch sizes, and one training step's time and peak memory.

Runs unchanged on CPU and on a GPU machine that has only torch + transformers (+ gguf to read the bundled model):

    python bench/policy_bench.py                       # CPU defaults: small batches, short generations
    python bench/policy_bench.py --batch-sizes 128 256 512 --new-tokens 256 --baseline   # GPU
    python bench/policy_bench.py --model /path/to/model.gguf-or-folder
    python bench/policy_bench.py --skip-train --vllm   # + the vLLM engine, greedy agreement, weight-sync costs

Rollouts: `TransformersEngine.generate` with `ignore_eos` so every sequence decodes exactly --new-tokens tokens;
on CUDA the engine uses the static KV cache + compiled decode step (first call per shape compiles; it is run once
untimed). `--baseline` also times a plain `model.generate` (dynamic cache, no compile) at the same sizes.

Training: `Trainer.step` on --train-rows × --train-tokens tokens (one micro-batch), each variant in a fresh
subprocess: naive (all logits of the batch at once), chunked log-probs, chunked + gradient checkpointing of the
layers. Peak memory is the process's peak RSS on CPU (ru_maxrss) or torch's peak allocated memory on CUDA, after the
first step (before AdamW has allocated its state) and over all steps; "before" is the memory just before step 1.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

PROMPT = (
    "A conversation between User and Assistant. The user asks a question, and the Assistant solves it.\n"
    "User: Given the following Python program and input, predict the output.\n```python\n"
    "def f(a, b):\n    out = []\n    for i, x in enumerate(a):\n        if x % {k} == 0:\n"
    "            out.append(x * b + i)\n    return sorted(out)[::-1]\n```\n```input\n[{nums}], {k}\n```\n"
    "Assistant: <think>"
)


def prompts(count: int) -> list[str]:
    return [PROMPT.format(k=2 + i % 5, nums=", ".join(str((i * 7 + j * 13) % 97) for j in range(3 + i % 9)))
            for i in range(count)]


def load(model_path: str, dtype: str):
    import torch
    from azr.model import load_model

    model, tok = load_model(model_path, dtype=dtype)
    return model, tok, torch


def sync(torch):
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def bench_rollout(args) -> list[dict]:
    from azr.policy import TransformersEngine

    model, tok, torch = load(args.model, args.dtype)
    dev = next(model.parameters()).device
    print(f"# rollout: model {args.model} on {dev} in {next(model.parameters()).dtype}; "
          f"torch {torch.__version__}", flush=True)
    rows = []
    for bs in args.batch_sizes:
        ps = prompts(bs)
        for variant in args.variants:
          try:
            if variant in ("engine", "engine_dynamic"):
                static = args.static if variant == "engine" else False
                eng = TransformersEngine(model, tok, batch_size=bs, static_cache=static)
                t = time.perf_counter()
                eng.generate(ps, max_new_tokens=args.new_tokens, seed=0, ignore_eos=True)  # warm-up / compile
                warm = time.perf_counter() - t
                eng.generate(ps, max_new_tokens=args.new_tokens, seed=1, ignore_eos=True)
                st = eng.stats
                row = dict(variant="engine" + ("+static" if st["static_cache"] else "_dynamic"), batch=bs,
                           new_tokens=args.new_tokens, tokens=st["tokens"], seconds=round(st["seconds"], 3),
                           tok_s=round(st["tokens_per_s"], 1), first_call_s=round(warm, 1))
            else:
                tok.padding_side = "left"
                enc = tok(ps, return_tensors="pt", padding=True).to(dev)
                kw = dict(max_new_tokens=args.new_tokens, min_new_tokens=args.new_tokens, do_sample=True,
                          top_k=0, pad_token_id=tok.pad_token_id)
                with torch.inference_mode():
                    model.generate(**enc, **{**kw, "max_new_tokens": 8, "min_new_tokens": 8})
                    sync(torch)
                    t = time.perf_counter()
                    out = model.generate(**enc, **kw)
                    sync(torch)
                sec = time.perf_counter() - t
                n = (out.shape[1] - enc["input_ids"].shape[1]) * out.shape[0]
                row = dict(variant="plain_generate", batch=bs, new_tokens=args.new_tokens, tokens=n,
                           seconds=round(sec, 3), tok_s=round(n / sec, 1), first_call_s=None)
          except Exception as exc:  # keep measuring the other variants
            import traceback

            traceback.print_exc()
            print(f"# {variant} at batch {bs} failed: {exc!r}", flush=True)
            continue
          print(json.dumps(row), flush=True)
          rows.append(row)
    return rows


def bench_rl_loop(args) -> list[dict]:
    """generate → TRR-like random advantages → Trainer.step, with the engine generating in the rollout dtype from
    the trainer's fp32 weights (the shadow copy is refreshed each call)."""
    import random

    from azr.policy import Trainer, TrainSample, TransformersEngine

    model, tok, torch = load(args.model, "float32")
    trainer = Trainer(model, tok, dict(lr=1e-6, dtype=args.train_dtype, micro_batch_tokens=16384))
    dev = next(model.parameters()).device
    eng = TransformersEngine(trainer.model, tok, batch_size=args.batch_sizes[0],
                             dtype=torch.bfloat16 if dev.type == "cuda" else None, static_cache=args.static)
    ps = prompts(args.batch_sizes[0])
    rows = []
    for i in range(args.rl_steps):
        outs = eng.generate(ps, max_new_tokens=args.new_tokens, seed=i)
        gen = dict(eng.stats)
        samples = [TrainSample(tok(p, add_special_tokens=False)["input_ids"], c.token_ids, random.gauss(0, 1))
                   for p, cs in zip(ps, outs) for c in cs]
        m = trainer.step(samples)
        row = dict(variant="rl_loop", iteration=i, gen_s=round(gen["seconds"], 2),
                   gen_tok_s=round(gen["tokens_per_s"]), gen_tokens=gen["tokens"], train_s=round(m["seconds"], 2),
                   train_tokens=m["total_tokens"], micro_batches=m["micro_batches"], loss=round(m["loss"], 4),
                   grad_norm=round(m["grad_norm"], 3), entropy=round(m["entropy"], 3))
        print(json.dumps(row), flush=True)
        rows.append(row)
    return rows


GREEDY_PROMPTS = 24


def _greedy_agreement(a: list, b: list) -> dict:
    """Share of identical greedy completions, and where the others first diverge (token index)."""
    same, first = 0, []
    for x, y in zip(a, b):
        if x == y:
            same += 1
            continue
        k = next((i for i, (s, t) in enumerate(zip(x, y)) if s != t), min(len(x), len(y)))
        first.append(k)
    return dict(prompts=len(a), identical=same, identical_share=round(same / len(a), 3), diverge_at=sorted(first))


def bench_vllm(args) -> list[dict]:
    """The vLLM engine (a real `vllm serve` from .venv-vllm) against the transformers engine on the same weights:
    tokens/s at the same batch sizes, greedy agreement on fixed prompts, and the cost of one verified weight
    sync by each method."""
    import tempfile

    from azr.model import resolve_model_dir
    from azr.policy import TransformersEngine
    from azr.policy.engine import default_stop_ids
    from azr.policy.vllm_rollout import VLLMRollout, context_length
    from azr.policy.vllm_server import ServerSpec, find_vllm_env

    model, tok, torch = load(args.model, "float32")
    folder = resolve_model_dir(args.model)
    dtype = str(next(model.parameters()).dtype).replace("torch.", "")
    work = Path(tempfile.mkdtemp(prefix="azr-vllm-bench-"))
    spec = ServerSpec(env=find_vllm_env(None), dtype=dtype, max_model_len=context_length(folder, 2048),
                      max_num_seqs=max(args.batch_sizes), seed=0, log_path=work / "server.log",
                      enforce_eager=not (args.vllm_compile or torch.cuda.is_available()), extra_args=list(args.vllm_args))
    rollout = VLLMRollout(tokenizer=tok, base_dir=folder, work_dir=work, method="disk", dtype=dtype,
                          max_prompt_tokens=1536, max_new_tokens=args.new_tokens, spec=spec,
                          stop_token_ids=default_stop_ids(model, tok))
    rows = []
    try:
        t = time.perf_counter()
        rollout.ensure(model, 0)
        rows.append(dict(variant="vllm_start", seconds=round(time.perf_counter() - t, 1),
                         args=" ".join(rollout.server.command(folder)[4:])))
        print(json.dumps(rows[-1]), flush=True)
        for bs in args.batch_sizes:
            ps = prompts(bs)
            rollout.generate(ps, max_new_tokens=8, seed=0, ignore_eos=True)  # warm-up
            rollout.generate(ps, max_new_tokens=args.new_tokens, seed=1, ignore_eos=True)
            st = rollout.stats
            rows.append(dict(variant="vllm", batch=bs, new_tokens=args.new_tokens, tokens=st["tokens"],
                             seconds=round(st["seconds"], 3), tok_s=round(st["tokens_per_s"], 1), first_call_s=None))
            print(json.dumps(rows[-1]), flush=True)
        ps = prompts(GREEDY_PROMPTS)
        mine = TransformersEngine(model, tok, batch_size=GREEDY_PROMPTS).generate(ps, temperature=0.0,
                                                                                  max_new_tokens=args.new_tokens)
        theirs = rollout.generate(ps, temperature=0.0, max_new_tokens=args.new_tokens)
        rows.append(dict(variant="greedy_agreement", new_tokens=args.new_tokens,
                         **_greedy_agreement([c[0].token_ids for c in mine], [c[0].token_ids for c in theirs])))
        print(json.dumps(rows[-1]), flush=True)
        for method in ("disk", "restart"):
            with torch.no_grad():  # a stand-in for one optimizer step: every weight moves a little
                for p in model.parameters():
                    p.add_(torch.randn_like(p) * 1e-4)
            rollout.method = method
            try:
                rep = rollout.sync(model, rollout.version + 1)
            except Exception as exc:  # report it and go on with the other method
                rows.append(dict(variant=f"sync_{method}", error=str(exc)))
                print(json.dumps(rows[-1]), flush=True)
                rollout.version = (rollout.version or 0) + 1
                continue
            rows.append(dict(variant=f"sync_{method}", seconds=round(rep["seconds"], 2),
                             export_s=round(rep["export_s"], 2), load_s=round(rep["load_s"], 2),
                             verify_s=round(rep["seconds"] - rep["export_s"] - rep["load_s"], 2),
                             checked_share=round(rep["checked_share"], 3),
                             probe_max_abs_diff=rep["probe_max_abs_diff"], probe_moved=rep["probe_moved"]))
            print(json.dumps(rows[-1]), flush=True)
    finally:
        rollout.close()
        shutil.rmtree(work, ignore_errors=True)  # the weight exports: about 0.5 GB per bench run
    return rows


TRAIN_VARIANTS = {
    # name: (log-prob chunk tokens or 0 for all logits at once, gradient checkpointing of the layers)
    "naive": (0, False),
    "chunked": (None, False),
    "chunked_gc": (None, True),
}


def _peak_mb(torch, dev) -> float:
    if dev.type == "cuda":
        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _now_mb(torch, dev) -> float:
    if dev.type == "cuda":
        return torch.cuda.memory_allocated() / 2**20
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def train_child(args) -> None:
    """One variant in this (fresh) process; prints a JSON line."""
    from azr.policy import Trainer, TrainSample

    model, tok, torch = load(args.model, "float32")
    dev = next(model.parameters()).device
    chunk, gc = TRAIN_VARIANTS[args.variant]
    cfg = dict(lr=1e-6, micro_batch_tokens=args.train_rows * args.train_tokens,
               logprob_chunk_tokens=args.chunk_tokens if chunk is None else chunk, dtype=args.train_dtype,
               gradient_checkpointing=gc)
    trainer = Trainer(model, tok, cfg)
    g = torch.Generator().manual_seed(0)
    prompt_len = args.train_tokens // 8
    samples = [TrainSample(torch.randint(0, len(tok), (prompt_len,), generator=g).tolist(),
                           torch.randint(0, len(tok), (args.train_tokens - prompt_len,), generator=g).tolist(),
                           1.0 if i % 2 else -1.0) for i in range(args.train_rows)]
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    before = _now_mb(torch, dev)
    times, peaks = [], []
    for _ in range(args.train_steps):
        m = trainer.step(samples)
        times.append(m["seconds"])
        peaks.append(_peak_mb(torch, dev))
    print("RESULT " + json.dumps(dict(
        variant=args.variant, device=str(dev), rows=args.train_rows, tokens_per_row=args.train_tokens,
        step_s=[round(t, 2) for t in times], before_step_mb=round(before), peak_step1_mb=round(peaks[0]),
        peak_mb=round(peaks[-1]), step1_increase_mb=round(peaks[0] - before),
        peak_kind="cuda_max_allocated" if dev.type == "cuda" else "max_rss", loss=m["loss"])), flush=True)


def bench_train(args) -> list[dict]:
    rows = []
    for variant in args.train_variants:
        cmd = [sys.executable, __file__, "--train-child", variant, "--model", args.model,
               "--train-rows", str(args.train_rows), "--train-tokens", str(args.train_tokens),
               "--train-steps", str(args.train_steps), "--chunk-tokens", str(args.chunk_tokens),
               "--train-dtype", args.train_dtype, "--threads", str(args.threads)]
        out = subprocess.run(cmd, capture_output=True, text=True)
        line = [l for l in out.stdout.splitlines() if l.startswith("RESULT ")]
        if out.returncode != 0 or not line:
            print(f"# train {variant} failed (rc {out.returncode}):\n{out.stderr[-3000:]}", flush=True)
            continue
        row = json.loads(line[0][7:])
        print(json.dumps(row), flush=True)
        rows.append(row)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="bundled")
    ap.add_argument("--dtype", default="auto", help="rollout dtype (auto: bf16 on CUDA, fp32 on CPU)")
    ap.add_argument("--batch-sizes", type=int, nargs="+", default=None)
    ap.add_argument("--new-tokens", type=int, default=None)
    ap.add_argument("--static", default="auto", help="static cache: auto|true|false")
    ap.add_argument("--baseline", action="store_true", help="also time plain model.generate")
    ap.add_argument("--variants", nargs="+", default=None,
                    help="engine (static cache on CUDA), engine_dynamic, plain_generate")
    ap.add_argument("--skip-rollout", action="store_true")
    ap.add_argument("--skip-train", action="store_true")
    ap.add_argument("--train-rows", type=int, default=8)
    ap.add_argument("--train-tokens", type=int, default=256)
    ap.add_argument("--train-steps", type=int, default=2)
    ap.add_argument("--train-variants", nargs="+", default=list(TRAIN_VARIANTS), choices=list(TRAIN_VARIANTS))
    ap.add_argument("--train-dtype", default="auto")
    ap.add_argument("--chunk-tokens", type=int, default=1024)
    ap.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    ap.add_argument("--rl-steps", type=int, default=0, help="also run N generate→train iterations")
    ap.add_argument("--vllm", action="store_true", help="also measure the vLLM engine (needs `make vllm-setup`)")
    ap.add_argument("--vllm-args", nargs="*", default=[], help="extra `vllm serve` arguments")
    ap.add_argument("--vllm-compile", action="store_true", help="let vLLM compile (default on CPU: --enforce-eager)")
    ap.add_argument("--train-child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--variant", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--json-out", default=None)
    args = ap.parse_args()
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    if args.train_child:
        args.variant = args.train_child
        train_child(args)
        return
    import torch

    cuda = torch.cuda.is_available()
    args.batch_sizes = args.batch_sizes or ([32, 128, 256] if cuda else [1, 8, 32])
    args.new_tokens = args.new_tokens or (256 if cuda else 64)
    args.variants = args.variants or (["engine"] + (["plain_generate"] if args.baseline else []))
    args.static = {"auto": "auto", "true": True, "false": False}[str(args.static).lower()]
    result: dict = {}
    if not args.skip_rollout:
        result["rollout"] = bench_rollout(args)
    if not args.skip_train:
        result["train"] = bench_train(args)
    if args.rl_steps:
        result["rl_loop"] = bench_rl_loop(args)
    if args.vllm:
        result["vllm"] = bench_vllm(args)
    print("\n## summary")
    for r in result.get("rollout", []):
        print(f"rollout {r['variant']:>15} batch {r['batch']:>4} × {r['new_tokens']} new: "
              f"{r['tok_s']:>9.1f} tok/s ({r['seconds']} s; first call {r['first_call_s']} s)")
    for r in result.get("train", []):
        print(f"train {r['variant']:>10} {r['rows']}×{r['tokens_per_row']} tokens on {r['device']}: "
              f"step {r['step_s']} s; {r['peak_kind']}: {r['before_step_mb']} MB before, "
              f"{r['peak_step1_mb']} MB peak in step 1 (+{r['step1_increase_mb']}), {r['peak_mb']} MB over all steps")
    for r in result.get("rl_loop", []):
        print(f"rl loop {r['iteration']}: generate {r['gen_tokens']} tokens in {r['gen_s']} s ({r['gen_tok_s']} tok/s), "
              f"train step {r['train_tokens']} tokens in {r['train_s']} s")
    for r in result.get("vllm", []):
        v = r["variant"]
        if v == "vllm":
            print(f"rollout {v:>15} batch {r['batch']:>4} × {r['new_tokens']} new: {r['tok_s']:>9.1f} tok/s "
                  f"({r['seconds']} s)")
        elif v == "greedy_agreement":
            print(f"greedy agreement vllm vs transformers: {r['identical']}/{r['prompts']} identical over "
                  f"{r['new_tokens']} tokens; the others diverge at token {r['diverge_at']}")
        elif v.startswith("sync_") and "error" in r:
            print(f"weight sync by {v[5:]:>7}: FAILED: {r['error']}")
        elif v.startswith("sync_"):
            print(f"weight sync by {v[5:]:>7}: {r['seconds']} s (export {r['export_s']}, load {r['load_s']}, "
                  f"verify {r['verify_s']}; checksum over {r['checked_share']:.0%} of values)")
        else:
            print(f"vllm server start: {r['seconds']} s with {r['args']}")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
