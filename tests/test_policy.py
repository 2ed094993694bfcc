"""Policy: rollout engine, REINFORCE/TRR++ trainer, exact checkpoints (issue 5). Uses the tiny random Llama."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent
PROMPTS = ["def f(a):\n    return a", "Hello World", "x = [1, 2, 3]\nprint(sum(x))"]


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny models gain nothing from threads, and on a shared, busy CPU oversubscribed threads are 5-20x slower."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _load(model_dir):
    from transformers import AutoModelForCausalLM

    from azr.model import load_tokenizer

    model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch.float32)
    return model, load_tokenizer(model_dir)


@pytest.fixture
def tiny(tiny_model_dir):
    torch.manual_seed(0)
    return _load(tiny_model_dir)


def _cfg(**kw):
    base = dict(backend="torch", zero_stage=2, lr=1e-3, weight_decay=0.0, grad_clip=1.0, entropy_coef=0.0,
                dtype="float32", micro_batch_tokens=4096, logprob_chunk_tokens=1024, gradient_checkpointing=False)
    base.update(kw)
    return base


# ----------------------------------------------------------------------------------------------- rollouts

def test_generate_is_reproducible_with_a_seed(tiny):
    from azr.policy import Completion, RolloutEngine, TransformersEngine

    model, tok = tiny
    eng = TransformersEngine(model, tok, batch_size=4)
    assert isinstance(eng, RolloutEngine)
    before = torch.get_rng_state()
    a = eng.generate(PROMPTS, n=3, max_new_tokens=8, seed=7)
    assert torch.equal(before, torch.get_rng_state()), "a seeded call must leave the global RNG alone"
    b = eng.generate(PROMPTS, n=3, max_new_tokens=8, seed=7)
    c = eng.generate(PROMPTS, n=3, max_new_tokens=8, seed=8)
    ids = lambda out: [[x.token_ids for x in per] for per in out]  # noqa: E731
    assert ids(a) == ids(b)
    assert ids(a) != ids(c)
    assert [len(per) for per in a] == [3, 3, 3]
    first = a[0][0]
    assert isinstance(first, Completion) and first.finish_reason in ("stop", "length")
    assert first.prompt_tokens == len(tok(PROMPTS[0], add_special_tokens=False)["input_ids"])
    assert all(len(x.token_ids) <= 8 for per in a for x in per)
    assert eng.stats["tokens"] == sum(len(x.token_ids) for per in a for x in per) or eng.stats["sequences"] == 9
    assert eng.stats["tokens_per_s"] > 0 and eng.stats["sequences"] == 9
    # the three samples of one prompt differ (temperature 1 over a random model's flat distribution)
    assert len({tuple(x.token_ids) for x in a[1]}) > 1


def test_greedy_stop_tokens_and_left_cut(tiny):
    from azr.policy import TransformersEngine

    model, tok = tiny
    eng = TransformersEngine(model, tok, batch_size=8, max_prompt_tokens=4)
    g1 = eng.generate(PROMPTS, n=2, temperature=0.0, max_new_tokens=6)
    g2 = eng.generate(PROMPTS, n=2, temperature=0.0, max_new_tokens=6, seed=123)
    assert [[x.token_ids for x in p] for p in g1] == [[x.token_ids for x in p] for p in g2]
    assert all(p[0].token_ids == p[1].token_ids for p in g1)  # greedy: both copies equal
    assert all(x.prompt_tokens <= 4 for p in g1 for x in p)
    # the left cut keeps the end of the prompt: same output as giving only the last 4 tokens
    tail = tok.decode(tok(PROMPTS[2], add_special_tokens=False)["input_ids"][-4:])
    g3 = TransformersEngine(model, tok).generate([tail], temperature=0.0, max_new_tokens=6)
    assert g3[0][0].token_ids == g1[2][0].token_ids
    # stop at a stop token: make the greedy first token a stop token
    first = g1[0][0].token_ids[0]
    stopper = TransformersEngine(model, tok, max_prompt_tokens=4, stop_token_ids=[first])
    s = stopper.generate(PROMPTS[:1], temperature=0.0, max_new_tokens=6)[0][0]
    assert s.finish_reason == "stop" and s.token_ids == [first] and s.text == ""
    assert g1[0][0].finish_reason == "length" or first in eng.stop_token_ids


def test_engine_bf16_copy_follows_trained_weights(tiny):
    from azr.policy import TransformersEngine

    model, tok = tiny
    eng = TransformersEngine(model, tok, dtype="bfloat16")
    eng.generate(PROMPTS[:1], max_new_tokens=2, seed=0)
    assert next(eng._shadow.parameters()).dtype == torch.bfloat16
    with torch.no_grad():
        for p in model.parameters():
            p.add_(1.0)
    eng.generate(PROMPTS[:1], max_new_tokens=2, seed=0)
    for s, p in zip(eng._shadow.parameters(), model.parameters()):
        assert torch.equal(s, p.to(torch.bfloat16))


def test_rollout_dtype_setting_gives_the_run_bf16_rollouts_from_fp32_weights(tiny_model_dir, tmp_path):
    from azr.config import load_config
    from flows.runtime import Runtime
    from storage import RunStore

    cfg = load_config(overrides=[f"model.path={tiny_model_dir}", "rollout.dtype=bfloat16", f"run.home={tmp_path}"])
    rt = Runtime(cfg=cfg, store=RunStore.create(tmp_path, cfg.model_dump(mode="json")))
    out = rt.engine.generate(PROMPTS[:1], max_new_tokens=2, seed=0)
    assert len(out[0]) == 1 and rt.engine.dtype == torch.bfloat16
    assert next(rt.engine._shadow.parameters()).dtype == torch.bfloat16
    assert next(rt.trainer.model.parameters()).dtype == torch.float32  # the trainer keeps fp32 master weights


# ----------------------------------------------------------------------------------------------- trainer

def _hand_loss(model, samples, entropy_coef):
    """The documented objective, token by token, from full logits."""
    n = sum(len(s.response_ids) for s in samples)
    pg = ent = 0.0
    for s in samples:
        ids = torch.tensor([s.prompt_ids + s.response_ids])
        logp = torch.log_softmax(model(input_ids=ids).logits[0].float(), -1)
        for k, t in enumerate(s.response_ids):
            pos = len(s.prompt_ids) + k - 1
            pg = pg - s.advantage * logp[pos, t]
            ent = ent - (logp[pos].exp() * logp[pos]).sum()
    return pg / n - entropy_coef * ent / n


def test_loss_equals_hand_computed_value_and_gradient(tiny):
    from azr.policy import Trainer, TrainSample

    model, tok = tiny
    samples = [TrainSample([5, 6, 7], [8, 9], 1.5), TrainSample([10], [11, 12, 13], -0.5),
               TrainSample([14, 15, 16, 17], [18], 0.25)]
    model.zero_grad()
    expected = _hand_loss(model, samples, 0.1)
    expected.backward()
    want = {n: p.grad.clone() for n, p in model.named_parameters()}
    model.zero_grad()
    # small micro-batches and chunks: three micro-batches, several log-prob chunks, padding in between
    trainer = Trainer(model, tok, _cfg(entropy_coef=0.1, micro_batch_tokens=6, logprob_chunk_tokens=2))
    got = trainer.backward(samples)
    assert got["micro_batches"] >= 2 and got["tokens"] == 6
    assert math.isclose(got["loss"], expected.item(), rel_tol=1e-5, abs_tol=1e-6)
    for n, p in model.named_parameters():
        torch.testing.assert_close(p.grad, want[n], rtol=1e-4, atol=1e-5)
    # the naive path (all logits at once, one micro-batch) gives the same numbers
    model.zero_grad()
    naive = Trainer(model, tok, _cfg(entropy_coef=0.1, logprob_chunk_tokens=0))
    assert math.isclose(naive.backward(samples)["loss"], expected.item(), rel_tol=1e-5, abs_tol=1e-6)
    for n, p in model.named_parameters():
        torch.testing.assert_close(p.grad, want[n], rtol=1e-4, atol=1e-5)


def test_masked_tokens_get_no_gradient(tiny):
    from azr.policy import Trainer, TrainSample
    from azr.policy.trainer import collate

    model, tok = tiny
    samples = [TrainSample([5, 6, 7, 8], [9, 10], 1.0), TrainSample([11], [12, 13, 14, 15, 16, 17], -1.0)]
    trainer = Trainer(model, tok, _cfg(logprob_chunk_tokens=0, entropy_coef=0.01))
    captured = {}

    def keep(_mod, _inp, out):
        out.retain_grad()
        captured["logits"] = out

    handle = model.get_output_embeddings().register_forward_hook(keep)
    try:
        trainer.backward(samples)
    finally:
        handle.remove()
    grad = captured["logits"].grad  # (rows, width, vocab); rows sorted longest first
    ids, attn, lmask, _ = collate([samples[1], samples[0]], trainer.pad_id, torch.device("cpu"))
    predicts_trained = torch.zeros_like(lmask)
    predicts_trained[:, :-1] = lmask[:, 1:]  # position t predicts token t + 1
    per_pos = grad.abs().sum(-1)
    assert per_pos[~predicts_trained].max() == 0, "prompt or padding positions received gradient"
    assert (per_pos[predicts_trained] > 0).all()
    assert attn.sum() < attn.numel(), "the batch should contain padding"
    # padding content does not matter: a different pad id gives the same loss and gradient
    model.zero_grad()
    trainer.pad_id = 3
    l1 = trainer.backward(samples)["loss"]
    g1 = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    trainer.pad_id = 4
    assert trainer.backward(samples)["loss"] == pytest.approx(l1, rel=1e-6)
    for a, p in zip(g1, model.parameters()):
        torch.testing.assert_close(a, p.grad, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("advantage", [1.0, -1.0])
def test_advantage_sign_moves_the_sequence_logprob(tiny, advantage):
    from azr.policy import Trainer, TrainSample, TransformersEngine

    model, tok = tiny
    comp = TransformersEngine(model, tok).generate(PROMPTS[:1], max_new_tokens=12, seed=3)[0][0]
    prompt = tok(PROMPTS[0], add_special_tokens=False)["input_ids"]
    sample = TrainSample(prompt, comp.token_ids, advantage)

    def seq_logprob():
        with torch.no_grad():
            return -float(_hand_loss(model, [TrainSample(prompt, comp.token_ids, 1.0)], 0.0)) * len(comp.token_ids)

    before = seq_logprob()
    m = Trainer(model, tok, _cfg(lr=1e-3)).step([sample])
    after = seq_logprob()
    assert m["grad_norm"] > 0 and m["tokens"] == len(comp.token_ids) and not m["skipped"]
    assert {"loss", "grad_norm", "entropy", "tokens", "tokens_per_s", "seconds"} <= set(m)
    assert (after - before) * advantage > 0.05


def test_micro_batches_respect_the_token_budget_and_accumulate_exactly(tiny):
    from azr.policy import Trainer, TrainSample, micro_batches

    groups = micro_batches([10, 3, 7, 7, 2, 30], budget=16)
    assert sorted(i for g in groups for i in g) == [0, 1, 2, 3, 4, 5]
    lengths = [10, 3, 7, 7, 2, 30]
    for g in groups:
        assert len(g) == 1 or len(g) * max(lengths[i] for i in g) <= 16
    model, tok = tiny
    g = torch.Generator().manual_seed(1)
    samples = [TrainSample(torch.randint(0, 500, (int(p),), generator=g).tolist(),
                           torch.randint(0, 500, (int(r),), generator=g).tolist(), float(a))
               for p, r, a in [(3, 5, 1.0), (7, 2, -1.0), (1, 9, 0.5), (4, 4, -0.3)]]
    grads = []
    for budget in (16, 4096):
        model.zero_grad()
        Trainer(model, tok, _cfg(micro_batch_tokens=budget, entropy_coef=0.01)).backward(samples)
        grads.append([p.grad.clone() for p in model.parameters()])
    for a, b in zip(*grads):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)


def test_empty_batch_is_skipped(tiny):
    from azr.policy import Trainer, TrainSample

    model, tok = tiny
    before = [p.clone() for p in model.parameters()]
    m = Trainer(model, tok, _cfg()).step([TrainSample([1, 2], [], 1.0)])
    assert m["skipped"] and m["tokens"] == 0
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))


# ----------------------------------------------------------------------------------------------- checkpoints

def _child_run(mode: str, model_dir: str, ckpt: str, out: str) -> None:
    """Run in this process or a fresh one: 'straight' trains 3 steps (saving a checkpoint after step 2),
    'resume' loads that checkpoint and trains the 3rd step. Each step's data comes from the policy's own
    samples (global torch RNG) and random advantages (python + numpy RNG), so RNG restore matters."""
    import random

    import numpy as np

    from azr.policy import Trainer, TrainSample, TransformersEngine, load_checkpoint, save_checkpoint

    torch.set_num_threads(1)
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    model, tok = _load(model_dir)
    trainer = Trainer(model, tok, _cfg(lr=1e-3, entropy_coef=0.01, micro_batch_tokens=48, logprob_chunk_tokens=8))
    engine = TransformersEngine(trainer.model, tok, batch_size=4)

    def one_step():
        outs = engine.generate(PROMPTS, n=2, max_new_tokens=6)
        samples = [TrainSample(tok(p, add_special_tokens=False)["input_ids"], c.token_ids,
                               random.gauss(0, 1) + float(np.random.randn()))
                   for p, cs in zip(PROMPTS, outs) for c in cs]
        return trainer.step(samples)

    if mode == "straight":
        for step in (1, 2, 3):
            one_step()
            if step == 2:
                save_checkpoint(trainer, Path(ckpt), step, extra={"sampler": [1, 2]})
    else:
        info = load_checkpoint(Path(ckpt), trainer)
        assert info == {"step": 2, "extra": {"sampler": [1, 2]}}, info
        one_step()
    torch.save({k: v.clone() for k, v in model.state_dict().items()}, out)


def _run_child(*args: str) -> None:
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); sys.path.insert(0, {str(ROOT / 'tests')!r}); "
            f"import test_policy as t; t._child_run(*{list(args)!r})")
    env = dict(os.environ, OMP_NUM_THREADS="1")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr[-4000:]


def test_checkpoint_continues_training_exactly(tiny_model_dir, tmp_path):
    """3 steps straight (here, saving after step 2) == load that checkpoint in a fresh process + 1 step."""
    from azr.policy.checkpoint import rng_state, set_rng_state

    ckpt = tmp_path / "ckpt" / "2"
    saved = rng_state()
    try:
        _child_run("straight", str(tiny_model_dir), str(ckpt), str(tmp_path / "straight.pt"))
    finally:
        set_rng_state(*saved)
    assert (ckpt / "model" / "model.safetensors").is_file() and (ckpt / "optimizer.pt").is_file()
    assert not [p for p in ckpt.parent.iterdir() if p.name.startswith(".")], "temporary folders left behind"
    _run_child("resume", str(tiny_model_dir), str(ckpt), str(tmp_path / "resumed.pt"))
    a = torch.load(tmp_path / "straight.pt", weights_only=True)
    b = torch.load(tmp_path / "resumed.pt", weights_only=True)
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), f"{k} differs after resume"
    # the weights folder is a normal Hugging Face folder
    from transformers import AutoModelForCausalLM

    AutoModelForCausalLM.from_pretrained(str(ckpt / "model"))


def test_save_checkpoint_replaces_atomically(tiny, tmp_path):
    from azr.policy import Trainer, load_checkpoint, save_checkpoint

    model, tok = tiny
    trainer = Trainer(model, tok, _cfg())
    folder = tmp_path / "c"
    save_checkpoint(trainer, folder, 1)
    save_checkpoint(trainer, folder, 5, extra={"x": 1})
    assert json.loads((folder / "state.json").read_text())["step"] == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c"]
    assert load_checkpoint(folder, trainer) == {"step": 5, "extra": {"x": 1}}


# ----------------------------------------------------------------------------------------------- deepspeed, imports

_DS_CHILD = r"""
import json, sys, torch
sys.path.insert(0, {root!r})
from transformers import AutoModelForCausalLM
from azr.model import load_tokenizer
from azr.policy import Trainer, TrainSample
torch.set_num_threads(1)
tok = load_tokenizer({model!r})
samples = [TrainSample([5, 6, 7], [8, 9, 10, 11], 1.0), TrainSample([12], [13, 14], -0.7),
           TrainSample([15, 16], [17, 18, 19], 0.4)]
