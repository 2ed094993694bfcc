"""Turning a model reference into a Hugging Face model folder.

A reference is one of:
- ``bundled``: the default SmolLM2-135M-Instruct (converted from its GGUF file once, then cached);
- a local model folder or ``.gguf`` file;
- ``RUN_ID``: the newest checkpoint of a training run under ``<home>/runs/RUN_ID/checkpoints/`` (the newest one
  a committed iteration records, when the run has commits; else the highest-numbered complete folder);
- ``RUN_ID@ITERATION``: that run's checkpoint for one iteration.

A checkpoint folder holds the model either directly (``config.json`` beside the weights) or in a subfolder
such as ``model/``; both layouts are found.
"""

from __future__ import annotations

import os
from pathlib import Path

from azr.model import BUNDLED, ModelNotFound, resolve_model_dir

# Where a checkpoint may keep its Hugging Face folder, in order of preference.
MODEL_SUBDIRS = ("", "model", "policy", "hf")


class ModelRefError(FileNotFoundError):
    """A model reference that points at nothing usable; the message lists what is available."""


def checkpoint_model_dir(ckpt: Path) -> Path | None:
    """The Hugging Face folder inside a checkpoint folder, or None when it holds no complete model."""
    for sub in MODEL_SUBDIRS:
        d = ckpt / sub if sub else ckpt
        if (d / "config.json").is_file() and _has_weights(d):
            return d
    if ckpt.is_dir():
        for d in sorted(p for p in ckpt.iterdir() if p.is_dir()):
            if (d / "config.json").is_file() and _has_weights(d):
                return d
    return None


def _has_weights(d: Path) -> bool:
    return any(d.glob("*.safetensors")) or any(d.glob("*.bin")) or any(d.glob("*.safetensors.index.json"))


def run_checkpoints(run_dir: Path) -> dict[int, Path]:
    """Iteration -> model folder for every complete checkpoint of a run."""
    root = run_dir / "checkpoints"
    found: dict[int, Path] = {}
    if not root.is_dir():
        return found
    for d in root.iterdir():
        if d.is_dir() and d.name.isdigit():
            model_dir = checkpoint_model_dir(d)
            if model_dir is not None:
                found[int(d.name)] = model_dir
    return dict(sorted(found.items()))


def _committed_checkpoint(home: Path, run_id: str) -> int | None:
    """The newest checkpoint recorded by a committed iteration (the storage package's view), when available.
    A checkpoint folder without a commit (a crash between the two) is then not taken as "latest"."""
    try:
        from storage import RunStore

        return RunStore.open(home, run_id).latest_checkpoint()
    except Exception:  # noqa: BLE001 - no storage package, or a run folder it cannot read: use the folders
        return None


def _runs(home: Path) -> list[str]:
    root = home / "runs"
    return sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def _looks_like_path(ref: str) -> bool:
    return os.sep in ref or "/" in ref or ref.startswith((".", "~")) or ref.endswith(".gguf")


def split_model_ref(ref: str) -> tuple[str, int | None]:
    """'RUN@7' -> ('RUN', 7); 'RUN' -> ('RUN', None)."""
    if "@" not in ref:
        return ref, None
    run_id, _, it = ref.rpartition("@")
    if not run_id or not it.strip().isdigit():
        raise ModelRefError(f"model reference {ref!r}: expected RUN_ID@ITERATION with a whole-number iteration")
    return run_id, int(it)


def resolve_model_ref(ref: str, home: str | os.PathLike | None = None,
                      cache_dir: str | os.PathLike | None = None) -> Path:
    """The model folder that `ref` names (see the module docstring). Raises ModelRefError with what exists."""
    from azr.config import resolve_home

    ref = ref.strip()
    if not ref:
        raise ModelRefError("empty model reference; use 'bundled', a model folder, RUN_ID or RUN_ID@ITERATION")
    if ref == BUNDLED:
        return resolve_model_dir(BUNDLED, cache_dir)
    p = Path(ref).expanduser()
    if p.exists():
        try:
            return resolve_model_dir(str(p), cache_dir)
        except ModelNotFound as exc:
            # A checkpoint folder given by path also works.
            model_dir = checkpoint_model_dir(p) if p.is_dir() else None
            if model_dir is not None:
                return model_dir
            raise ModelRefError(str(exc)) from None
    if _looks_like_path(ref) and "@" not in ref:
        raise ModelRefError(f"model path {ref!r} does not exist")
    home_path = resolve_home(home)
    run_id, iteration = split_model_ref(ref)
    run_dir = home_path / "runs" / run_id
    if not run_dir.is_dir():
        runs = _runs(home_path)
        listing = f"runs there: {', '.join(runs)}" if runs else "there are no runs there"
        raise ModelRefError(
            f"model {ref!r} is not 'bundled', an existing folder, or a run in {home_path / 'runs'} ({listing}). "
            "Use --home to point at another run folder."
        )
    ckpts = run_checkpoints(run_dir)
    if not ckpts:
        raise ModelRefError(f"run {run_id!r} has no checkpoints yet (looked in {run_dir / 'checkpoints'})")
    available = ", ".join(str(i) for i in ckpts)
    if iteration is None:
        committed = _committed_checkpoint(home_path, run_id)
        return ckpts[committed if committed in ckpts else max(ckpts)]
    if iteration not in ckpts:
        raise ModelRefError(
            f"run {run_id!r} has no checkpoint for iteration {iteration}; available iterations: {available}"
        )
    return ckpts[iteration]
