"""Lesson 04 says what its tasks ask, and its checks ask what it says: trace_by_hand's contract, decimals and
(no) grade; gradient_descent's log_every = 0 and its graded log."""
import functools
import re

import nbformat
import numpy as np
import pytest

from backprop_ninja import trace
from ninja_runner import visible_test
from ninja_runner.exercises import EXERCISES
from backprop_ninja.nets import mlp_relu_forward, predict
from ninja_autograde import submissions
from ninja_runner import hidden_test


@pytest.fixture(scope="module")
def cells(repo):
    return nbformat.read(repo / "source" / "04_mlp_relu" / "mlp_relu.ipynb", as_version=4).cells


def text_before(cells, grade_id):
    """The markdown between the code cell before the solution cell `grade_id` and that cell."""
    at = next(i for i, c in enumerate(cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    start = max(i for i in range(at) if cells[i].cell_type == "code")
    return "\n".join(c.source for c in cells[start + 1:at])


def right_trace():
    return {key: np.asarray(value).tolist() for key, value in EXERCISES["trace_by_hand"].reference({}).items()}


def test_the_lesson_lists_every_key_trace_by_hand_returns_with_its_length(cells):
    text = text_before(cells, "trace_by_hand")
    for key, value in right_trace().items():
        assert re.search(rf"^\| `{key}` \|.*\| {len(value)} \|$", text, re.M), key


def test_the_lesson_states_the_tolerance_the_check_uses(cells):
    rule = EXERCISES["trace_by_hand"]
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


# gradient_descent: log_every = 0 is no logging, and the log is graded in the format the lesson shows

def descend(params, X, y, backward, steps=3000, lr=0.5, log_every=300, late=0, percent=False, every=None):
    """The lesson's loop with the course's forward pass; late, percent and every make its log's classic mistakes."""
    for step in range(steps):
        loss, cache = mlp_relu_forward(params, X, y)
        grads = backward(params, cache, y)
        new = {name: value - lr * grads[name] for name, value in params.items()}
        if log_every and step % (every or log_every) == 0:
            shown = new if late else params
            acc = np.mean(predict(shown, X) == y) * (100 if percent else 1)
            print(f"iter {step} loss {mlp_relu_forward(shown, X, y)[0]:.4f} acc {acc:.3f}")
        params = new
    if log_every:
        acc = np.mean(predict(params, X) == y) * (100 if percent else 1)
        print(f"final loss {mlp_relu_forward(params, X, y)[0]:.4f} acc {acc:.3f}")
    return params


def crashes(params, X, y, backward, steps=3000, lr=0.5, log_every=300):
    for step in range(steps):
        if step % log_every == 0:
            print(f"iter {step} loss {mlp_relu_forward(params, X, y)[0]:.4f} acc 0.000")
        params = {k: v - lr * backward(params, None, y)[k] for k, v in params.items()}
    return params


def silent(params, X, y, backward, steps=3000, lr=0.5, log_every=300):
    return descend(params, X, y, backward, steps, lr, log_every=0)


@pytest.mark.parametrize("test", [visible_test, hidden_test])
def test_a_right_loop_passes_every_part_and_prints_nothing_with_log_every_0(test, capsys):
    for part in ("descends", "unchanged", "logs"):
        test("gradient_descent", descend, part)
    assert "iter" not in capsys.readouterr().out


@pytest.mark.parametrize("test", [visible_test, hidden_test])
@pytest.mark.parametrize("loop, part, words", [
    (crashes, "descends", "log_every = 0 means no logging"),
    (silent, "logs", "printed no log line"),
    (functools.partial(descend, every=1), "logs", "logged steps"),
    (functools.partial(descend, late=1), "logs", "the loss after that step's update"),
])
def test_the_logs_mistakes_fail_with_their_names(test, loop, part, words):
    with pytest.raises(AssertionError, match=words.replace(" ", r"\s+")):   # a visible verdict comes in lines
        test("gradient_descent", loop, part)


def test_an_accuracy_in_percent_is_named():   # on the visible data, whose accuracies are not all 0
    with pytest.raises(AssertionError, match=r"a\s+percentage"):
        visible_test("gradient_descent", functools.partial(descend, percent=True), "logs")


def test_a_verdict_on_the_returned_parameters_names_them_not_their_gradients():
    with pytest.raises(AssertionError, match=r"^W1 is wrong, (.|\n)*uphill"):
        visible_test("gradient_descent", lambda p, X, y, b, steps, lr, log_every:
                     descend(p, X, y, lambda q, c, t: {k: -g for k, g in b(q, c, t).items()}, steps, lr, 0), "descends")


def test_the_lessons_example_log_is_what_its_run_prints(cells, capsys):
    text = text_before(cells, "gradient_descent")
    example = re.search(r"The run below prints\s+```\n(.*?)```", text, re.S)
    assert example, "the lesson must show the log its run prints"
    namespace = {}
    exec(next(c.source for c in cells if "from backprop_ninja.nets import" in c.source), namespace)
    for name, source in submissions.solution_cells(nbformat.v4.new_notebook(cells=cells)).items():
        exec(source, namespace)
    exec(next(c.source for c in cells if "params = gradient_descent(start" in c.source), namespace)
    printed = capsys.readouterr().out.splitlines()
    shown = [line for line in example.group(1).splitlines() if line != "…"]
    assert len(shown) >= 3 and all(line in printed for line in shown), (shown, printed)