cfg = dict(lr=1e-3, entropy_coef=0.01, dtype="float32", micro_batch_tokens=8, logprob_chunk_tokens=4)
out = {{}}
for backend in ("torch", "deepspeed"):
    model = AutoModelForCausalLM.from_pretrained({model!r}, dtype=torch.float32)
    tr = Trainer(model, tok, dict(cfg, backend=backend, zero_stage={stage}))
    m = tr.step(samples)
    base = tr.model.module if backend == "deepspeed" else tr.model
    out[backend] = dict(metrics=m, weights={{k: v.detach().clone() for k, v in base.state_dict().items()}})
a, b = out["torch"], out["deepspeed"]
diff = max(float((a["weights"][k] - b["weights"][k]).abs().max()) for k in a["weights"])
# DeepSpeed checkpoint round trip: a fresh engine loaded from it takes the same next step
from pathlib import Path
from azr.policy import save_checkpoint, load_checkpoint
folder = save_checkpoint(tr, Path({tmp!r}) / "ds-ckpt", 1, extra={{"a": 1}})
model2 = AutoModelForCausalLM.from_pretrained({model!r}, dtype=torch.float32)
tr2 = Trainer(model2, tok, dict(cfg, backend="deepspeed", zero_stage={stage}))
info = load_checkpoint(folder, tr2)
tr.step(samples); tr2.step(samples)
sd1, sd2 = tr.model.module.state_dict(), tr2.model.module.state_dict()
resume_diff = max(float((sd1[k] - sd2[k]).abs().max()) for k in sd1)
print("RESULT " + json.dumps(dict(diff=diff, torch=a["metrics"], ds=b["metrics"], info=info,
      resume_diff=resume_diff, engine=type(tr.model).__name__)))
