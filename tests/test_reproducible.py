"""Grades to trust: each student has their own data, the instructor can replay a student's case, and the report
comes from the gradebook alone. (That a regrade of the whole demo class changes nothing: tests/test_regrade.py.)"""
import shutil
import stat

import numpy as np
import pytest
from nbgrader.api import Gradebook

from ninja_runner.verdict import Verdict
from ninja_autograde import course, gradebook, grading, replay, report, secret
from ninja_autograde.preprocessors import GraderExecute
from ninja_autograde.referee import Test

A = "02_softmax_nll"
NB = course.ASSIGNMENTS[A]
CLASS = {"ada": "correct_loops", "edsger": "wrong_axis", "grace": "missing_over_n", "alan": "missing_over_n",
         "linus": "unanswered", "margaret": "tamper_patches_allclose"}


@pytest.fixture(scope="module")
def class_course(tmp_path_factory, sample_class):
    folder = sample_class(tmp_path_factory.mktemp("class"), A, CLASS.items())
    assert all(o.success for o in grading.grade(A, folder, jobs=2, progress=False))
    return folder


def test_the_secret_is_the_graders_alone(class_course):
    key_file = class_course / ".grader" / "secret"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and len(key_file.read_bytes()) == 32
    assert secret.load(key_file) == key_file.read_bytes()   # created once, then read


def test_two_students_with_the_same_wrong_answer_get_different_data(class_course):
    key = secret.load(class_course / ".grader" / "secret")

    def calls(student, test_id):   # the small calls; the one at scale travels as a recipe
        test = Test("softmax_nll_backward", "random", secret.seed(key, student, A, test_id))
        return [c for c in test.calls if "z" in c], [int(c["seed"]) for c in test.calls if "network" in c]
    drawn, at_scale = ({s: calls(s, "test_backward_random")[i] for s in ("grace", "alan")} for i in (0, 1))
    assert at_scale["grace"] != at_scale["alan"]
    again = calls("grace", "test_backward_random")[0]
    assert all(np.array_equal(a["z"], b["z"]) for a, b in zip(drawn["grace"], again))
    assert not any(a["z"].shape == b["z"].shape and np.array_equal(a["z"], b["z"])
                   for a, b in zip(drawn["grace"], drawn["alan"]))
    other_test = calls("grace", "test_backward_extreme")[0]
    assert not np.array_equal(other_test[0]["z"], drawn["grace"][0]["z"])


def test_replay_shows_the_data_and_the_verdict_of_grading(class_course):
    (test, calls, verdict, judged), = replay.replay(class_course, A, "grace", "test_backward_random")
    with Gradebook(grading.db_url(class_course)) as gb:
        stored = gb.find_comment("softmax_nll_backward", "softmax_nll", A, "grace").auto_comment
    assert f"{test}: {verdict}" in stored.splitlines() and "missing /N" in verdict
    executor = GraderExecute(config=grading.load_config(class_course))
    cell = next(c for c in course.read_notebook(class_course / "submitted", "grace", A).cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == test)
    seed = executor.seed(cell, {"nbgrader": {"student": "grace", "assignment": A}})
    assert np.array_equal(calls["0"]["z"], Test("softmax_nll_backward", "random", seed).calls[0]["z"])
    assert not judged   # the cell's visible check failed first, on the notebook's own data
    text = replay.show([(test, calls, verdict, judged)])
    assert text.startswith(f"{test}: failed in the kernel, before the referee had an answer")
    z = calls["0"]["z"]   # in full, or its shape when too big to copy by hand (the draw decides)
    assert f"    z = <float64 array of shape {z.shape}>" in text if z.size > replay.SHOWN else "    z = [[" in text


def test_replay_says_when_the_referee_judged_the_hidden_data(class_course):
    (test, calls, verdict, judged), = replay.replay(class_course, A, "ada", "test_backward_random")
    assert judged and not verdict
    assert replay.show([(test, calls, verdict, judged)]).startswith(
        f"{test}: passed, judged by the referee on the hidden data below\n  call 1 of ")


def test_the_report_comes_from_the_gradebook_alone(class_course, tmp_path):
    here = report.summary(report.collect(class_course, A), A)
    elsewhere = tmp_path / "other-grader"       # another machine: the course's config and gradebook, no notebooks
    elsewhere.mkdir()
    shutil.copy(class_course / "nbgrader_config.py", elsewhere)
    shutil.copy(class_course / "gradebook.db", elsewhere)
    assert report.summary(report.collect(elsewhere, A), A) == here
    assert "missing /N" in here and "axis" in here


def test_the_report_counts_mistakes_by_their_id_and_shows_them_as_they_were_said(class_course):
    """grace and alan make one mistake on their own data (other numbers in the message): one row of the report."""
    results = {r.student: r for r in report.collect(class_course, A)}
    common = {m.mistake: m for m in report.commonest(results.values(), 20)}
    said = {s: {v.mistake: v.message for v in r.mistakes} for s, r in results.items()}
    assert all(common[m].students == sum(m in ids for ids in said.values()) for m in common)
    assert "not-answered" in said["linus"] and "softmax-wrong-axis" in said["edsger"], said
    assert "missing /N" in said["grace"]["missing-over-n"] and "missing /N" in said["alan"]["missing-over-n"]
    assert results["ada"].mistakes == []
    with Gradebook(grading.db_url(class_course)) as gb:
        for student, result in results.items():
            verdicts = gradebook.stored(gb, A, student)
            assert set(verdicts) == set(result.tests)
            assert all(v.passed == (result.tests[t][0] == result.tests[t][1]) for t, v in verdicts.items())
            comment = gb.find_comment("softmax_nll_backward", "softmax_nll", A, student).auto_comment or ""
            failed = [f"{t}: {v.message}" for t, v in verdicts.items() if not v.passed and t.startswith("test_backward")]
            assert all(line in comment.splitlines() for line in failed), (comment, failed)


def test_a_students_words_in_the_report_are_text_not_mathematics(tmp_path):
    """A mistake's label can hold a student's words; matplotlib would parse $…$ in it and fail."""
    message = "raised ValueError: $\\undefinedmacro{x}$ costs $5"
    results = [report.StudentResult("eve", 0, 5, {"test_backward_random": (0, 5)}, [Verdict("raised", message, tensor=message[18:])])]
    path = report.plot(results, A, tmp_path / "report.png")
    assert path.stat().st_size > 0
