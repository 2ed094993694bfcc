"""`rollout.engine: vllm` under `run.cluster: ray`: each rollout engine actor owns one `vllm serve` process on its
node (started from the vLLM environment, on 127.0.0.1 of that node, stopped with the actor) and talks to it over
HTTP with the same `VLLMEngine` the single-process run uses.

Weight sync is the `disk` method of a local run: trainer rank 0 exports safetensors to shared storage, every
server reloads them in place (pause, reload, re-pack, reset the prefix cache, resume). Verification needs the
trainer's weights, which only the trainer holds, so each engine reports its server's per-parameter checksums and
probe log-probs and trainer rank 0 compares them with its own (`TrainerGroup.compare_server`), after a start and
after every reload; a mismatch fails the step.
"""

from __future__ import annotations

import os
import types
from pathlib import Path
from typing import Any

from azr.config import ConfigError


def check_settings(cfg: Any) -> None:
    r = cfg.rollout
    if r.vllm_url:
        raise ConfigError("run.cluster=ray starts one vLLM server per rollout engine actor; rollout.vllm_url (one "
                          "server you run) cannot serve them: unset it")
    if r.weight_sync != "disk":
        raise ConfigError(f"run.cluster=ray syncs the vLLM engines from exported weights on shared storage; "
                          f"rollout.weight_sync={r.weight_sync!r} is not available there: use disk")


class VLLMWorker:
    """One engine: a vLLM server on this actor's node. Plain class; wrapped with `ray.remote` by `EnginePool`."""

    def __init__(self, config: dict, folder: str, index: int = 0):
        import torch
        from transformers import GenerationConfig

        from azr.config import config_from_dict
        from azr.model import load_tokenizer
        from azr.policy.engine import default_stop_ids
        from azr.policy.vllm_rollout import VLLMRollout, context_length
        from azr.policy.vllm_server import ServerSpec, find_vllm_env

        cfg = config_from_dict(config, source="the run's config (vLLM engine)")
        r = cfg.rollout
        base = Path(folder)
        device = "cuda" if torch.cuda.is_available() else "cpu"  # Ray hides the GPUs an actor did not reserve
        dtype = export_dtype(cfg, device)
        tok = load_tokenizer(base)
        gen = types.SimpleNamespace(generation_config=GenerationConfig.from_pretrained(base))
        spec = ServerSpec(env=find_vllm_env(r.vllm_env), dtype=dtype,
                          max_model_len=context_length(base, r.max_prompt_tokens + r.max_new_tokens),
                          max_num_seqs=r.batch_size, seed=cfg.run.seed + index, device=device,
                          kv_cache_gb=r.vllm_kv_cache_gb, gpu_memory_utilization=r.vllm_gpu_memory_utilization,
                          startup_timeout_s=r.vllm_startup_timeout_s, extra_args=list(r.vllm_args),
                          enforce_eager=(device == "cpu") if r.vllm_enforce_eager == "auto" else r.vllm_enforce_eager,
                          log_path=base.parent.parent / "logs" / f"vllm-server-{index}.log")
        self.rollout = VLLMRollout(spec=spec, tokenizer=tok, base_dir=base, work_dir=base.parent, method="disk",
                                   dtype=dtype, max_prompt_tokens=r.max_prompt_tokens,
                                   max_new_tokens=r.max_new_tokens, concurrency=max(1, r.batch_size),
                                   stop_token_ids=default_stop_ids(gen, tok))
        self.rollout.server.start(base)
        self.rollout.engine.url = self.rollout.server.url

    def report(self) -> dict:
        """What the server holds, for the trainer to compare: per-parameter checksums and the probe log-probs."""
        return {"checksums": self.rollout.server_checksums(), "probe": self.rollout.server_logprobs(),
                "dtype": self.rollout.dtype}

    def load(self, folder: str) -> dict:
        self.rollout._load(Path(folder))
        self.rollout.folder = Path(folder)
        return self.report()

    def generate(self, prompts: list[str], kwargs: dict) -> tuple[list, dict]:
        out = self.rollout.generate(prompts, **kwargs)
        return out, dict(self.rollout.engine.stats)

    def encoding(self) -> dict:
        e = self.rollout.engine
        return {"pad_id": e.pad_id, "max_prompt_tokens": e.prompt_limit, "add_special": e.add_special_tokens}

    def pid(self) -> int:
        return os.getpid()

    def close(self) -> None:
        """Stop the server (a killed actor's server gets SIGTERM from the kernel: PDEATHSIG)."""
        self.rollout.server.stop()


def export_dtype(cfg: Any, device: str) -> str:
    """The dtype the weights are exported in and the servers run in: rollout.vllm_dtype, or the model's."""
    from azr.model import pick_dtype

    if cfg.rollout.vllm_dtype != "auto":
        return cfg.rollout.vllm_dtype
    return str(pick_dtype(cfg.model.dtype, device)).removeprefix("torch.")


def compare_with_trainer(model: Any, tokenizer: Any, report: dict) -> dict:
    """On trainer rank 0: the server's weights must be the trainer's (checksums and probe, as for one server)."""
    from azr.policy.weight_sync import compare_checksums, compare_probe, probe_ids, trainer_logprobs

    out = compare_checksums(model, report["checksums"])
    out.update(compare_probe(trainer_logprobs(model, probe_ids(tokenizer)), report["probe"], report["dtype"]))
    return out
