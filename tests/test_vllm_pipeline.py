"""rollout.engine=vllm end to end: a real `vllm serve` started by the runtime, two real iterations, weight sync by
disk after every update (verified against the trainer), and a server killed mid-iteration that is restarted."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from azr.config import load_config
from tests.test_pipeline import tiny_overrides

pytestmark = pytest.mark.slow


def _watch_servers(marker, done: threading.Event, killed: list, pids: set) -> None:
    """Note every server process the run starts, and kill one (the whole process group, SIGKILL) as soon as
    `marker(runtime)` is true."""
    from flows import runtime

    while not done.is_set():
        for rt in list(runtime._RUNTIMES.values()):
            policy = rt._policy
            proc = policy[2].server.proc if policy is not None else None
            if proc is None:
                continue
            pids.add(proc.pid)
            if not killed and marker(rt):
                os.killpg(proc.pid, signal.SIGKILL)
                killed.append(time.time())
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_two_iterations_on_a_vllm_server_with_verified_disk_sync_and_a_restart(prefect_harness, vllm_tiny_model_dir,
                                                                             vllm_env, tmp_path):
    import torch
    from safetensors.torch import load_file

    from azr.policy.vllm_ext.azr_vllm_ext import combine, per_tensor_checksums
    from flows.train import train
    from storage import RunStore
    from storage.catalog import query

    home = tmp_path / "home"
    cfg = load_config(overrides=tiny_overrides(vllm_tiny_model_dir, home) + [
        "rollout.engine=vllm", "rollout.weight_sync=disk", "run.keep_checkpoints=2",
        "trainer.lr=1.0e-3"])  # updates that move the probe far beyond numeric noise, so a stale layer would show

    done, killed, pids = threading.Event(), [], set()
    # Kill the server once iteration 1 has proposed: its learnability step then meets a dead server.
    marker = lambda rt: rt.store.read_json(1, "step-propose") is not None  # noqa: E731
    killer = threading.Thread(target=_watch_servers, args=(marker, done, killed, pids), daemon=True)
    killer.start()
    try:
        run_id = train(config=cfg)
    finally:
        done.set()
    store = RunStore.open(home, run_id)
    assert store.committed_iterations() == [0, 1, 2] and store.meta["status"] == "finished"

    # The rollouts came from the server.
    for it in (1, 2):
        for step in ("propose", "learnability", "solve"):
            stats = store.read_json(it, f"step-{step}")["engine"]
            if stats:
                assert stats["engine"] == "vllm" and stats["weights_version"] == it - 1, (it, step, stats)
    # It was killed during iteration 1 and restarted: one more start than the first; both are gone now.
    assert killed, "the server was never killed"
    assert len(pids) == 2 and not any(_alive(p) for p in pids)
    assert store.read_json(1, "step-solve")["engine"]["server_starts"] == 2

    # After each update the server held the trainer's weights: its checksum equals one computed here from the
    # checkpoint the trainer wrote, and it changed between updates.
    server_sums = []
    for it in (1, 2):
        sync = store.read_json(it, "step-update")["weight_sync"]
        assert sync["method"] == "disk" and sync["version"] == it and sync["checksum_match"]
        assert sync["probe_max_abs_diff"] <= sync["probe_tolerance"] < sync["probe_moved"]
        state = load_file(str(next(store.checkpoint_dir(it, create=False).glob("**/model.safetensors"))))
        mine = []
        # the names the server exposed are not stored; on CPU they are the embedding and norms, all unfused
        for name, t in state.items():
            if "embed_tokens" in name or "norm" in name:
                mine.append(per_tensor_checksums([(name, t.to(torch.float32))])[name])
        assert combine(mine) == sync["server_checksum"], it
        server_sums.append(sync["server_checksum"])
    assert server_sums[0] != server_sums[1]

    # Nothing duplicated or lost by the restart.
    for table, key in (("proposals", "proposal_id"), ("rollouts", "rollout_id")):
        rows = query(home, f"select count(*) as n, count(distinct {key}) as d from {table} "
                           f"where run_id = '{run_id}'").to_pylist()[0]
        assert rows["n"] == rows["d"] > 0, table


def test_a_resumed_run_hands_the_checkpointed_weights_to_its_new_server(prefect_harness, vllm_tiny_model_dir,
                                                                         vllm_env, tmp_path):
    """A new process starts its server on the base model; before the first step generates, the server must get
    the weights of the checkpoint the trainer resumed from (verified), not keep serving the base model."""
    from flows.train import resume, train
    from storage import RunStore

    home = tmp_path / "home"
    cfg = load_config(overrides=tiny_overrides(vllm_tiny_model_dir, home, iterations=1) + [
        "rollout.engine=vllm", "trainer.lr=1.0e-3"])
    run_id = train(config=cfg)  # its runtime (and server) is released at the end, as when a process exits
    resume(run_id=run_id, home=str(home), iterations=2)
    store = RunStore.open(home, run_id)
    assert store.committed_iterations() == [0, 1, 2]
    assert store.read_json(2, "step-propose")["engine"]["weights_version"] == 1
    sync = store.read_json(2, "step-update")["weight_sync"]
    assert sync["version"] == 2 and sync["checksum_match"]
