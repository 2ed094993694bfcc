"""The `vllm serve` process a run owns: started from vLLM's own virtualenv, health-checked, restarted, stopped.

vLLM pins its own torch, transformers and fastapi, which cannot share an environment with Prefect, so the server
runs from a separate virtualenv (`make vllm-setup`) and we talk to it over HTTP on 127.0.0.1. The development
routes (`/pause`, `/collective_rpc`, ...) are switched on with VLLM_SERVER_DEV_MODE=1, and our worker extension
(`azr/policy/vllm_ext/azr_vllm_ext.py`) is put on the server's path so weight syncs can be verified.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
EXT_DIR = Path(__file__).resolve().parent / "vllm_ext"
EXTENSION_CLS = "azr_vllm_ext.AZRWorkerExtension"
SERVED_NAME = "azr-policy"
SETUP_HINT = "run `make vllm-setup` (builds .venv-vllm), or set rollout.vllm_env, or point rollout.vllm_url at a server"


class VLLMSetupError(ValueError):
    """The server cannot be used as configured (missing environment, bad URL, never healthy). Retrying the step
    cannot help, so this is a ValueError, which the pipeline's retry policy treats as deterministic."""


class VLLMUnavailable(RuntimeError):
    """The server went away (died, connection reset). Transient: the step is retried after a restart."""


def find_vllm_env(setting: str | None = None) -> Path:
    """The virtualenv holding vLLM: the setting, else $AZR_VLLM_ENV, else .venv-vllm in the repository."""
    raw = setting or os.environ.get("AZR_VLLM_ENV") or str(REPO_ROOT / ".venv-vllm")
    env = Path(raw).expanduser()
    if not (env / "bin" / "vllm").is_file():
        raise VLLMSetupError(f"rollout.engine=vllm: no vLLM environment at {env} (no bin/vllm there); {SETUP_HINT}")
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _set_pdeathsig() -> None:
    """In the child: die with the parent, so a killed trainer never leaves a server holding memory."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - best effort; stop() and atexit still clean up
        pass


@dataclass
class ServerSpec:
    """What `vllm serve` is started with; everything but the weights folder stays fixed for a run."""

    env: Path
    dtype: str  # float32 | bfloat16 | float16
    max_model_len: int
    max_num_seqs: int
    seed: int
    device: str = "cpu"  # "cpu" or "cuda[:N]"
    kv_cache_gb: float = 2.0
    gpu_memory_utilization: float = 0.3
    startup_timeout_s: float = 600.0
    enforce_eager: bool = False
    extra_args: list[str] = field(default_factory=list)
    log_path: Path | None = None


class VLLMServer:
    """One `vllm serve` process on a free port of 127.0.0.1."""

    def __init__(self, spec: ServerSpec):
        self.spec = spec
        self.port = 0
        self.model_dir: Path | None = None
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self, model_dir: Path) -> list[str]:
        s = self.spec
        cmd = [str(s.env / "bin" / "python"), str(EXT_DIR / "azr_serve.py"), "serve", str(model_dir), "--host", "127.0.0.1", "--port",
               str(self.port), "--served-model-name", SERVED_NAME, "--dtype", s.dtype,
               "--max-model-len", str(s.max_model_len), "--max-num-seqs", str(s.max_num_seqs),
               "--seed", str(s.seed), "--generation-config", "vllm", "--worker-extension-cls", EXTENSION_CLS,
               "--disable-uvicorn-access-log"]
        if s.device.startswith("cuda"):
            cmd += ["--gpu-memory-utilization", str(s.gpu_memory_utilization)]
        if s.enforce_eager:
            cmd.append("--enforce-eager")
        if s.device == "cpu":
            # vLLM 0.32 on CPU kills its engine when a seeded request is prefilled in chunks (it rewinds the
            # sampler's generator with set_offset, which CPU generators do not have: "CPU Generator does not use
            # offset"). Every request here is seeded, so prompts are prefilled whole: no chunking, and a token
            # budget per step that fits the longest prompt.
            cmd += ["--no-enable-chunked-prefill", "--max-num-batched-tokens", str(max(s.max_model_len, 2048))]
        return cmd + list(s.extra_args)

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
        env.update(VLLM_SERVER_DEV_MODE="1", PYTHONPATH=str(EXT_DIR), VLLM_NO_USAGE_STATS="1",
                   DO_NOT_TRACK="1", VLLM_LOGGING_LEVEL=os.environ.get("VLLM_LOGGING_LEVEL", "WARNING"))
        if self.spec.device == "cpu":
            env["VLLM_TARGET_DEVICE"] = "cpu"
            env["VLLM_CPU_KVCACHE_SPACE"] = str(max(1, round(self.spec.kv_cache_gb)))
            env.setdefault("VLLM_CPU_OMP_THREADS_BIND", "auto")
            # vLLM keeps one core for its HTTP front end by default; on a small machine that halves generation,
            # and the trainer and the front end are idle while the engine decodes. Set it to override.
            env.setdefault("VLLM_CPU_NUM_OF_RESERVED_CPU", "0")
        elif ":" in self.spec.device:
            env["CUDA_VISIBLE_DEVICES"] = self.spec.device.split(":", 1)[1]
        return env

    def start(self, model_dir: Path) -> None:
        """Launch on `model_dir` and block until /health answers; a failed start raises with the log's tail."""
        self.stop()
        self.model_dir = Path(model_dir)
        self.port = free_port()
        log_path = self.spec.log_path or Path(os.devnull)
        if self.spec.log_path:
            self.spec.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "ab") as out:
            self.proc = subprocess.Popen(self.command(self.model_dir), env=self.environment(), stdout=out,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         start_new_session=True, preexec_fn=_set_pdeathsig)
        self.starts += 1
        log.info("vllm serve (pid %d) starting on %s with %s", self.proc.pid, self.url, self.model_dir)
        self._wait_healthy()

    def _log_tail(self, lines: int = 25) -> str:
        p = self.spec.log_path
        if not p or not p.is_file():
            return "(no server log)"
        return "\n".join(p.read_text(errors="replace").splitlines()[-lines:])

    def _wait_healthy(self) -> None:
        import httpx

        deadline = time.monotonic() + self.spec.startup_timeout_s
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                code = None if self.proc is None else self.proc.returncode
                self.proc = None
                raise VLLMSetupError(f"vllm serve exited with code {code} while starting; log "
                                     f"{self.spec.log_path}:\n{self._log_tail()}\nCheck the environment: {SETUP_HINT}")
            try:
                if httpx.get(self.url + "/health", timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.stop()
        raise VLLMSetupError(f"vllm serve did not become healthy within {self.spec.startup_timeout_s:.0f} s "
                             f"(rollout.vllm_startup_timeout_s); log {self.spec.log_path}:\n{self._log_tail()}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, grace_s: float = 20.0) -> None:
        """SIGTERM to the server's process group (the API server and its engine core), SIGKILL after grace_s."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        for sig, wait in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 10.0)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        try:  # children (the engine core) may outlive the leader by a moment
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
