"""The vLLM engine's own logic, without a server: settings that cannot work, the server lifecycle's failure paths
(with stand-in executables), the weight checksum, and how replies become `Completion`s."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import torch

from azr.config import ConfigError, load_config
from azr.policy.vllm_engine import VLLMEngine, request_seed
from azr.policy.vllm_ext.azr_vllm_ext import combine, multiset_checksum, per_tensor_checksums
from azr.policy.vllm_rollout import VLLMRollout, check_vllm_settings
from azr.policy.vllm_server import ServerSpec, VLLMServer, VLLMSetupError, find_vllm_env
from azr.policy.weight_sync import WeightSyncError, compare_checksums, compare_probe, hf_names


def fake_env(tmp_path: Path, script: str) -> Path:
    """A stand-in 'virtualenv' whose python runs `script` (a shell script) instead of vLLM."""
    env = tmp_path / "fake-vllm-env"
    (env / "bin").mkdir(parents=True)
    for name in ("python", "vllm"):
        f = env / "bin" / name
        f.write_text("#!/bin/sh\n" + script + "\n")
        f.chmod(f.stat().st_mode | stat.S_IEXEC)
    return env


# -- settings -----------------------------------------------------------------------------------------

def test_a_missing_vllm_environment_is_refused_with_the_command_to_build_it(tmp_path):
    cfg = load_config(overrides=["rollout.engine=vllm", f"rollout.vllm_env={tmp_path / 'nope'}"])
    with pytest.raises(VLLMSetupError, match="make vllm-setup"):
        check_vllm_settings(cfg, "cpu")


def test_nccl_sync_is_refused_on_cpu_and_names_the_working_methods():
    cfg = load_config(overrides=["rollout.engine=vllm", "rollout.weight_sync=nccl"])
    with pytest.raises(ConfigError, match="weight_sync=disk"):
        check_vllm_settings(cfg, "cpu")


def test_restart_sync_needs_a_server_the_run_owns():
    cfg = load_config(overrides=["rollout.engine=vllm", "rollout.weight_sync=restart",
                                 "rollout.vllm_url=http://127.0.0.1:1"])
    with pytest.raises(ConfigError, match="weight_sync=disk"):
        check_vllm_settings(cfg, "cpu")


def test_a_url_that_is_not_http_is_refused():
    cfg = load_config(overrides=["rollout.engine=vllm", "rollout.vllm_url=localhost:8000"])
    with pytest.raises(ConfigError, match="http://host:port"):
        check_vllm_settings(cfg, "cpu")


def test_the_transformers_engine_needs_no_vllm_environment(tmp_path):
    check_vllm_settings(load_config(overrides=[f"rollout.vllm_env={tmp_path / 'nope'}"]), "cpu")


def test_a_wrong_url_gives_one_clear_error_not_a_retry(bundled_tokenizer, tmp_path):
    r = VLLMRollout(tokenizer=bundled_tokenizer, base_dir=tmp_path, work_dir=tmp_path / "w", method="disk",
                    dtype="float32", max_prompt_tokens=64, max_new_tokens=8, url="http://127.0.0.1:9")
    with pytest.raises(VLLMSetupError, match="does not answer /health"):
        r.ensure(torch.nn.Linear(1, 1), 0)


# -- server lifecycle failure paths ------------------------------------------------------------------

def test_a_server_that_exits_while_starting_reports_its_log(tmp_path):
    env = fake_env(tmp_path, 'echo "boom: no such model" >&2; exit 3')
    server = VLLMServer(ServerSpec(env=env, dtype="float32", max_model_len=64, max_num_seqs=1, seed=0,
                                   log_path=tmp_path / "server.log", startup_timeout_s=30))
    with pytest.raises(VLLMSetupError, match=r"(?s)exited with code 3.*boom: no such model"):
        server.start(tmp_path)
    assert not server.alive()


def test_a_server_that_never_becomes_healthy_is_stopped_and_reported(tmp_path):
    env = fake_env(tmp_path, "exec sleep 600")
    server = VLLMServer(ServerSpec(env=env, dtype="float32", max_model_len=64, max_num_seqs=1, seed=0,
                                   log_path=tmp_path / "server.log", startup_timeout_s=2))
    with pytest.raises(VLLMSetupError, match="did not become healthy within 2 s"):
        server.start(tmp_path)
    assert server.proc is None


def test_the_env_setting_wins_over_the_default(tmp_path):
    env = fake_env(tmp_path, "exit 0")
    assert find_vllm_env(str(env)) == env


# -- checksum -----------------------------------------------------------------------------------------

def test_the_checksum_ignores_fusion_transposition_and_zero_padding_but_not_a_changed_value():
    g = torch.Generator().manual_seed(0)
    q, k = torch.randn(8, 4, generator=g), torch.randn(2, 4, generator=g)
    fused = torch.cat([q, k]).t().contiguous()
    padded = torch.cat([fused.reshape(-1), torch.zeros(5)])
    assert multiset_checksum([q, k]) == multiset_checksum([fused]) == multiset_checksum([padded])
    changed = q.clone()
    changed[3, 1] = torch.nextafter(changed[3, 1], torch.tensor(10.0))  # one value, one ulp
    assert multiset_checksum([changed, k]) != multiset_checksum([q, k])


def test_per_tensor_checksums_add_up_to_the_checksum_of_the_union():
    ts = {"a": torch.randn(10), "b": torch.randn(3, 3)}
    total = multiset_checksum(list(ts.values()))
    assert combine(per_tensor_checksums(ts.items()).values()) == [total["count"], total["h1"], total["h2"]]


def test_the_checksum_compares_in_the_servers_dtype():
    w = torch.randn(100)
    bf = per_tensor_checksums([("w", w.to(torch.bfloat16))])
    assert per_tensor_checksums([("w", w)]) != bf
    assert per_tensor_checksums([("w", w.to(torch.bfloat16))]) == bf


def test_vllm_parameter_names_map_to_the_trainers():
    hf = {"model.layers.0.self_attn.q_proj.weight", "model.layers.0.self_attn.k_proj.weight",
          "model.layers.0.self_attn.v_proj.weight", "model.layers.0.mlp.gate_proj.weight",
          "model.layers.0.mlp.up_proj.weight", "model.norm.weight"}
    assert hf_names("model.layers.0.self_attn.qkv_proj.weight", hf) == [
        "model.layers.0.self_attn.q_proj.weight", "model.layers.0.self_attn.k_proj.weight",
        "model.layers.0.self_attn.v_proj.weight"]
    assert hf_names("model.layers.0.mlp.gate_up_proj.weight", hf) == [
        "model.layers.0.mlp.gate_proj.weight", "model.layers.0.mlp.up_proj.weight"]
    assert hf_names("model.norm.weight", hf) == ["model.norm.weight"]
    assert hf_names("model.layers.0.mlp.experts.w13", hf) is None


class _Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.norm = torch.nn.Linear(3, 2)


def test_a_stale_server_checksum_fails_the_sync():
    m = _Tiny()
    server = {"dtype": "float32", "opaque": [],
              "checksums": per_tensor_checksums((n, p.detach()) for n, p in m.named_parameters())}
    assert compare_checksums(m, server)["checksum_match"]
    with torch.no_grad():
        m.norm.weight.add_(1e-3)  # the trainer moved on; the server did not
    with pytest.raises(WeightSyncError, match="did not take"):
        compare_checksums(m, server)


def test_the_probe_fails_beyond_its_tolerance():
    assert compare_probe([[-1.0, -2.0]], [[-1.001, -2.0]], "float32")["probe_max_abs_diff"] < 2e-3
    with pytest.raises(WeightSyncError, match="log-probs"):
        compare_probe([[-1.0, -2.0]], [[-1.5, -2.0]], "float32")


# -- replies ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bundled_tokenizer(bundled_model_dir):
    from azr.model import load_tokenizer

    return load_tokenizer(bundled_model_dir)


def test_prompts_are_cut_from_the_left_to_fit_the_context(bundled_tokenizer):
    e = VLLMEngine(bundled_tokenizer, "http://x", max_model_len=16, max_prompt_tokens=1000)
    ids = bundled_tokenizer("word " * 50, add_special_tokens=False)["input_ids"]
    assert e.encode(["word " * 50]) == [ids[-15:]]
    assert e._body(ids[-15:], 2, 1.0, 1.0, 100, 7, False)["max_tokens"] == 1  # what is left of the context


def test_a_reply_becomes_completions_with_the_sampled_ids(bundled_tokenizer):
    e = VLLMEngine(bundled_tokenizer, "http://x", max_model_len=64)
    eos = bundled_tokenizer.eos_token_id
    hello = bundled_tokenizer("hello world", add_special_tokens=False)["input_ids"]
    reply = {"choices": [{"index": 1, "token_ids": hello, "finish_reason": "length"},
                         {"index": 0, "token_ids": hello + [eos], "finish_reason": "stop"}]}
    a, b = e._completions(reply, [5, 6], 2, ignore_eos=False)
    assert (a.token_ids, a.finish_reason, a.text, a.prompt_tokens) == (hello + [eos], "stop", "hello world", 2)
    assert (b.token_ids, b.finish_reason) == (hello, "length")


def test_greedy_requests_one_sample_and_seeds_differ_per_prompt(bundled_tokenizer):
    e = VLLMEngine(bundled_tokenizer, "http://x", max_model_len=64)
    assert e._body([1], 4, 0.0, 0.9, 8, None, False)["n"] == 1
    assert e._body([1], 4, 1.0, 0.9, 8, 3, False)["n"] == 4
    assert request_seed(3, 0) != request_seed(3, 1) and request_seed(3, 1) == request_seed(3, 1)
    assert request_seed(None, 5) is None


def test_the_vllm_engine_stops_where_the_in_process_engine_does(bundled_tokenizer, tmp_path):
    """The server runs with `--generation-config vllm`, so the model's own EOS ids must be passed explicitly."""
    from types import SimpleNamespace

    from azr.policy import TransformersEngine
    from azr.policy.vllm_rollout import build_vllm_rollout

    model = torch.nn.Linear(2, 2)
    model.generation_config = SimpleNamespace(eos_token_id=[7, bundled_tokenizer.eos_token_id])
    cfg = load_config(overrides=["rollout.engine=vllm", "rollout.vllm_url=http://127.0.0.1:9"])
    rollout = build_vllm_rollout(cfg, bundled_tokenizer, model, tmp_path, tmp_path)
    assert rollout.engine.stop_token_ids == TransformersEngine(model, bundled_tokenizer).stop_token_ids
    assert 7 in rollout.engine.stop_token_ids
