"""A ray run whose whole cluster dies mid-iteration resumes on a fresh cluster of another size.

A real Ray head (`ray start --head`) holds a run of 2 trainer ranks driven by an `azr train` process; while
iteration 2 runs, `ray stop --force` takes the cluster down and the controller goes with it. `azr resume
--set cluster.trainer_ranks=1 --set cluster.address=` then continues on a local head the run starts itself, from
the 2-rank checkpoint, and finishes with nothing lost or duplicated."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("ray")

from test_pipeline import _env, tiny_overrides  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RAY = str(Path(sys.executable).with_name("ray"))
pytestmark = pytest.mark.slow


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(predicate, proc, log: Path, what: str, timeout: float = 600) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        assert proc.poll() is None, f"training exited before {what}:\n" + log.read_text()[-4000:]
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}:\n" + log.read_text()[-4000:])


def test_a_run_whose_cluster_died_resumes_on_a_new_cluster_with_one_rank(tiny_model_dir, tmp_path):
    from storage import RunStore
    from storage.catalog import query

    home = tmp_path / "home"
    env = _env(home)
    port = _port()
    subprocess.run([RAY, "start", "--head", f"--port={port}", "--num-cpus=5", "--include-dashboard=false",
                    "--disable-usage-stats"], env=env, check=True, capture_output=True, timeout=180)
    args = [sys.executable, "-m", "azr.cli", "train"]
    # `auto`: the head this machine runs, found with its token (Ray >= 2.59 authenticates by default)
    for o in tiny_overrides(tiny_model_dir, home, iterations=3) + [
            "run.cluster=ray", "cluster.address=auto", "cluster.trainer_ranks=2",
            "cluster.actor_timeout_s=300"]:
        args += ["--set", o]
    log = tmp_path / "train.log"
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        runs = home / "runs"
        _wait_for(lambda: any(runs.glob("*/iterations/2/step-propose.json")), proc, log, "iteration 2's propose")
    finally:
        # The cluster and its controller die together (an iteration of the tiny model would otherwise commit in
        # the seconds `ray stop` takes).
        stop = subprocess.Popen([RAY, "stop", "--force"], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        stop.wait(120)
    run_dir = next(runs.glob("*/iterations/2")).parents[1]
    run_id = run_dir.name
    store = RunStore.open(home, run_id)
    assert store.committed_iterations() == [0, 1]
    ckpt = json.loads((store.checkpoint_dir(1, create=False) / "state.json").read_text())
    assert ckpt["world_size"] == 2
    propose_before = (run_dir / "iterations" / "2" / "step-propose.json").stat().st_mtime_ns

    out = subprocess.run([sys.executable, "-m", "azr.cli", "resume", run_id, "--set", "cluster.trainer_ranks=1",
                          "--set", "cluster.address="], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=900)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]

    store = RunStore.open(home, run_id)
    assert store.committed_iterations() == [0, 1, 2, 3] and store.meta["status"] == "finished"
    assert store.meta["config"]["cluster"]["trainer_ranks"] == 1
    last = json.loads((store.checkpoint_dir(3, create=False) / "state.json").read_text())
    assert last["world_size"] == 1 and last["trainer_steps"] == 3  # each update once, across both clusters
    assert (run_dir / "iterations" / "2" / "step-propose.json").stat().st_mtime_ns == propose_before
    dup = query(home, f"select rollout_id, count(*) as n from rollouts where run_id = '{run_id}' "
                      "group by 1 having count(*) > 1").to_pylist()
    assert dup == []
    per_iter = query(home, f"select iteration, count(*) as n from proposals where run_id = '{run_id}' and "
                           "iteration > 0 group by 1 order by 1").to_pylist()
    assert [(r["iteration"], r["n"]) for r in per_iter] == [(1, 6), (2, 6), (3, 6)]


def test_resume_changes_only_the_cluster_layout(tmp_path, capsys):
    from azr.cli import main
    from azr.config import load_config
    from storage import RunStore

    home = tmp_path / "home"
    cfg = load_config(overrides=[f"run.home={home}", "run.cluster=ray"])
    store = RunStore.create(home, cfg.model_dump(mode="json"), run_id="r1")
    assert main(["resume", "r1", "--home", str(home), "--set", "trainer.lr=1"]) == 2
    assert "cluster.* keys only" in capsys.readouterr().err
    assert main(["resume", "r1", "--home", str(home), "--set", "cluster.trainer_ranks=0"]) == 2
    assert "trainer_ranks" in capsys.readouterr().err
    assert RunStore.open(home, "r1").meta["config"] == store.meta["config"]  # nothing written by a refusal


@pytest.mark.parametrize("override, words", [
    ("rollout.vllm_url=http://127.0.0.1:8000/v1", "unset it"),
    ("rollout.weight_sync=restart", "use disk"),
    ("trainer.zero_stage=3", "trainer.zero_stage to 0, 1 or 2"),
])
def test_what_a_ray_run_cannot_honour_is_refused_before_a_run_folder_exists(override, words):
    from azr.config import ConfigError, load_config
    from flows.runtime import preflight

    with pytest.raises(ConfigError, match=words.replace(".", r"\.")):
        preflight(load_config(overrides=["run.cluster=ray", "rollout.engine=vllm", override]
                              if override.startswith("rollout.") else ["run.cluster=ray", override]))
    preflight(load_config(overrides=["run.cluster=ray"]))  # the defaults are fine
