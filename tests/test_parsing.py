"""Response parsing: structure, blocks, which block wins, and what a failure says."""

import pytest

from azr.parsing import FormatError, blocks, parse_proposal, parse_solution, split_response
from azr.task_types import TaskType as T

PROG = "```python\ndef f(x):\n    return x + 1\n```"


def wrap(answer: str, think: str = "let me think") -> str:
    return f"{think}</think>\n<answer>\n{answer}\n</answer>"


# ----------------------------------------------------------------- structure
def test_prefilled_think_is_accepted():
    s = split_response("reasoning </think> <answer>42</answer>")
    assert (s.think, s.answer) == ("reasoning", "42")


def test_explicit_opening_think_is_accepted():
    assert split_response("<think>r</think><answer>x</answer>").answer == "x"


def test_text_after_answer_is_ignored():
    assert split_response("r</think><answer>x</answer> trailing <|im_end|>").answer == "x"


@pytest.mark.parametrize(
    "text, missing",
    [
        ("no tags at all", "missing </think>"),
        ("r</think> the answer is 4", "missing <answer>"),
        ("r</think><answer>4", "missing </answer>"),
        ("r</think><answer>   </answer>", "empty <answer>"),
        ("r</think> so <answer>4</answer>", "between </think> and <answer>"),
        ("<think>a<think>b</think><answer>4</answer>", "second <think>"),
        ("<answer>4</answer></think>", "missing <answer>"),
        ("", "missing </think>"),
    ],
)
def test_malformed_structure_says_what_is_missing(text, missing):
    with pytest.raises(FormatError, match=missing):
        split_response(text)


def test_answer_inside_think_does_not_count():
    # an <answer> written while still thinking is not the answer
    with pytest.raises(FormatError):
        split_response("<answer>1</answer> hmm")


# ----------------------------------------------------------------- proposals
def test_deduction_proposal():
    p = parse_proposal(wrap(f"{PROG}\n```input\n3\n```"), T.DEDUCTION)
    assert p.program == "def f(x):\n    return x + 1" and p.input == "3"


def test_last_block_wins_when_several():
    text = wrap(f"{PROG}\n```input\n1\n```\n```python\ndef f(y):\n    return y\n```\n```input\n2\n```")
    p = parse_proposal(text, T.ABDUCTION)
    assert p.program == "def f(y):\n    return y" and p.input == "2"


def test_blocks_in_think_are_ignored():
    text = wrap("```input\n5\n```", think=f"draft {PROG}")
    with pytest.raises(FormatError, match="missing ```python"):
        parse_proposal(text, T.DEDUCTION)


def test_missing_input_block():
    with pytest.raises(FormatError, match="missing ```input"):
        parse_proposal(wrap(PROG), T.DEDUCTION)


def test_empty_python_block_counts_as_missing():
    with pytest.raises(FormatError, match="missing ```python"):
        parse_proposal(wrap("```python\n\n```\n```input\n1\n```"), T.DEDUCTION)


def test_fence_language_is_case_insensitive():
    p = parse_proposal(wrap("```Python\ndef f(a): return a\n```\n```INPUT\n'x'\n```"), T.DEDUCTION)
    assert p.input == "'x'"


def test_unclosed_fence_is_not_a_block():
    with pytest.raises(FormatError, match="missing ```input"):
        parse_proposal(wrap(f"{PROG}\n```input\n3"), T.DEDUCTION)


def test_induction_proposal_takes_first_n_inputs_and_message():
    ins = "\n".join(f"```input\n{i}\n```" for i in range(6))
    p = parse_proposal(wrap(f"{ins}\n```message\nadds one\n```"), T.INDUCTION, n_inputs=4)
    assert p.inputs == ["0", "1", "2", "3"] and p.message == "adds one"


def test_induction_with_too_few_inputs():
    ins = "\n".join(f"```input\n{i}\n```" for i in range(3))
    with pytest.raises(FormatError, match="expected 10 non-empty ```input blocks, found 3"):
        parse_proposal(wrap(f"{ins}\n```message\nm\n```"), T.INDUCTION)


def test_induction_without_message():
    ins = "\n".join(f"```input\n{i}\n```" for i in range(4))
    with pytest.raises(FormatError, match="missing ```message"):
        parse_proposal(wrap(ins), T.INDUCTION, n_inputs=4)


def test_adversarial_tags_inside_code_are_just_text():
    code = "```python\ndef f(s):\n    return s + '</answer>'\n```"
    # the program's own '</answer>' closes the answer early: the program block is cut and not found
    with pytest.raises(FormatError):
        parse_proposal(wrap(f"{code}\n```input\n'a'\n```"), T.DEDUCTION)


# ----------------------------------------------------------------- solutions
def test_deduction_answer_from_output_block():
    assert parse_solution(wrap("```output\n[1, 2]\n```"), T.DEDUCTION) == "[1, 2]"


def test_deduction_bare_answer_falls_back_to_text():
    assert parse_solution(wrap("[1, 2]"), T.DEDUCTION) == "[1, 2]"


def test_abduction_answer_from_input_block():
    assert parse_solution(wrap("```input\n'a', 2\n```"), T.ABDUCTION) == "'a', 2"


def test_induction_answer_is_the_program():
    assert parse_solution(wrap(PROG), T.INDUCTION).startswith("def f(x)")


def test_solution_with_wrong_block_kind():
    with pytest.raises(FormatError, match="no non-empty ```output block"):
        parse_solution(wrap("```python\n1\n```"), T.DEDUCTION)


def test_injection_text_is_returned_verbatim_not_interpreted():
    hack = "1) or True or (0"
    assert parse_solution(wrap(f"```input\n{hack}\n```"), T.ABDUCTION) == hack


def test_blocks_helper_keeps_order():
    assert blocks("```input\na\n```\n```output\nb\n```\n```input\nc\n```", "input") == ["a", "c"]
