"""The trainer group on a real local Ray cluster: DeepSpeed ranks over gloo, one batch file per update, portable
checkpoints. Specification: W ranks make the update one rank makes on the same batch, and a checkpoint written by
W ranks continues exactly on any other number of ranks."""

from __future__ import annotations

import random

import pytest

pytest.importorskip("ray")

from azr.config import load_config  # noqa: E402


def _batch(seed: int, n: int = 7) -> list:
    from azr.policy import TrainSample

    rnd = random.Random(seed)
    return [TrainSample(prompt_ids=[rnd.randrange(1, 400) for _ in range(rnd.randrange(3, 12))],
                        response_ids=[rnd.randrange(1, 400) for _ in range(rnd.randrange(2, 20))],
                        advantage=rnd.uniform(-1.5, 1.5)) for _ in range(n)]


@pytest.fixture(scope="module")
def ray_cluster():
    import ray

    from azr.cluster.ray_env import runtime_env

    ray.init(num_cpus=4, include_dashboard=False, runtime_env=runtime_env(), configure_logging=False)
    yield
    ray.shutdown()


def _cfg(model_dir, ranks: int, stage: int = 2):
    return load_config(overrides=[f"model.path={model_dir}", "run.cluster=ray", f"cluster.trainer_ranks={ranks}",
                                  f"trainer.zero_stage={stage}", "trainer.lr=1e-2", "trainer.micro_batch_tokens=64",
                                  "cluster.actor_timeout_s=300"])


def _weights(group) -> "dict":
    from azr.model import load_model

    checks = group.weights_checksums()
    assert all(c == checks[0] for c in checks), "ranks disagree on the weights after a step"
    folder = group.work_dir / f"export-{group.step_count}"
    group.export(folder)
    model, _ = load_model(str(folder), dtype="float32", device="cpu")
    return {n: p.detach().clone() for n, p in model.named_parameters()}


def _close(a, b, atol=2e-5):
    import torch

    worst = max(float((a[k] - b[k]).abs().max()) for k in a)
    assert worst <= atol, f"largest weight difference {worst:g}"
    assert all(torch.isfinite(a[k]).all() for k in a)


def test_two_ranks_make_the_update_of_one_and_their_checkpoint_continues_on_one(ray_cluster, tiny_model_dir,
                                                                                  tmp_path, stage=2):
    from azr.cluster.trainer_group import TrainerGroup

    b1, b2 = _batch(1), _batch(2)
    one = TrainerGroup(_cfg(tiny_model_dir, 1, stage), tmp_path / "one")
    try:
        m1 = one.step(b1)
        w1 = _weights(one)
        one.step(b2)
        w1b = _weights(one)
    finally:
        one.close()
    two = TrainerGroup(_cfg(tiny_model_dir, 2, stage), tmp_path / "two")
    try:
        m2 = two.step(b1)
        _close(w1, _weights(two))
        ckpt = two.save_checkpoint(tmp_path / "ckpt", step=1)
    finally:
        two.close()
    assert m2["tokens"] == m1["tokens"]
    assert m2["loss"] == pytest.approx(m1["loss"], rel=1e-5)
    assert m2["grad_norm"] == pytest.approx(m1["grad_norm"], rel=1e-4)
    resumed = TrainerGroup(_cfg(tiny_model_dir, 1, stage), tmp_path / "re", restore=ckpt)
    try:
        assert resumed.step_count == 1
        resumed.step(b2)
        _close(w1b, _weights(resumed))  # Adam's moments came across: a restart without them would differ
    finally:
        resumed.close()