"""


def test_deepspeed_single_process_step_matches_torch(tiny_model_dir, tmp_path):
    pytest.importorskip("deepspeed")
    code = _DS_CHILD.format(root=str(ROOT), model=str(tiny_model_dir), stage=2, tmp=str(tmp_path))
    env = dict(os.environ, DS_ACCELERATOR="cpu", OMP_NUM_THREADS="1")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600)
    lines = [l for l in res.stdout.splitlines() if l.startswith("RESULT ")]
    assert res.returncode == 0 and lines, res.stderr[-4000:]
    r = json.loads(lines[0][7:])
    assert r["engine"] == "DeepSpeedEngine"
    assert r["ds"]["micro_batches"] >= 2
    assert r["ds"]["loss"] == pytest.approx(r["torch"]["loss"], rel=1e-5)
    assert r["ds"]["grad_norm"] == pytest.approx(r["torch"]["grad_norm"], rel=1e-4)
    assert r["diff"] < 1e-6, r
    assert r["info"] == {"step": 1, "extra": {"a": 1}}
    assert r["resume_diff"] == 0.0, r


def test_policy_imports_without_pipeline_dependencies():
    code = ("import sys\nfor m in ('pydantic', 'prefect', 'mlflow', 'yaml', 'duckdb', 'pyarrow', 'deepspeed'):\n"
            "    sys.modules[m] = None\n"
            f"sys.path.insert(0, {str(ROOT)!r})\n"
            "import azr.policy as p\nprint(sorted(p.__all__))\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-3000:]
