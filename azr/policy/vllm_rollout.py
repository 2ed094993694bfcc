"""The rollout engine of `rollout.engine=vllm`: a vLLM server kept in step with the trainer.

`VLLMRollout` implements the `RolloutEngine` protocol (through `VLLMEngine`) and adds what the runtime needs:
`ensure(model, version)` before every generating step (start or restart the server, sync the weights when the
server does not hold `version`) and `close()`. Every sync is verified (see `weight_sync`) and recorded in
`sync_log`; a failed one raises, so no step ever generates with stale weights.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

from azr.policy.vllm_engine import VLLMEngine
from azr.policy.vllm_server import ServerSpec, VLLMServer, VLLMSetupError, VLLMUnavailable, find_vllm_env
from azr.policy.weight_sync import (WeightSyncError, compare_checksums, compare_probe, export_weights, probe_ids,
                                    trainer_logprobs)

log = logging.getLogger(__name__)


def context_length(model_dir: Path, wanted: int) -> int:
    """The server's max_model_len: what the run needs (prompt + response), capped by the model's positions."""
    try:
        cfg = json.loads((Path(model_dir) / "config.json").read_text())
    except (OSError, ValueError):
        return wanted
    limit = cfg.get("max_position_embeddings") or cfg.get("text_config", {}).get("max_position_embeddings")
    return min(wanted, int(limit)) if limit else wanted


class VLLMRollout:
    def __init__(self, *, tokenizer: Any, base_dir: Path, work_dir: Path, method: str, dtype: str,
                 max_prompt_tokens: int, max_new_tokens: int, url: str | None = None,
                 spec: ServerSpec | None = None, concurrency: int = 64, stop_token_ids: list[int] | None = None):
        if url is None and spec is None:
            raise ValueError("VLLMRollout needs a server spec or the URL of a running server")
        if url is not None and method == "restart":
            raise VLLMSetupError("rollout.weight_sync=restart needs a server the run starts itself; with "
                                 "rollout.vllm_url set use weight_sync=disk")
        self.tokenizer = tokenizer
        self.base_dir = Path(base_dir)
        self.work_dir = Path(work_dir)
        self.method = method
        self.dtype = dtype
        self.server = VLLMServer(spec) if spec is not None else None
        max_len = spec.max_model_len if spec is not None else context_length(base_dir, max_prompt_tokens
                                                                              + max_new_tokens)
        self.engine = VLLMEngine(tokenizer, url or "http://unset", max_model_len=max_len,
                                 max_prompt_tokens=max_prompt_tokens, concurrency=concurrency,
                                 stop_token_ids=stop_token_ids)
        self.version: int | None = None  # the trainer iteration whose weights the server holds (verified)
        self.folder: Path = self.base_dir  # the folder the server's weights came from
        # The iteration whose weights `folder` holds: the base model is the trainer's iteration 0 (checked by
        # `verify` before it is trusted); a server we did not start may hold anything.
        self.folder_version: int | None = 0 if spec is not None else None
        self._verified = False
        self._seen_healthy = False
        self.sync_log: list[dict] = []
        self._probe = probe_ids(tokenizer)
        self.restarts = 0

    # -- RolloutEngine ----------------------------------------------------------------------------
    @property
    def stats(self) -> dict:
        return dict(self.engine.stats, weights_version=self.version, server_starts=self.server.starts
                    if self.server else 0)

    def encode(self, prompts: list[str]) -> list[list[int]]:
        return self.engine.encode(prompts)

    def generate(self, prompts: list[str], n: int = 1, temperature: float = 1.0, top_p: float = 1.0,
                 max_new_tokens: int = 256, seed: int | None = None, progress: bool = False,
                 *, ignore_eos: bool = False) -> list:
        return self.engine.generate(prompts, n, temperature, top_p, max_new_tokens, seed, progress,
                                    ignore_eos=ignore_eos)

    # -- lifecycle and weights ---------------------------------------------------------------------
    def _healthy(self) -> bool:
        import httpx

        if self.server is not None and not self.server.alive():
            return False
        try:
            return httpx.get(self.engine.url + "/health", timeout=5.0).status_code == 200
        except httpx.HTTPError:
            return False

    def ensure(self, model: Any, version: int) -> None:
        """Before generating: a healthy server holding the weights of trainer iteration `version`, verified."""
        if not self._healthy():
            if self.server is None:
                msg = (f"the vLLM server at rollout.vllm_url={self.engine.url} does not answer /health; start it "
                       "(see the README) or unset rollout.vllm_url to let the run start one")
                # Never reached: a wrong URL, retrying cannot help. Reached before: it went away, retry.
                raise (VLLMUnavailable if self._seen_healthy else VLLMSetupError)(msg)
            if self.server.starts:
                self.restarts += 1
                log.warning("vLLM server is not healthy; restarting it on %s", self.folder)
                print(f"vllm: server down, restarting it on {self.folder.name} (restart {self.restarts})")
            self.server.start(self.folder)
            self.engine.url = self.server.url
            self.version, self._verified = self.folder_version, False
        self._seen_healthy = True
        if self.version == version and not self._verified:
            try:
                self.sync_log.append(self.verify(model, version, how="start"))
                self._verified = True
            except WeightSyncError as exc:  # e.g. the base folder in another dtype: hand over the weights
                log.info("server weights after start are not the trainer's (%s); syncing", exc)
                self.version = None
        if self.version != version:
            self.sync(model, version)

    def sync(self, model: Any, version: int) -> dict:
        """Hand the trainer's current weights to the server and verify them."""
        before = self.server_logprobs()
        t0 = time.perf_counter()
        folder = self.work_dir / f"v{version:05d}-{uuid.uuid4().hex[:8]}"  # fresh path: vllm#32718
        export_weights(model, self.tokenizer, folder, self.dtype)
        t_export = time.perf_counter() - t0
        try:
            self._load(folder)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)  # never reached the server: the next try exports afresh
            raise
        t_load = time.perf_counter() - t0 - t_export
        old, self.folder, self.folder_version = self.folder, folder, version
        self.version, self._verified = None, False
        report = self.verify(model, version, how=self.method, before=before)
        report.update(seconds=time.perf_counter() - t0, export_s=t_export, load_s=t_load)
        self.version, self._verified = version, True
        self.sync_log.append(report)
        if old != self.base_dir and old != folder:
            shutil.rmtree(old, ignore_errors=True)
        print(f"vllm: weights of iteration {version} synced by {self.method} in {report['seconds']:.1f} s "
              f"(checksum over {report['checked_share']:.0%} of values, probe diff {report['probe_max_abs_diff']:.2g})")
        return report

    def _load(self, folder: Path) -> None:
        """Make the server serve `folder`: relaunch on it, or reload in place through the development routes."""
        if self.method == "restart":
            assert self.server is not None
            self.server.start(folder)
            self.engine.url = self.server.url
        else:
            self.version, self._verified = None, False  # unknown until verified
            steps = [("/pause", None), ("/collective_rpc", {"method": "reload_weights",
                                                            "kwargs": {"weights_path": str(folder)}}),
                     ("/collective_rpc", {"method": "azr_after_reload"}),  # CPU: the tied head's packed copy
                     ("/reset_prefix_cache", None), ("/resume", None)]
            paused = False
            try:
                for path, body in steps:
                    self._post(path, body)
                    paused = path != "/resume"
            finally:
                if paused:  # never leave the server paused: later requests would wait forever
                    try:
                        self._post("/resume", None)
                    except (VLLMUnavailable, WeightSyncError, VLLMSetupError):
                        pass

    def _post(self, path: str, body: dict | None) -> None:
        import httpx

        try:
            r = httpx.post(self.engine.url + path, json=body, timeout=600.0)
        except httpx.HTTPError as exc:
            raise VLLMUnavailable(f"weight sync: {path} failed ({exc!r})") from exc
        if r.status_code == 404:
            raise VLLMSetupError(f"the vLLM server has no {path} route: start it with VLLM_SERVER_DEV_MODE=1 "
                                 "(see the README)")
        if r.status_code != 200:
            raise WeightSyncError(f"weight sync: {path} answered {r.status_code}: {r.text[:300]}")

    def server_checksums(self) -> dict:
        import httpx

        r = httpx.post(self.engine.url + "/collective_rpc", json={"method": "azr_weight_checksums"}, timeout=600.0)
        if r.status_code != 200:
            raise VLLMSetupError(f"the vLLM server cannot report its weights ({r.status_code}: {r.text[:200]}); "
                                 "start it with the azr worker extension (see the README)")
        return r.json()["results"][0]

    def server_logprobs(self) -> list[list[float]]:
        import httpx

        out = []
        for ids in self._probe:
            body = {"model": self.engine.model_name, "prompt": ids, "max_tokens": 1, "temperature": 0.0,
                    "prompt_logprobs": 0}
            r = httpx.post(self.engine.url + "/v1/completions", json=body, timeout=600.0)
            if r.status_code != 200:
                raise WeightSyncError(f"probe request failed ({r.status_code}): {r.text[:200]}")
            rows = r.json()["choices"][0]["prompt_logprobs"][1:]
            out.append([float(row[str(t)]["logprob"]) for row, t in zip(rows, ids[1:])])
        return out

    def verify(self, model: Any, version: int | None, how: str, before: list | None = None) -> dict:
        report = {"version": version, "method": how, "folder": self.folder.name}
        report.update(compare_checksums(model, self.server_checksums()))
        report.update(compare_probe(trainer_logprobs(model, self._probe), self.server_logprobs(), self.dtype,
                                    before))
        return report

    def close(self) -> None:
        """Stop the server the run started, and drop the exported weights (the checkpoints hold them)."""
        if self.server is not None:
            self.server.stop()
        if self.folder != self.base_dir and self.work_dir in self.folder.parents:
            shutil.rmtree(self.folder, ignore_errors=True)


