"""Shared fixtures. Every test runs with private homes for Prefect, MLflow, the run folder and the model cache,
so the suite never touches ~/.prefect, ~/.config/mlflow or ./azr-home."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Set before anything imports prefect or mlflow: both read their settings at import time.
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="azr-tests-"))
# Half a gigabyte per session (the converted model cache): left behind, a few suites fill a CI disk.
atexit.register(shutil.rmtree, _SESSION_DIR, True)
os.environ.update(
    {
        "PREFECT_HOME": str(_SESSION_DIR / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_API_URL": "",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "MLFLOW_TRACKING_URI": f"sqlite:///{_SESSION_DIR / 'mlflow.db'}",
        "MLFLOW_CONFIG_DIR": str(_SESSION_DIR / "mlflow-config"),
        "AZR_HOME": str(_SESSION_DIR / "azr-home"),
        "AZR_CACHE": os.environ.get("AZR_TEST_CACHE", str(_SESSION_DIR / "cache")),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "DS_ACCELERATOR": "cpu",
    }
)
os.environ.pop("PREFECT_API_URL")


@pytest.fixture(autouse=True)
def _mlflow_uri_put_back():
    """`mlflow.set_tracking_uri` (called by a test directly) also rewrites $MLFLOW_TRACKING_URI; left pointing into
    a test's deleted folder, it would send every later test's MLflow there."""
    before = os.environ.get("MLFLOW_TRACKING_URI")
    yield
    if os.environ.get("MLFLOW_TRACKING_URI") != before:
        if "mlflow" in sys.modules:
            sys.modules["mlflow"].set_tracking_uri(before)
        os.environ.pop("MLFLOW_TRACKING_URI", None)
        if before is not None:
            os.environ["MLFLOW_TRACKING_URI"] = before


@pytest.fixture
def azr_home(tmp_path, monkeypatch) -> Path:
    """A fresh run folder for one test."""
    home = tmp_path / "azr-home"
    monkeypatch.setenv("AZR_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def bundled_model_dir() -> Path:
    """The real SmolLM2-135M-Instruct, converted from the bundled GGUF into the session cache (once)."""
    from azr.model import resolve_model_dir

    return resolve_model_dir("bundled")


@pytest.fixture(scope="session")
def tiny_model_dir(bundled_model_dir, tmp_path_factory) -> Path:
    """A randomly initialised 2-layer Llama that shares the real tokenizer: fast, real forward/backward."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from azr.model import load_tokenizer

    tok = load_tokenizer(bundled_model_dir)
    torch.manual_seed(0)
    cfg = LlamaConfig(
        vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096,
        bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id,
        tie_word_embeddings=True,
    )
    model = LlamaForCausalLM(cfg)
    out = tmp_path_factory.mktemp("tiny-model")
    model.save_pretrained(out, safe_serialization=True)
    tok.save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def prefect_harness():
    """One ephemeral Prefect API for the whole session (starting one costs ~13 s)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture(scope="session")
def vllm_env():
    """The vLLM virtualenv the tests start servers from; its absence is a failure, not a skip."""
    from azr.policy.vllm_server import VLLMSetupError, find_vllm_env

    try:
        return find_vllm_env()
    except VLLMSetupError as exc:
        pytest.fail(f"{exc} (make test builds it)")


@pytest.fixture(scope="session")
def vllm_tiny_model_dir(bundled_model_dir, tmp_path_factory):
    """A random 2-layer Llama with the real tokenizer and a head size vLLM's CPU attention supports (64)."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from azr.model import load_tokenizer

    tok = load_tokenizer(bundled_model_dir)
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=128, intermediate_size=256, num_hidden_layers=2,
                      num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=4096,
                      bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id,
                      tie_word_embeddings=True)
    out = tmp_path_factory.mktemp("vllm-tiny-model")
    LlamaForCausalLM(cfg).save_pretrained(out, safe_serialization=True)
    tok.save_pretrained(out)
    return out
