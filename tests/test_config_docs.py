"""Every setting explains itself: one title and description per field, shown alike in the Prefect form,
`azr config show --describe` and the README's configuration table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel, Field
from pydantic_core import PydanticUndefined

from azr.cli import main
from azr.config import AZRConfig, RunConfig, TrackingConfig, flatten, load_config
from azr.config_docs import (
    README_BEGIN,
    README_END,
    compact,
    describe_lines,
    field_docs,
    markdown_table,
    type_words,
    undocumented,
)

README = Path(__file__).resolve().parent.parent / "README.md"


def _models(model: type[BaseModel]) -> list[type[BaseModel]]:
    """`model` and every model its fields hold, directly or as list items, found through the annotations."""
    found, todo = [], [model]
    while todo:
        m = todo.pop()
        if m in found:
            continue
        found.append(m)
        for f in m.model_fields.values():
            for t in (f.annotation, *getattr(f.annotation, "__args__", ())):
                if isinstance(t, type) and issubclass(t, BaseModel):
                    todo.append(t)
    return found


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# ------------------------------------------------------------------ the models themselves

def test_every_field_at_every_depth_has_an_explicit_title_and_a_description():
    models = _models(AZRConfig)
    assert len(models) == 13  # AZRConfig, its ten sections, RewardConfig and EvalBenchmark
    for m in models:
        assert (m.__dict__.get("__doc__") or "").strip(), f"{m.__name__} needs a one-sentence docstring"
        for name, f in m.model_fields.items():
            assert f.title and f.title.strip(), f"{m.__name__}.{name} has no explicit title="
            assert f.description and f.description.strip(), f"{m.__name__}.{name} has no description="
    assert undocumented() == []


def test_the_checker_names_each_missing_title_description_and_docstring():
    class Section(BaseModel):
        """A section."""

        ok: int = Field(1, title="Ok", description="Fine.")
        bare: int = Field(2, description="Has no title.")

    class Item(BaseModel):
        x: int = Field(1, title="X")

    class Root(BaseModel):
        """Root."""

        section: Section = Field(default_factory=Section, title="Section", description="A section.")
        items: list[Item] = Field(default_factory=list, title="Items", description="Some items.")

    assert undocumented(Root) == ["Section.bare: no title", "Item: no docstring", "Item.x: no description"]
    keys = [(d.key, d.kind) for d in field_docs(Root)]
    assert keys == [("section", "section"), ("section.ok", "field"), ("section.bare", "field"),
                    ("items", "field"), ("items[].x", "field")]


def test_the_two_new_settings_and_the_run_id_say_what_they_are():
    assert TrackingConfig().ui_url == "http://127.0.0.1:5000"
    assert RunConfig().description == ""
    name = _flat(RunConfig.model_fields["name"].description)
    for fact in ("run id", "runs/", "MLflow run name", "train-<run id>", "generated id"):
        assert fact in name
    assert load_config(overrides=["run.description=lr sweep, low end"]).run.description == "lr sweep, low end"


def test_field_docs_cover_every_dotted_key_including_list_items():
    docs = {d.key: d for d in field_docs()}
    settings = {k for k, d in docs.items() if d.kind == "field" and "[]" not in k}
    assert settings == set(flatten(AZRConfig()))  # the same keys as MLflow params and `config show --flat`
    assert "eval.benchmarks[].path" in docs and docs["eval.benchmarks[].path"].default is PydanticUndefined
    assert docs["trainer.lr"].title == "Learning rate" and docs["trainer.lr"].default == 1e-6
    assert docs["trainer.lr"].type == "number"
    assert docs["selfplay.trr_unit"].title == "TRR++ normalisation unit"
    assert docs["selfplay.trr_unit"].type == "sequence/token"
    assert docs["selfplay.rewards"].kind == "section"
    assert docs["eval.benchmarks[].mode"].type == "deduction/abduction/codegen"
    assert docs["selfplay.buffer_cap"].type == "integer or empty"
    assert docs["rollout.static_cache"].type == "true/false or auto"


def test_defaults_are_rendered_compactly():
    assert compact(None) == "null" and compact("") == '""' and compact(False) == "false"
    assert compact(["deduction", "abduction", "induction"]) == "[deduction, abduction, induction]"
    long = compact(AZRConfig().sandbox.banned_modules)
    assert long.startswith("[logging, random,") and long.endswith("… 19 in all]") and len(long) < 70
    assert type_words(list[str]) == "list of text"


# ------------------------------------------------------------------ the Prefect form

def test_the_prefect_form_of_the_train_flow_shows_the_titles_and_descriptions():
    from prefect.utilities.callables import parameter_schema

    from flows.train import train

    schema = parameter_schema(train).model_dump()
    defs = schema["definitions"]
    sections = defs["AZRConfig"]["properties"]
    assert sections["run"]["title"] == "Run" and sections["selfplay"]["title"] == "Self-play"
    # A section's description is its model's docstring; Prefect's form merges it in from the definition.
    assert defs["RunConfig"]["description"] == RunConfig.__doc__
    assert defs["TrainerConfig"]["properties"]["lr"]["title"] == "Learning rate"
    assert defs["SelfPlayConfig"]["properties"]["trr_unit"]["title"] == "TRR++ normalisation unit"
    assert "train-<run id>" in defs["RunConfig"]["properties"]["name"]["description"]
    assert defs["EvalBenchmark"]["properties"]["limit"]["title"] == "Item limit"
    for model in _models(AZRConfig):
        shown = defs[model.__name__]
        assert shown.get("description"), f"{model.__name__} shows no description in the form"
        for name, f in model.model_fields.items():
            prop = shown["properties"][name]
            assert prop["title"] == f.title, f"{model.__name__}.{name}: the form shows {prop['title']!r}"
            ref = prop.get("$ref", "").rsplit("/", 1)[-1]
            assert (prop.get("description") or defs.get(ref, {}).get("description")) == f.description


# ------------------------------------------------------------------ README and CLI

def test_the_readme_table_is_the_generated_one():
    text = README.read_text()
    assert text.count(README_BEGIN) == 1 and text.count(README_END) == 1, "README lost its config-table markers"
    block = text.split(README_BEGIN, 1)[1].split(README_END, 1)[0].lstrip("\n")
    assert block == markdown_table(), ("README's configuration table is out of date: run `azr config docs` and "
                                       f"paste its output between {README_BEGIN} and {README_END}")


def test_markdown_table_has_a_row_per_setting_grouped_by_section():
    rows = markdown_table().splitlines()
    assert rows[0] == "| key | default | what it does |"
    assert "| `trainer.lr` | `1e-06` | **Learning rate.** AdamW learning rate" in markdown_table()
    keys = [r.split("|")[1].strip().strip("*`") for r in rows[2:]]
    assert keys == [d.key for d in field_docs()]
    assert keys.index("run") < keys.index("run.name") and keys.index("model.path") < keys.index("rollout")
    assert all(r.count("|") - r.count("\\|") == 4 for r in rows), "a cell's pipe breaks the table"


def test_config_docs_prints_the_table(capsys):
    assert main(["config", "docs"]) == 0
    assert capsys.readouterr().out == markdown_table()


def test_config_show_describe_prints_values_after_set_with_their_descriptions(capsys):
    assert main(["config", "show", "--describe", "--set", "rollout.temperature=0.25",
                 "--set", "run.name=sweep-1"]) == 0
    out = capsys.readouterr().out
    flat = _flat(out)
    assert "rollout.temperature = 0.25 (Sampling temperature)" in flat
    assert "run.name = sweep-1 (Run id)" in flat
    assert "selfplay.batch_size = 2 (Batch size per task type (B))" in flat  # from the tiny-cpu preset
    assert _flat(AZRConfig.model_fields["trainer"].description) in flat
    assert _flat(RunConfig.model_fields["name"].description) in flat
    assert "[selfplay.rewards] Rewards:" in out
    assert out.index("[model]") < out.index("[rollout]") < out.index("[run]")


def test_describe_lines_wrap_to_the_width():
    lines = describe_lines(load_config(), width=72)
    descriptions = [line for line in lines if line.startswith("      ")]
    assert len(descriptions) > 80 and max(map(len, descriptions)) <= 72


def test_config_show_describe_refuses_a_misspelt_override(capsys):
    assert main(["config", "show", "--describe", "--set", "rollout.temprature=0.5"]) == 2
    assert "did you mean 'rollout.temperature'" in capsys.readouterr().err


def test_describe_and_flat_do_not_combine(capsys):
    with pytest.raises(SystemExit):
        main(["config", "show", "--describe", "--flat"])
    assert "not allowed with argument" in capsys.readouterr().err
