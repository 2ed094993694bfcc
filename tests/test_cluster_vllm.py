"""rollout.engine=vllm under run.cluster=ray: two rollout engine actors, each owning a real `vllm serve` (CPU build)
on its node, fed exported weights after every update and verified by trainer rank 0; one engine is killed while
it generates and is replaced (with a new server on the current weights) without losing the step."""

from __future__ import annotations

import pytest

pytest.importorskip("ray")

from azr.config import load_config  # noqa: E402
from test_cluster_pipeline import _rows, _train_killing  # noqa: E402
from test_pipeline import tiny_overrides  # noqa: E402

pytestmark = pytest.mark.slow


def _servers_of(home) -> list[int]:
    import psutil

    out = []
    for p in psutil.process_iter(["pid", "cmdline"]):
        cmd = " ".join(p.info["cmdline"] or [])
        if "vllm" in cmd and str(home) in cmd:
            out.append(p.info["pid"])
    return out


def test_two_iterations_on_two_vllm_engine_actors_with_verified_syncs_and_a_killed_engine(
        prefect_harness, vllm_tiny_model_dir, vllm_env, tmp_path):
    import time

    from storage import RunStore

    home = tmp_path / "home"
    cfg = load_config(overrides=tiny_overrides(vllm_tiny_model_dir, home) + [
        "rollout.engine=vllm", "trainer.lr=1.0e-3", "run.cluster=ray", "cluster.rollout_engines=2",
        "cluster.actor_timeout_s=600"])
    run_id, killer = _train_killing(cfg, "engine")
    store = RunStore.open(home, run_id)
    assert store.committed_iterations() == [0, 1, 2] and store.meta["status"] == "finished"

    for it in (1, 2):
        for step in ("propose", "learnability", "solve"):
            stats = store.read_json(it, f"step-{step}")["engine"]
            if stats:
                assert stats["engine"] == "vllm" and stats["engines"] == 2, (it, step, stats)
    assert "engine" in killer.killed and killer.engines.restarts >= 1
    for it in (1, 2):
        sync = store.read_json(it, "step-update")["weight_sync"]
        assert sync["version"] == it and sync["engines"] == 2 and len(sync["servers"]) == 2
        for server in sync["servers"]:  # rank 0 compared each server's weights with its own
            assert server["checksum_match"] and server["probe_max_abs_diff"] <= server["probe_tolerance"]
    for table, key in (("proposals", "proposal_id"), ("rollouts", "rollout_id")):
        n = _rows(cfg, run_id, f"select count(*) as n, count(distinct {key}) as d from {table} "
                                "where run_id = '{run}'")[0]
        assert n["n"] == n["d"] > 0, table
    deadline = time.time() + 60
    while _servers_of(home) and time.time() < deadline:  # the killed engine's server got SIGTERM (PDEATHSIG)
        time.sleep(1)
    assert not _servers_of(home), "a vLLM server outlived its engine actor"
