"""Checkpoints that continue training exactly: weights, optimizer, RNG states, step, caller's extra data.

Layout of a checkpoint folder (written under a temporary name beside it, then renamed into place):

    model/          config.json + model.safetensors (+ tokenizer files): loadable with from_pretrained
    optimizer.pt    torch optimizer state (torch backend)   |   deepspeed/  DeepSpeed's own checkpoint
    rng.pt          torch CPU and CUDA generator states      rng.json  python and numpy states
    state.json      step, extra, backend (written last, before the rename)

Only torch, transformers and safetensors are needed (numpy if installed).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
from pathlib import Path
from typing import Any

import torch

from azr.policy.logprobs import unwrap

STATE_FILE = "state.json"


def _fsync_tree(folder: Path) -> None:
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            with open(p, "rb") as fh:
                os.fsync(fh.fileno())
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def rng_state() -> tuple[dict, dict]:
    """(json-able python/numpy states, torch tensors)."""
    py_version, py_state, py_gauss = random.getstate()
    plain: dict[str, Any] = {"python": [py_version, list(py_state), py_gauss]}
    try:
        import numpy as np

        name, keys, pos, has_gauss, cached = np.random.get_state()
        plain["numpy"] = [name, keys.tolist(), int(pos), int(has_gauss), float(cached)]
    except ImportError:
        pass
    tensors: dict[str, Any] = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        tensors["cuda"] = torch.cuda.get_rng_state_all()
    return plain, tensors


def set_rng_state(plain: dict, tensors: dict) -> None:
    v, state, gauss = plain["python"]
    random.setstate((v, tuple(state), gauss))
    if "numpy" in plain:
        try:
            import numpy as np

            name, keys, pos, has_gauss, cached = plain["numpy"]
            np.random.set_state((name, np.asarray(keys, dtype=np.uint32), pos, has_gauss, cached))
        except ImportError:
            pass
    torch.set_rng_state(tensors["torch"])
    if "cuda" in tensors and torch.cuda.is_available():
        states = tensors["cuda"]
        if len(states) == torch.cuda.device_count():
            torch.cuda.set_rng_state_all(states)


def save_checkpoint(trainer: Any, folder: str | os.PathLike, step: int, extra: dict | None = None) -> Path:
    """Write everything needed to continue training into `folder`, atomically (temp dir + rename).

    An existing folder of the same name is replaced only once the new one is complete. `extra` must be
    JSON-serialisable (sampler positions, run ids, ...). Returns the folder.
    """

    def fill(tmp: Path) -> dict:
        base = unwrap(trainer.model)
        model_dir = tmp / "model"
        base.save_pretrained(model_dir, safe_serialization=True)
        if getattr(trainer, "tokenizer", None) is not None:
            trainer.tokenizer.save_pretrained(model_dir)
        engine = getattr(trainer, "engine", None)
        if engine is not None:  # DeepSpeed: its own (possibly partitioned) optimizer state
            engine.save_checkpoint(str(tmp / "deepspeed"), tag="state")
        else:
            torch.save(trainer.optimizer.state_dict(), tmp / "optimizer.pt")
        plain, tensors = rng_state()
        torch.save(tensors, tmp / "rng.pt")
        (tmp / "rng.json").write_text(json.dumps(plain))
        return {"step": int(step), "extra": extra or {}, "backend": getattr(trainer, "backend", "torch"),
                "trainer_steps": int(getattr(trainer, "step_count", step))}

    return write_atomically(Path(folder), fill)


def write_atomically(folder: Path, fill: Any) -> Path:
    """`fill(tmp)` writes a checkpoint's files into a temporary folder beside `folder` and returns its state;
    the state file is written last, then the folder is renamed into place (replacing an older one only once the
    new one is complete)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=folder.parent))
    try:
        state = fill(tmp)
        (tmp / STATE_FILE).write_text(json.dumps(state, indent=1))
        _fsync_tree(tmp)
        old = None
        if folder.exists():
            old = folder.parent / f".{folder.name}.old-{os.getpid()}"
            os.rename(folder, old)
        os.rename(tmp, folder)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        fd = os.open(folder.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


def _load_weights(model: Any, model_dir: Path) -> None:
    from safetensors.torch import load_file

    files = sorted(model_dir.glob("*.safetensors"))
    if not files:
        raise FileNotFoundError(f"no .safetensors weights in {model_dir}")
    state: dict[str, torch.Tensor] = {}
    for f in files:
        state.update(load_file(str(f)))
    missing, unexpected = model.load_state_dict(state, strict=False)
    # Tied weights (lm_head = embeddings) are stored once; every other key must match.
    tied = {n for n, p in model.named_parameters(remove_duplicate=False)} - {n for n, _ in model.named_parameters()}
    really_missing = [k for k in missing if k not in tied]
    if really_missing or unexpected:
        raise RuntimeError(f"checkpoint {model_dir} does not fit the model: missing {really_missing[:5]}, "
                           f"unexpected {list(unexpected)[:5]}")


def load_checkpoint(folder: str | os.PathLike, trainer: Any) -> dict:
    """Restore weights, optimizer state and RNG states into `trainer` (built as for a fresh run).

    Returns {"step": ..., "extra": {...}}. After this, the next `trainer.step` does exactly what it would have done
    in the run that saved the checkpoint.
    """
    folder = Path(folder)
    state = json.loads((folder / STATE_FILE).read_text())
    if state.get("format", "").startswith("portable"):
        raise ValueError(f"checkpoint {folder} was written by a `run.cluster: ray` trainer group; resume it with "
                         "run.cluster=ray (any number of cluster.trainer_ranks)")
    engine = getattr(trainer, "engine", None)
    if engine is not None:
        engine.load_checkpoint(str(folder / "deepspeed"), tag="state", load_optimizer_states=True,
                               load_lr_scheduler_states=True)
    else:
        with torch.no_grad():
            _load_weights(unwrap(trainer.model), folder / "model")
        opt_state = torch.load(folder / "optimizer.pt", map_location="cpu", weights_only=True)
        trainer.optimizer.load_state_dict(opt_state)
    trainer.step_count = int(state.get("trainer_steps", state["step"]))
    plain = json.loads((folder / "rng.json").read_text())
    tensors = torch.load(folder / "rng.pt", map_location="cpu", weights_only=True)
    set_rng_state(plain, tensors)
    return {"step": state["step"], "extra": state.get("extra", {})}
