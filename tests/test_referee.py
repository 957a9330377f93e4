"""The referee's side of a hidden test, without a kernel: the verdict comes only from the answers."""
import re

import numpy as np
from nbformat import NotebookNode

import ninja_hidden as hidden
from ninja_autograde import referee
from ninja_hidden import wire


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def executed(source, student_fn, extra_outputs=()):
    """The cell as the kernel would leave it: what the student printed, then the answers."""
    run, test = referee.prepare(source)
    calls = wire.loads(re.search(r'calls="([A-Za-z0-9+/=]*)"', run).group(1))
    answers = {i: hidden._answer(student_fn, call) for i, call in calls.items()}
    payload = NotebookNode(output_type="display_data", metadata={},
                           data={hidden.ANSWERS_MIME: wire.dumps(answers), "text/plain": "(answers)"})
    return NotebookNode(cell_type="code", source=source, outputs=[*extra_outputs, payload]), test


def errors(cell):
    return [o for o in cell.outputs if o.output_type == "error"]


SOURCE = 'hidden_test("softmax", softmax, "random")'


def test_the_grader_writes_fresh_data_into_the_call():
    run_a, _ = referee.prepare(SOURCE)
    run_b, _ = referee.prepare(SOURCE)
    assert run_a.startswith('hidden_test("softmax", softmax, "random", calls="') and run_a != run_b
    assert referee.prepare("print(1)") == ("print(1)", None)


def test_a_right_answer_leaves_no_error_and_no_payload():
    stderr = NotebookNode(output_type="stream", name="stderr", text="RuntimeWarning: harmless\n")
    cell, test = executed(SOURCE, softmax, [stderr])
    referee.rule(cell, test)
    assert not errors(cell)
    assert all(hidden.ANSWERS_MIME not in o.get("data", {}) for o in cell.outputs)
    # a warning on stderr would cost the cell its points in nbgrader: it is kept as plain output
    assert [o.name for o in cell.outputs if o.output_type == "stream"] == ["stdout"]


def test_a_wrong_answer_fails_in_the_lessons_words_whatever_the_kernel_said():
    cell, test = executed(SOURCE, lambda z: softmax(z.T).T)
    referee.rule(cell, test)
    (error,) = errors(cell)
    assert "axis" in error.evalue and error.traceback == [f"AssertionError: {error.evalue}"]


def test_no_answer_or_a_forged_one_fails():
    cell = NotebookNode(cell_type="code", source=SOURCE, outputs=[])
    _, test = referee.prepare(SOURCE)
    referee.rule(cell, test)
    assert "no answer came back" in errors(cell)[0].evalue
    forged = NotebookNode(output_type="display_data", metadata={}, data={hidden.ANSWERS_MIME: "not base64!"})
    cell = NotebookNode(cell_type="code", source=SOURCE, outputs=[forged])
    referee.rule(cell, test)
    assert errors(cell)


def test_an_execute_result_cannot_claim_partial_credit():
    result = NotebookNode(output_type="execute_result", execution_count=1, metadata={}, data={"text/plain": "1.0"})
    cell, test = executed(SOURCE, softmax, [result])
    referee.rule(cell, test)
    assert not any(o.output_type == "execute_result" for o in cell.outputs)
