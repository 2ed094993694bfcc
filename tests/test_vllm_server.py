"""`VLLMEngine` and the weight sync against one real `vllm serve` (a tiny random Llama, CPU): the sampled ids
come back as sampled, seeds reproduce, greedy is one answer, and a sync that did not take is caught."""

from __future__ import annotations

import pytest
import torch

from azr.policy.weight_sync import WeightSyncError

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(vllm_env, vllm_tiny_model_dir, tmp_path_factory):
    from azr.model import load_model
    from azr.policy.vllm_rollout import VLLMRollout
    from azr.policy.vllm_server import ServerSpec

    model, tok = load_model(str(vllm_tiny_model_dir), dtype="float32", device="cpu")
    work = tmp_path_factory.mktemp("vllm-server")
    spec = ServerSpec(env=vllm_env, dtype="float32", max_model_len=4096, max_num_seqs=8, seed=0, device="cpu",
                      enforce_eager=True, log_path=work / "server.log")
    rollout = VLLMRollout(tokenizer=tok, base_dir=vllm_tiny_model_dir, work_dir=work, method="disk",
                          dtype="float32", max_prompt_tokens=4000, max_new_tokens=16, spec=spec)
    rollout.ensure(model, 0)  # starts the server on the base folder and verifies it
    yield rollout, model, tok
    rollout.close()
    assert not rollout.server.alive()


PROMPTS = ["def f(x):\n    return", "Input: [1, 2, 3]\nOutput:", "<|im_start|>user\nhi<|im_end|>\n"]


def test_samples_are_the_servers_ids_reproducible_by_seed(served):
    rollout, _, tok = served
    a = rollout.generate(PROMPTS, n=3, temperature=1.0, max_new_tokens=12, seed=5)
    b = rollout.generate(PROMPTS, n=3, temperature=1.0, max_new_tokens=12, seed=5)
    c = rollout.generate(PROMPTS, n=3, temperature=1.0, max_new_tokens=12, seed=6)
    ids = lambda out: [[x.token_ids for x in comps] for comps in out]  # noqa: E731
    assert ids(a) == ids(b) and ids(a) != ids(c)
    assert rollout.stats["engine"] == "vllm" and rollout.stats["sequences"] == 9
    for prompt, comps, enc in zip(PROMPTS, a, rollout.encode(PROMPTS)):
        assert len(comps) == 3 and len({tuple(x.token_ids) for x in comps}) > 1  # n distinct samples
        for x in comps:
            assert x.prompt_tokens == len(enc)
            assert 1 <= len(x.token_ids) <= 12
            if x.finish_reason == "stop":
                assert x.token_ids[-1] == tok.eos_token_id and len(x.token_ids) <= 12
            else:
                assert len(x.token_ids) == 12
            body = x.token_ids[:-1] if x.finish_reason == "stop" else x.token_ids
            assert x.text == tok.decode(body, skip_special_tokens=False)


def test_a_seeded_prompt_longer_than_one_step_of_prefill_does_not_kill_the_engine(served):
    """A ~3,000-token prompt exceeds vLLM's default per-step token budget on CPU (2,048), so with chunked prefill
    it is prefilled in pieces, and for a seeded request that crashed vLLM 0.32's CPU engine ("CPU Generator does
    not use offset"). The server is started without chunked prefill; this must complete on the first server."""
    rollout, _, _ = served
    long = ["x = [" + ", ".join(str(i * 7 + k) for i in range(520)) + "]\nprint(x)" for k in range(2)]
    assert all(2500 < len(e) < 4000 for e in rollout.encode(long))
    out = rollout.generate(long, n=2, temperature=1.0, max_new_tokens=4, seed=3)
    assert [len(c) for c in out] == [2, 2] and rollout.server.starts == 1


def test_greedy_gives_one_answer_n_times_and_ignore_eos_fills_the_budget(served):
    rollout, _, _ = served
    (g,) = rollout.generate(PROMPTS[:1], n=2, temperature=0.0, max_new_tokens=10)
    assert g[0].token_ids == g[1].token_ids
    (full,) = rollout.generate(PROMPTS[:1], n=1, temperature=1.0, max_new_tokens=10, seed=1, ignore_eos=True)
    assert len(full[0].token_ids) == 10 and full[0].finish_reason == "length"


def test_a_sync_that_did_not_happen_is_caught_by_the_checksum(served):
    rollout, model, _ = served
    with torch.no_grad():
        model.model.embed_tokens.weight.mul_(1.01)
    with pytest.raises(WeightSyncError, match="checksum"):
        rollout.verify(model, 1, how="none")


def test_stale_linear_layers_are_caught_by_the_probe(served):
    """On CPU the checksum cannot see linear weights (vLLM packs them); the probe must."""
    rollout, model, _ = served
    rollout.sync(model, 1)  # bring the server up to date first
    with torch.no_grad():
        for layer in model.model.layers:
            layer.mlp.down_proj.weight.mul_(3.0)
    with pytest.raises(WeightSyncError, match="log-probs"):
        rollout.verify(model, 2, how="none")


def test_disk_and_restart_syncs_both_leave_the_trainers_weights(served):
    rollout, model, _ = served
    for k, method in enumerate(("disk", "restart")):
        with torch.no_grad():
            for p in model.parameters():
                p.add_(torch.randn_like(p) * 1e-2)
        starts = rollout.server.starts
        rollout.method = method
        report = rollout.sync(model, 10 + k)
        assert report["checksum_match"] and report["probe_max_abs_diff"] < report["probe_moved"]
        assert rollout.server.starts == starts + (method == "restart")
        assert rollout.version == 10 + k
