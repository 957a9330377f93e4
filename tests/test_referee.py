"""The referee's side of a hidden test, without a kernel: the verdict comes only from the answers."""
import re

import numpy as np
import pytest
from nbformat import NotebookNode

import ninja_hidden as hidden
from ninja_autograde import referee
from backprop_ninja import scale
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


def tanh_backward(params, cache, y):
    X, h = cache["X"], cache["h"]
    dz2 = np.exp(cache["logp"])
    dz2[np.arange(len(y)), y] -= 1
    dz2 /= len(y)
    dz1 = (dz2 @ params["W2"].T) * (1 - h ** 2)
    return {"W1": X.T @ dz1, "b1": dz1.sum(0), "W2": h.T @ dz2, "b2": dz2.sum(0)}


def verdict_of(name, part, student_fn, seed=1):
    test = referee.Test(name, part, seed)
    calls = wire.loads(wire.dumps(test.sent()))
    answers = {i: hidden._answer(student_fn, call) for i, call in calls.items()}
    return test, test.verdict(wire.loads(wire.dumps(answers)))


def test_backward_tests_include_a_million_parameter_network_judged_along_directions():
    test, verdict = verdict_of("mlp_tanh_backward", "W1", tanh_backward)
    assert verdict == ""
    big = test.calls[-1]
    assert "network" in big and scale.parameters(big) > 10**6
    assert "_directions" not in test.sent()[str(len(test.calls) - 1)], "the referee's directions stay with the referee"

    def right_only_when_small(params, cache, y):
        grads = tanh_backward(params, cache, y)
        return {k: (-v if v.size > 10**5 else v) for k, v in grads.items()}

    _, verdict = verdict_of("mlp_tanh_backward", "W1", right_only_when_small)
    assert verdict.startswith(f"dW1 is wrong on a network of {scale.parameters(big):,} parameters") and "sign" in verdict


@pytest.mark.parametrize("name, parts", [("mlp_tanh_backward", "W1 b1 W2"), ("mlp3_backward", "W1 b1 W2 b2 W3")])
def test_at_scale_every_tensor_but_the_output_bias_is_too_large_for_finite_differences(name, parts):
    """Two forward passes per entry: 50,000 entries make 100,000 forward passes of a million-parameter network."""
    for part in parts.split():
        big = referee.Test(name, part, seed=3).calls[-1]
        params, _, _ = scale.network(big)
        assert params[part].size >= 50_000 and scale.parameters(big) > 10**6, part


def test_finite_differences_run_out_of_the_kernels_time_budget(monkeypatch):
    from backprop_ninja.gradcheck import numerical_gradient
    from backprop_ninja.nets import mlp_tanh_forward

    def finite_differences(params, cache, y):
        work = {k: v.copy() for k, v in params.items()}
        return {k: numerical_gradient(lambda: mlp_tanh_forward(work, cache["X"], y)[0], work[k]) for k in work}

    monkeypatch.setattr(scale, "BUDGET", 0.5)
    _, verdict = verdict_of("mlp_tanh_backward", "b2", finite_differences)
    assert verdict.startswith("took longer than 0.5 s on a network of") and "finite differences?" in verdict
    assert verdict_of("mlp_tanh_backward", "unchanged", finite_differences)[1] == ""


def test_the_same_seed_draws_the_same_data_and_no_seed_fresh_data():
    a, b = (referee.Test("mlp_relu_backward", "W1", 42).sent() for _ in range(2))
    assert wire.dumps(a) == wire.dumps(b)
    assert wire.dumps(referee.Test("mlp_relu_backward", "W1").sent()) != wire.dumps(a)


def test_a_verdict_shows_control_characters_and_never_obeys_them():
    """An exception message that would clear the instructor's line and print a forged score, or turn text around."""
    forged = "\x1b[2K\r  mallory  15/15 \u202e"

    def raises(z, y):
        raise ValueError(forged)

    _, verdict = verdict_of("softmax_nll_backward", "random", raises)
    assert "ValueError" in verdict and "\\x1b[2K\\x0d  mallory" in verdict and "\\u202e" in verdict
    assert all(c.isprintable() for c in verdict)
