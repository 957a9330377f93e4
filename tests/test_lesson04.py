"""Lesson 04 says what its tasks ask, and its checks ask what it says: trace_by_hand's contract, decimals and
(no) grade."""
import re

import nbformat
import numpy as np
import pytest

from backprop_ninja import trace
from backprop_ninja.checks import visible_test
from backprop_ninja.judging import RULES


@pytest.fixture(scope="module")
def cells(repo):
    return nbformat.read(repo / "source" / "04_mlp_relu" / "mlp_relu.ipynb", as_version=4).cells


def text_before(cells, grade_id):
    """The markdown between the code cell before the solution cell `grade_id` and that cell."""
    at = next(i for i, c in enumerate(cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    start = max(i for i in range(at) if cells[i].cell_type == "code")
    return "\n".join(c.source for c in cells[start + 1:at])


def right_trace():
    return {key: np.asarray(value).tolist() for key, value in RULES["trace_by_hand"].reference({}).items()}


def test_the_lesson_lists_every_key_trace_by_hand_returns_with_its_length(cells):
    text = text_before(cells, "trace_by_hand")
    for key, value in right_trace().items():
        assert re.search(rf"^\| `{key}` \|.*\| {len(value)} \|$", text, re.M), key


def test_the_lesson_states_the_tolerance_the_check_uses(cells):
    rule = RULES["trace_by_hand"]
    stated = re.search(r"at least (\d+) decimals.*an error of at most (\S+),", text_before(cells, "trace_by_hand"), re.S)
    assert stated, "the lesson must say how many decimals trace_by_hand needs and the error it accepts"
    decimals, tolerance = int(stated.group(1)), float(stated.group(2))
    assert tolerance == rule.atol and rule.rtol == 0.0
    assert 0.5 * 10.0 ** -decimals < rule.atol   # numbers rounded to the stated decimals always pass


@pytest.mark.parametrize("decimals, passes", [(8, True), (6, True), (5, False), (4, False)])
def test_six_decimals_pass_and_fewer_fail_as_the_lesson_says(decimals, passes):
    rounded = {key: [round(v, decimals) for v in values] for key, values in right_trace().items()}
    if passes:
        visible_test("trace_by_hand", lambda: rounded, "numbers")
    else:
        with pytest.raises(AssertionError, match="is wrong"):
            visible_test("trace_by_hand", lambda: rounded, "numbers")


def test_the_forward_trace_cell_shows_its_lines_and_no_repr():
    lines = []
    assert trace.print_trace(say=lines.append, backward_pass=False) is None   # a cell ending in it shows no Trace(...)
    assert lines[-1] == "L     = −log p[0] = 0.775804"


def test_the_hand_trace_is_checked_against_finite_differences_with_its_mistakes_named():
    right = {k: [round(v, 6) for v in vs] for k, vs in right_trace().items()}
    visible_test("trace_by_hand", lambda: right, "numbers")
    with pytest.raises(AssertionError, match="no ReLU mask"):
        visible_test("trace_by_hand", lambda: {**right, "dW1_dead_row": [-0.08095, -0.12952]}, "numbers")
    with pytest.raises(AssertionError, match="sign is flipped"):
        visible_test("trace_by_hand", lambda: {k: [-v for v in vs] for k, vs in right.items()}, "numbers")
    with pytest.raises(AssertionError, match="dh is missing"):
        visible_test("trace_by_hand", lambda: {k: v for k, v in right.items() if k != "dh"}, "numbers")


def test_the_hand_trace_whose_answers_the_lesson_prints_is_not_graded_and_the_lesson_says_so(cells):
    graded = [c.source for c in cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    assert graded and not any("trace_by_hand" in source for source in graded)
    assert "**This one is not graded.**" in text_before(cells, "trace_by_hand")