def check_vllm_settings(cfg: Any, device: str) -> None:
    """Refuse rollout settings that cannot work, before anything is started or written."""
    from azr.config import ConfigError

    r = cfg.rollout
    if r.engine != "vllm":
        return
    if r.weight_sync == "nccl":
        if not device.startswith("cuda"):
            raise ConfigError("rollout.weight_sync=nccl needs the trainer and the server on different GPUs; on CPU "
                              "vLLM's NCCL transfer reports success while copying nothing (vllm#57022). Use "
                              "rollout.weight_sync=disk (or restart)")
        raise ConfigError("rollout.weight_sync=nccl is not implemented yet (see the README's vLLM section); use "
                          "rollout.weight_sync=disk, which works on GPUs too")
    if r.vllm_url:
        if not r.vllm_url.startswith(("http://", "https://")):
            raise ConfigError(f"rollout.vllm_url={r.vllm_url!r} is not an http(s) URL; write http://host:port")
        if r.weight_sync == "restart":
            raise ConfigError("rollout.weight_sync=restart needs a server the run starts itself; with "
                              "rollout.vllm_url set use rollout.weight_sync=disk")
    else:
        find_vllm_env(r.vllm_env)


def build_vllm_rollout(cfg: Any, tokenizer: Any, model: Any, base_dir: Path, run_root: Path) -> VLLMRollout:
    """A `VLLMRollout` for `model` (the trainer's weights) from the run's config; the server is started by the
    first `ensure`, on the device and, by default, in the dtype of the model, and stops where the in-process
    engine would."""
    from azr.policy.engine import default_stop_ids
    from azr.policy.logprobs import unwrap

    first = next(unwrap(model).parameters())
    device, trainer_dtype = str(first.device), str(first.dtype).replace("torch.", "")
    check_vllm_settings(cfg, device)
    r = cfg.rollout
    dtype = trainer_dtype if r.vllm_dtype == "auto" else r.vllm_dtype
    common = dict(tokenizer=tokenizer, base_dir=base_dir, work_dir=run_root / "rollout-weights",
                  method=r.weight_sync, dtype=dtype, max_prompt_tokens=r.max_prompt_tokens,
                  max_new_tokens=r.max_new_tokens, concurrency=max(1, r.batch_size),
                  stop_token_ids=default_stop_ids(model, tokenizer))
    if r.vllm_url:
        return VLLMRollout(url=r.vllm_url, **common)
    spec = ServerSpec(env=find_vllm_env(r.vllm_env), dtype=dtype,
                      max_model_len=context_length(base_dir, r.max_prompt_tokens + r.max_new_tokens),
                      max_num_seqs=r.batch_size, seed=cfg.run.seed, device=device, kv_cache_gb=r.vllm_kv_cache_gb,
                      gpu_memory_utilization=r.vllm_gpu_memory_utilization,
                      startup_timeout_s=r.vllm_startup_timeout_s, extra_args=list(r.vllm_args),
                      enforce_eager=(device == "cpu") if r.vllm_enforce_eager == "auto" else r.vllm_enforce_eager,
                      log_path=run_root / "logs" / "vllm-server.log")
    return VLLMRollout(spec=spec, **common)
