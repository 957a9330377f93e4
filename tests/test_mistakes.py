"""One diagnosis, everywhere: the notebook names every mistake the grader names.

For every calibration student who makes a classic mistake, the grader's verdict on fresh data, the
visible test's verdict on the notebook's fixed data and, for the networks, the lab assistant's row in
the check cell (`check_backward`) name the same mistake. No kernel: the students' functions run here.
"""
import re
from unittest import mock

import numpy as np
import pytest

from backprop_ninja import check_backward, data, mistakes
from backprop_ninja.probe import NETWORKS, Probe
from ninja_runner import VERDICT_MIME, hidden, visible, visible_test
from ninja_runner.visible import WIDTH
from backprop_ninja.diagnose import id_of
from ninja_autograde import calibration, course, referee
from ninja_runner import wire

# cheats and accidents, not derivations (finite differences: test_validate shows Validate fails them at scale)
NOT_MISTAKES = ("tamper", "crash", "hang", "allocates", "floods", "finite_differences")
CHECK_CELL = {   # the data of each network's check cell in its notebook
    "03_mlp_tanh": ("mlp_tanh", data.seed_network),
    "04_mlp_relu": ("mlp_relu", lambda: data.classification(6, [4, 7, 3], seed=4)),
    "05_third_layer": ("mlp3", lambda: data.classification(5, [4, 6, 5, 3], seed=7)),
}


def graded_cells(assignment):
    """grade_id -> [(graded function, test part)] of the cell's visible tests, in order."""
    nb = course.read_notebook(course.REPO, "release", assignment)
    return {c.metadata.nbgrader["grade_id"]: [m.group(1, 3) for m in referee.CALL.finditer(c.source)] for c in nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")}


def student(case):
    """The case's functions, defined as the notebook would define them."""
    namespace = {"np": np}
    for source in case.answers.values():
        exec(source, namespace)
    return namespace


def grader_verdict(name, part, fn):
    """The referee's verdict on fresh data, the calls run as the student's kernel runs them (on its own copy)."""
    test = referee.Test(name, part, seed=2026)
    with np.errstate(all="ignore"):
        answers = {i: hidden.answer(fn, call) for i, call in wire.loads(wire.dumps(test.sent())).items()}
    return test.verdict(answers)


def visible_verdict(name, part, fn):
    """(the mistake's id the visible test displays for the grader, its message) or ('', '') if it passes."""
    shown = []
    with mock.patch.object(visible, "_in_kernel", lambda: True), \
            mock.patch.object(visible, "_display", lambda data, raw: shown.append(data[VERDICT_MIME])):
        try:
            visible_test(name, fn, part)
        except AssertionError as failure:
            return shown[-1]["mistake"], " ".join(str(failure).splitlines())
    assert not shown
    return "", ""


GENERIC = ("entries-off", "correlated", "anti-correlated", "unnamed")   # off, but no mistake named
CASES = [(a, c) for a in course.available_assignments() for c in calibration.cases(a)
         if c.fails and not c.name.startswith(NOT_MISTAKES)]


@pytest.mark.parametrize("assignment, case", CASES, ids=[f"{a}/{c.name}" for a, c in CASES])
def test_the_notebook_names_the_mistake_the_grader_names(assignment, case):
    functions, cells = student(case), graded_cells(assignment)
    for test in sorted(case.fails - case.may_fail):
        # the cell's first visible test that fails; the grader judges that same part on fresh data
        verdicts = [(name, part, *visible_verdict(name, part, functions[name])) for name, part in cells[test]]
        name, part, visible, message = next((v for v in verdicts if v[2]), verdicts[-1])
        grader = grader_verdict(name, part, functions[name])
        assert not grader.passed and visible, (test, grader, message)
        assert visible == grader.mistake, (test, message, grader.message)
        assert grader.mistake not in GENERIC, f"{test}: the grader does not name this mistake: {grader.message}"
        if assignment in CHECK_CELL and re.fullmatch(r"[Wb]\d", part) and case.name != "unanswered":
            network, point = CHECK_CELL[assignment]
            row = next(r for r in check_backward(functions[name], network, *point()).rows if r.name == part)
            assert not row.passed and id_of(row.hint) == grader.mistake, (test, row.hint, grader.message)


@pytest.mark.parametrize("network", ["mlp_tanh", "mlp_relu", "mlp3", "deep_tanh"])
def test_a_hint_never_names_what_the_line_cannot_contain(network):
    """A mistake changes only the tensors below it: the top layer's W and b (no activation in their line) are
    never told of an activation, and each hidden layer's activation mistake reaches the layers under it only."""
    sizes = {"mlp3": [3, 4, 5, 3], "deep_tanh": [3, 4, 4, 5, 3]}.get(network, [3, 4, 3])
    params, X, y = data.classification(5, sizes, seed=1)
    probe = Probe(NETWORKS[network], params, X, y)
    L, right = probe.depth, probe.backprop(probe.top)
    changes = {key: [s for s, grads in mistakes.network_mistakes(probe)
                     if key in grads and grads[key].shape == right[key].shape
                     and not np.allclose(grads[key], right[key], rtol=1e-6, atol=1e-12)]
               for key in params}
    for key in (f"W{L}", f"b{L}"):
        hints = changes[key] + [mistakes.where(probe.names, L, key)]
        assert not any(word in h for h in hints for word in ("tanh′", "mask", "derivative")), hints
    for j in range(1, L):
        layer = f"the hidden layer {probe.names[f'h{j}']}"
        for i in range(1, L + 1):
            assert any(layer in s for s in changes[f"W{i}"]) == (i <= j), (layer, f"W{i}")


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _not_restored(f, x, eps=1e-5):
    """A student's central difference over the flat entries that leaves each at x − eps."""
    flat, grad = x.reshape(-1), np.zeros(x.size)
    for i in range(x.size):
        start = flat[i]
        flat[i] = start + eps
        plus = f(x)
        flat[i] = start - eps
        grad[i] = (plus - f(x)) / (2 * eps)
    return grad.reshape(x.shape)


def _unanswered(*args):
    raise NotImplementedError()


@pytest.mark.parametrize("name, part, answer, words", [
    ("softmax_nll_backward", "random",
     lambda z, y: -(_softmax(z) - np.eye(z.shape[1])[y]) / len(y), "the sign is flipped"),
    ("nll_loss", "random", lambda z, y: -np.log(_softmax(z)[np.arange(len(y)), y]).sum(), "sum instead of mean"),
    ("nll_loss", "extreme", lambda z, y: -np.log(_softmax(z)[np.arange(len(y)), y]).mean(), "log-sum-exp"),
    ("softmax", "random", lambda z: np.exp(z) / np.exp(z).sum(axis=1), "keepdims=True"),
    ("central_difference", "values", _not_restored, "x is not restored"),
    ("central_difference", "unchanged", _not_restored, "modified its input x"),
    ("mlp3_backward", "W1", _unanswered, "not answered yet"),
])
def test_visible_tests_fail_with_the_diagnosis(name, part, answer, words):
    """The smaller promises: the worked example already names a flipped sign, a sum is called a sum, a lost
    keepdims and log(softmax) are named, an x left changed is caught where coordinates interact."""
    with pytest.raises(AssertionError) as failure:
        visible_test(name, answer, part)
    lines = str(failure.value).splitlines()
    assert max(len(line) for line in lines) <= WIDTH, lines   # nbgrader's Validate would cut a longer one
    message = " ".join(lines)
    assert words in message, message
    if name == "softmax_nll_backward":   # the first call is the lesson's worked example, the last 256 × 4,096 logits
        assert message.endswith("(on visible example 1 of 3)")
