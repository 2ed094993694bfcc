import pytest

from azr.prompts import propose_prompt, solve_prompt
from azr.task_types import Task, TaskType as T, seed_task

BANNED = ["os", "random", "subprocess"]
REFS = [
    Task(task_type=T.DEDUCTION, program="def f(n):\n    return n * 2", input="21", output="42"),
    Task(task_type=T.DEDUCTION, program="def f(s):\n    return s[::-1]", input="'abc'", output="'cba'"),
]


@pytest.mark.parametrize("tt", [T.DEDUCTION, T.ABDUCTION])
def test_proposer_prompt_carries_references_rules_and_format(tt):
    text = propose_prompt(tt, REFS, BANNED).render("r1")
    for ref in REFS:
        assert ref.program in text and ref.input in text and ref.output in text
    assert "`f`" in text and "deterministic" in text
    assert "os, random, subprocess" in text
    assert "```python" in text and "```input" in text and "<answer>" in text
    assert text.endswith("Assistant: <think>")


def test_deduction_and_abduction_proposals_differ_in_goal():
    d = propose_prompt(T.DEDUCTION, [], BANNED).user
    a = propose_prompt(T.ABDUCTION, [], BANNED).user
    assert "work out the output" in d and "find an input" in a


def test_induction_proposer_sees_the_program_and_asks_for_n_inputs_and_a_message():
    prog = REFS[0]
    text = propose_prompt(T.INDUCTION, [], BANNED, program=prog, n_inputs=7).user
    assert prog.program in text and "Write 7 different inputs" in text and "```message" in text


def test_induction_proposer_needs_a_program():
    with pytest.raises(ValueError, match="needs a program"):
        propose_prompt(T.INDUCTION, [], BANNED)


def test_deduction_solver_sees_program_and_input_but_not_output():
    t = Task(task_type=T.DEDUCTION, program="def f(x):\n    return x * 31337", input="2", output="62674")
    text = solve_prompt(t).user
    assert t.program in text and "```input\n2\n```" in text and "62674" not in text and "```output" in text


def test_abduction_solver_sees_output_but_not_input():
    t = Task(task_type=T.ABDUCTION, program="def f(x):\n    return x", input="'secret-in'", output="'secret-in'")
    text = solve_prompt(t).user
    assert "```output\n'secret-in'\n```" in text and "```input\n'secret-in'" not in text


def test_induction_solver_sees_message_and_shown_pairs_only():
    t = seed_task(T.INDUCTION)
    text = solve_prompt(t, shown=3).user
    assert t.message in text
    for i, o in t.shown_pairs(3):
        assert f"Input: {i}" in text
    for i, _ in t.hidden_pairs(3):
        assert f"Input: {i}\n" not in text
    assert "def f(a):\n    return a" not in text


def test_chat_style_needs_a_template():
    with pytest.raises(ValueError, match="chat template"):
        solve_prompt(seed_task(T.DEDUCTION)).render("chat", tokenizer=None)


def test_seed_task_is_the_identity_program():
    t = seed_task(T.DEDUCTION)
    assert t.program == "def f(a):\n    return a" and t.input == "'Hello World'" and t.output == t.input
