from pathlib import Path
import pytest

from azr.config import CONFIG_DIR, AZRConfig, ConfigError, flatten, load_config


def test_default_preset_is_tiny_cpu():
    cfg = load_config()
    assert cfg.model.path == "bundled" and cfg.model.device == "cpu"
    assert cfg.selfplay.task_types == ["deduction", "abduction", "induction"]


def test_every_preset_validates():
    presets = sorted(CONFIG_DIR.glob("*.yaml"))
    assert {p.name for p in presets} >= {"tiny-cpu.yaml", "qwen2.5-coder-7b-4xgpu.yaml"}
    for p in presets:
        load_config(p)


def test_paper_recipe_carries_the_paper_numbers():
    cfg = load_config(CONFIG_DIR / "qwen2.5-coder-7b-4xgpu.yaml")
    sp, tr = cfg.selfplay, cfg.trainer
    assert (sp.batch_size, sp.learnability_rollouts, sp.references) == (64, 8, 6)
    assert (sp.induction_inputs, sp.induction_shown) == (10, 5)
    assert (tr.lr, tr.grad_clip, tr.entropy_coef) == (1e-6, 1.0, 0.001)
    assert sp.rewards.learnability == "paper" and sp.trr_unit == "sequence"
    assert (cfg.rollout.temperature, cfg.rollout.top_p, cfg.rollout.max_new_tokens) == (1.0, 1.0, 8096)


def test_defaults_follow_the_paper():
    cfg = AZRConfig()
    assert cfg.selfplay.rewards.learnability == "paper"
    assert cfg.selfplay.trr_unit == "sequence"
    assert cfg.sandbox.timeout_s == 10
    assert {"os", "sys", "subprocess", "random", "time"} <= set(cfg.sandbox.banned_modules)


def test_overrides_parse_values_as_yaml():
    cfg = load_config(overrides=["rollout.temperature=0.25", "selfplay.task_types=[deduction]",
                                 "trainer.backend=deepspeed", "selfplay.rewards.learnability=reference"])
    assert cfg.rollout.temperature == 0.25
    assert cfg.selfplay.task_types == ["deduction"]
    assert cfg.trainer.backend == "deepspeed"
    assert cfg.selfplay.rewards.learnability == "reference"


def test_unknown_key_names_the_key_and_suggests_the_right_one():
    with pytest.raises(ConfigError) as err:
        load_config(overrides=["rollout.temprature=0.5"])
    msg = str(err.value)
    assert "rollout.temprature" in msg and "did you mean 'rollout.temperature'" in msg
    assert "top_p" in msg  # lists what is allowed


def test_unknown_section_is_refused():
    with pytest.raises(ConfigError, match="unknown key 'trainr'"):
        load_config(overrides=["trainr.lr=1"])


def test_bad_value_names_key_value_and_allowed_values():
    with pytest.raises(ConfigError) as err:
        load_config(overrides=["rollout.prompt_style=fancy"])
    msg = str(err.value)
    assert "rollout.prompt_style" in msg and "'fancy'" in msg and "'r1'" in msg and "'chat'" in msg


def test_out_of_range_value_is_refused():
    with pytest.raises(ConfigError, match="rollout.top_p.*1.5"):
        load_config(overrides=["rollout.top_p=1.5"])


def test_induction_must_hide_some_pairs():
    with pytest.raises(ConfigError, match="induction_shown"):
        load_config(overrides=["selfplay.induction_shown=10", "selfplay.induction_inputs=10"])


def test_malformed_override_explains_the_form():
    with pytest.raises(ConfigError, match="path.to.key=value"):
        load_config(overrides=["rollout.temperature"])


def test_override_into_a_value_is_refused():
    with pytest.raises(ConfigError, match="is a value, not a section"):
        load_config(overrides=["run.seed.x=1"])


def test_missing_config_file_lists_presets(tmp_path):
    with pytest.raises(ConfigError, match="tiny-cpu.yaml"):
        load_config(tmp_path / "nope.yaml")


def test_yaml_that_is_not_a_mapping_is_refused(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text("- a\n- b\n")
    with pytest.raises(ConfigError, match="mapping"):
        load_config(f)


def test_flatten_gives_dotted_keys():
    flat = flatten(AZRConfig())
    assert flat["selfplay.rewards.learnability"] == "paper"
    assert flat["trainer.lr"] == 1e-6


def test_cli_config_show(capsys):
    from azr.cli import main

    assert main(["config", "show", "--flat", "--set", "run.seed=7"]) == 0
    assert "run.seed=7" in capsys.readouterr().out
    assert main(["config", "show", "--set", "run.sed=7"]) == 2
    assert "run.seed" in capsys.readouterr().err


def test_rollout_dtype_is_refused_with_the_vllm_engine_and_names_the_right_key():
    with pytest.raises(ConfigError, match="rollout.vllm_dtype='bfloat16'"):
        load_config(overrides=["rollout.engine=vllm", "rollout.dtype=bfloat16"])


def test_every_deployment_in_prefect_yaml_takes_a_valid_config():
    import yaml

    from azr.config import config_from_dict

    spec = yaml.safe_load((Path(__file__).resolve().parent.parent / "prefect.yaml").read_text())
    names = {d["name"] for d in spec["deployments"]}
    assert {"train-local", "resume-local", "train-gpu", "train-ray", "resume-ray"} <= names
    for d in spec["deployments"]:
        module, _, func = d["entrypoint"].partition(":")
        assert (Path(__file__).resolve().parent.parent / module).is_file() and func in ("train", "resume")
        if "config" in (d.get("parameters") or {}):
            config_from_dict(d["parameters"]["config"], source=f"deployment {d['name']}")
    ray = next(d for d in spec["deployments"] if d["name"] == "train-ray")["parameters"]["config"]
    assert ray["run"]["cluster"] == "ray" and ray["cluster"]["trainer_ranks"] == 4
