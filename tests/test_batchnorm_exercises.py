"""Lesson 06's hidden tests judged in-process (no nbgrader, no kernel): every calibration case fails
exactly its tests, and each named mistake is named. test_calibration runs the same cases through nbgrader."""
import nbformat
import numpy as np
import pytest

from ninja_runner import hidden
from ninja_autograde import calibration, referee, submissions
from ninja_runner import wire

ASSIGNMENT = "06_batchnorm"
NAMED = {   # a case -> words its diagnosis must contain
    "bn_mean_path_missing": "mean's path", "bn_variance_path_missing": "variance's path",
    "bn_unbiased_variance": "n − 1", "bn_sums_over_features": "wrong axis", "ln_sums_over_batch": "wrong axis",
    "bn_gamma_missing": "gamma is missing", "bn_dgamma_of_x": "xhat", "embedding_fancy_assignment": "counted once",
    "mlp_mean_path_missing": "mean's path", "mlp_gamma_missing": "gamma is missing",
    "mlp_unbiased_variance": "n − 1", "mlp_embedding_counted_once": "counted once",
}


@pytest.fixture(scope="module")
def notebook(repo):
    return nbformat.read(repo / "source" / ASSIGNMENT / "batchnorm.ipynb", as_version=4)


def hidden_tests(notebook):
    """grade_id -> (exercise, part) of every autograded test cell but the training one (test_capstone's)."""
    tests = {}
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        match = referee.CALL.search(cell.source)
        if meta.get("grade") and match and match.group(3) != "train":
            tests[meta["grade_id"]] = (match.group(1), match.group(3))
    return tests


def verdict(name, fn, part):
    test = referee.Test(name, part)
    calls = wire.loads(wire.dumps({str(i): call for i, call in enumerate(test.calls)}))
    return test.verdict(wire.loads(wire.dumps({i: hidden.answer(fn, call) for i, call in calls.items()}))).message


@pytest.mark.parametrize("case", [c.name for c in calibration.cases(ASSIGNMENT)])
def test_each_case_fails_exactly_its_tests_with_the_mistake_named(case, notebook):
    case = calibration.case(ASSIGNMENT, case)
    namespace = {"np": np}
    for grade_id, solution in submissions.solution_cells(notebook).items():
        exec(case.answers.get(grade_id, solution), namespace)
    with np.errstate(all="ignore"):
        failed = {grade_id: verdict(name, namespace[name], part)
                  for grade_id, (name, part) in hidden_tests(notebook).items()}
    failed = {grade_id: message for grade_id, message in failed.items() if message}
    assert set(failed) == case.fails - {"test_trains"}, failed
    if case.name in NAMED:
        assert all(NAMED[case.name] in message for message in failed.values()), failed


def test_the_hidden_tests_draw_batches_of_two_repeated_tokens_and_fresh_seeds():
    bn = referee.Test("batchnorm_backward", "x").calls
    assert bn[0]["cache"]["x"].shape[0] == 2 and bn[1]["cache"]["x"].shape[0] >= 3
    for call in referee.Test("embedding_backward", "C").calls:
        assert len(np.unique(call["cache"]["idx"])) < call["cache"]["idx"].size
    for call in referee.Test("mlp_bn_backward", "C").calls:
        X = call["cache"]["X"]
        assert len(np.unique(X)) < X.size and not np.allclose(call["params"]["gamma"], 1)
    seeds = {int(referee.Test("mlp_bn_backward", "train").calls[0]["seed"]) for _ in range(3)}
    assert len(seeds) == 3   # the training test's sequence is one the student cannot know in advance
