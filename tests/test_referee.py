"""The referee's side of a hidden test, without a kernel: the verdict comes only from the answers."""
import base64
import io
import re
import tracemalloc
import zipfile

import numpy as np
import pytest
from nbformat import NotebookNode

from ninja_runner import hidden
from ninja_autograde import answers, referee
from backprop_ninja import scale
from ninja_runner import wire


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def executed(source, student_fn, extra_outputs=()):
    """The cell as the kernel would leave it: what the student printed, then the answers."""
    run, test = referee.prepare(source)
    calls = wire.loads(re.search(r'calls="([A-Za-z0-9+/=]*)"', run).group(1))
    answers = {i: hidden.answer(student_fn, call) for i, call in calls.items()}
    payload = NotebookNode(output_type="display_data", metadata={},
                           data={hidden.ANSWERS_MIME: wire.dumps(answers), "text/plain": "(answers)"})
    return NotebookNode(cell_type="code", source=source, outputs=[*extra_outputs, payload]), test


def errors(cell):
    return [o for o in cell.outputs if o.output_type == "error"]


SOURCE = 'test("softmax", softmax, "random")'


def test_the_grader_writes_fresh_data_into_the_call():
    run_a, _ = referee.prepare(SOURCE)
    run_b, _ = referee.prepare(SOURCE)
    assert run_a.startswith('test("softmax", softmax, "random", calls="') and run_a != run_b
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


def judged(name, part, student_fn, seed=1):
    """(the Test, the Verdict on the student's function), its answers read as the grader reads them (`answers.read`)."""
    test = referee.Test(name, part, seed)
    calls = wire.loads(wire.dumps(test.sent()))
    sent = {i: hidden.answer(student_fn, call) for i, call in calls.items()}
    return test, test.judged(wire.dumps(sent), answers.Budget())


def verdict_of(name, part, student_fn, seed=1):
    """(the Test, the verdict's message: '' when it passed)."""
    test, verdict = judged(name, part, student_fn, seed)
    assert verdict.passed == (verdict.message == ""), verdict
    return test, verdict.message


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


def relu_backward(params, cache, y):
    X, z1, h = cache["X"], cache["z1"], cache["h"]
    dz2 = np.exp(cache["logp"])
    dz2[np.arange(len(y)), y] -= 1
    dz2 /= len(y)
    dz1 = (dz2 @ params["W2"].T) * (z1 > 0)
    return {"W1": X.T @ dz1, "b1": dz1.sum(0), "W2": h.T @ dz2, "b2": dz2.sum(0)}


@pytest.mark.parametrize("seed", range(4))
def test_no_relu_unit_of_a_scale_network_sits_where_the_referees_step_crosses_the_kink(seed):
    """Of 50,000 units some pre-activation is usually within 1e-5 of 0: a step of length STEP in W1 or b1
    moves z1 by at most STEP·√(‖x‖² + 1), and a central difference across the kink fails a right dW1."""
    test, verdict = verdict_of("mlp_relu_backward", "W1", relu_backward, seed=seed)
    params, cache, _ = scale.network(test.calls[-1])
    reach = scale.STEP * np.sqrt((cache["X"] ** 2).sum() + 1)
    assert np.abs(cache["z1"]).min() >= 9.99 * reach
    assert verdict == ""


def test_finite_differences_run_out_of_the_kernels_time_budget(monkeypatch):
    from backprop_ninja.gradcheck import numerical_gradient
    from backprop_ninja.nets import mlp_tanh_forward

    def finite_differences(params, cache, y):
        work = {k: v.copy() for k, v in params.items()}
        return {k: numerical_gradient(lambda: mlp_tanh_forward(work, cache["X"], y)[0], work[k]) for k in work}

    monkeypatch.setattr(scale, "BUDGET", 0.5)
    _, verdict = judged("mlp_tanh_backward", "b2", finite_differences)
    assert verdict.mistake == "too-slow" and verdict.message.startswith("took longer than 0.5 s on a network of")
    assert "finite differences?" in verdict.message
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


