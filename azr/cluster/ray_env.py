"""Joining (or starting) the Ray cluster, and what every actor process needs from the driver's environment."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from azr.config import ConfigError

REPO = Path(__file__).resolve().parents[2]
# Read by the actors' imports (model cache, offline hub, DeepSpeed's CPU accelerator); passed on explicitly
# because an existing cluster's workers do not inherit this process's environment.
PASSED_ENV = ("AZR_CACHE", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "TOKENIZERS_PARALLELISM", "DS_ACCELERATOR",
              "HF_HOME")


def require_ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise ConfigError("run.cluster=ray needs Ray in this environment: run `pip install -e '.[cluster]'` "
                          "(or `make setup`), or set run.cluster=local") from exc
    return ray


def runtime_env() -> dict:
    env = {k: os.environ[k] for k in PASSED_ENV if k in os.environ}
    path = [str(REPO)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(path))
    return {"env_vars": env}


def connect(cluster: Any, cpus_needed: int) -> bool:
    """Join `cluster.address`, or start a local head sized for the run's actors. Returns True when this call
    started Ray (so the run stops it again)."""
    ray = require_ray()
    if ray.is_initialized():
        return False
    kw: dict[str, Any] = dict(runtime_env=runtime_env(), include_dashboard=False, log_to_driver=True,
                              configure_logging=False)
    if cluster.address:
        try:
            ray.init(address=cluster.address, **kw)
        except ConnectionError as exc:
            raise ConfigError(f"cluster.address={cluster.address!r}: no Ray cluster answers there ({exc}). Start "
                              "one with `ray start --head`, fix the address, or leave it empty to start a local "
                              "head. A cluster with token authentication (on by default since Ray 2.59) also "
                              "needs its token here: `ray get-auth-token` on the head, then RAY_AUTH_TOKEN") from exc
    else:
        # Logical CPUs: the actors mostly wait on one another, so a small machine may hold more of them than cores.
        ray.init(num_cpus=max(os.cpu_count() or 1, cpus_needed), **kw)
    return True


def shutdown() -> None:
    ray = require_ray()
    if ray.is_initialized():
        ray.shutdown()