def message(members, compression=zipfile.ZIP_STORED):
    """An answer message holding `members` ((name, an array or the member's raw bytes) pairs) as given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, value in members:
            if isinstance(value, np.ndarray):
                npy = io.BytesIO()
                np.lib.format.write_array(npy, value, allow_pickle=True)
                value = npy.getvalue()
            archive.writestr(name, value)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def right(test):
    """The right answers to the test's calls, as the archive's members."""
    tree = {i: hidden.answer(softmax, call) for i, call in test.sent().items()}
    return {f"{name}.npy": value for name, value in wire.flatten(tree).items()}


def ruled(test, *texts, budget=None):
    """The verdict the referee leaves in a cell whose kernel displayed these answer messages."""
    outputs = [NotebookNode(output_type="display_data", metadata={}, data={hidden.ANSWERS_MIME: t}) for t in texts]
    cell = NotebookNode(cell_type="code", source=SOURCE, outputs=outputs)
    referee.rule(cell, test, budget)
    return " ".join(e.evalue for e in errors(cell))


def header(shape, descr="<f8"):
    npy = io.BytesIO()
    np.lib.format.write_array_header_1_0(npy, {"descr": descr, "fortran_order": False, "shape": shape})
    return npy.getvalue()


FORGED = {
    "a compressed member": (lambda m: m, zipfile.ZIP_DEFLATED, "is compressed"),
    "an object array": (lambda m: {**m, "0/out.npy": np.array([{}, 1], dtype=object)}, 0, "not numbers"),
    "text where numbers go": (lambda m: {**m, "0/out.npy": np.array(["1.0"])}, 0, "not numbers"),
    "a call never made": (lambda m: {**m, "7/out.npy": np.zeros(2)}, 0, "not part of an answer"),
    "an input never sent": (lambda m: {**m, "0/after/secret.npy": np.zeros(2)}, 0, "not part of an answer"),
    "a nested output": (lambda m: {**m, "0/out/a/b.npy": np.zeros(2)}, 0, "not part of an answer"),
    "an array and a dict at once": (lambda m: {**m, "0/out/W.npy": np.zeros(2)}, 0, "both an array and a dict"),
    "a huge shape": (lambda m: {**m, "0/out.npy": header((10**8,))}, 0, "far larger than call 0"),
    "a header that lies": (lambda m: {**m, "0/out.npy": header((30,)) + bytes(8)}, 0, "bytes than its header says"),
}


@pytest.mark.parametrize("forge", FORGED)
def test_a_forged_answer_is_refused_unread_with_the_reason(forge):
    edit, compression, reason = FORGED[forge]
    _, test = referee.prepare(SOURCE)
    assert ruled(test, message(right(test).items())) == ""   # the same answers, as the kernel sends them
    verdict = ruled(test, message(edit(right(test)).items(), compression))
    assert verdict.startswith("no answer: ") and reason in verdict, verdict


def test_a_zip_bomb_is_refused_before_anything_is_inflated():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("0/out.npy", "w", force_zip64=True) as member:
            member.write(header((25 * 2**20,)))
            for _ in range(200):
                member.write(bytes(2**20))
    bomb = base64.b64encode(buffer.getvalue()).decode("ascii")
    assert len(bomb) < 2**20
    _, test = referee.prepare(SOURCE)
    tracemalloc.start()
    verdict = ruled(test, bomb)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "is compressed" in verdict and peak < 20 * 2**20, (verdict, peak)


def test_the_message_and_its_members_are_counted_before_they_are_read():
    _, test = referee.prepare(SOURCE)
    text = message(right(test).items())
    assert "more than the grader reads (0.0 MB)" in ruled(test, text, budget=answers.Budget(message_chars=len(text) - 1))
    assert "members, more than the grader reads (2)" in ruled(test, text, budget=answers.Budget(members=2))


def test_a_member_named_twice_is_refused():
    _, test = referee.prepare(SOURCE)
    with pytest.warns(UserWarning, match="Duplicate name"):
        twice = message([*right(test).items(), ("0/out.npy", np.zeros(3))])
    assert "names a member twice" in ruled(test, twice)


def test_a_second_answer_message_fails_the_test():
    _, test = referee.prepare(SOURCE)
    text = message(right(test).items())
    assert ruled(test, text, text) == "2 answer messages came back, where the test sends one"


def test_when_the_notebooks_budget_runs_out_later_tests_are_not_judged():
    _, test = referee.prepare(SOURCE)
    text = message(right(test).items())
    out_of_bytes = answers.Budget(notebook_bytes=len(text))   # one answer's worth
    out_of_time = answers.Budget(notebook_seconds=1e-9)       # any judging spends more than a nanosecond
    for budget in (out_of_bytes, out_of_time):
        assert ruled(test, text, budget=budget) == ""
        for _ in range(2):
            assert "the grader's budget for this notebook ran out" in ruled(test, text, budget=budget)
