"""One assignment's whole life through nbgrader's exchange, instructor and students on one machine:
release, fetch, submit (one late, one twice), collect, `backprop-ninja grade`, feedback out and back."""
import datetime
import time

import nbformat
import pytest
from nbgrader.api import Gradebook

from backprop_ninja import cli
from ninja_autograde import grading
from ninja_autograde import course, submissions
from ninja_autograde.demo import Exchange, answer

A = "02_softmax_nll"
NB = course.ASSIGNMENTS[A]


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("lifecycle")
    instructor, homes, exchange = root / "instructor", root / "homes", Exchange(root / "exchange")
    course.scratch_course(instructor, [A])
    solutions = submissions.solution_cells(course.read_notebook(instructor, "source", A))
    exchange.instructor("release_assignment", A, course_dir=instructor)

    def student_submits(student, case_name):
        home = homes / student
        if not home.exists():
            home.mkdir(parents=True)
            exchange.student("fetch_assignment", A, student=student, home=home)
        answer(home, A, case_name, solutions)
        exchange.student("submit", A, student=student, home=home)

    student_submits("ada", "correct_loops")
    student_submits("edsger", "missing_over_n")
    student_submits("grace", "unanswered")        # submits the untouched notebook...
    student_submits("grace", "correct_loops")     # ...then her answers
    due = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + datetime.timedelta(seconds=1)
    course.nbgrader("db", "assignment", "add", A, f"--duedate={due:%Y-%m-%d %H:%M:%S} UTC", cwd=instructor)
    time.sleep(max(0.0, (due - datetime.datetime.now(datetime.timezone.utc)).total_seconds()) + 0.5)
    student_submits("alan", "unstable_exp")       # after the due date

    exchange.instructor("collect", A, course_dir=instructor)
    assert cli.main(["grade", A, "--course", str(instructor), "--jobs", "2"]) == 0
    course.nbgrader("generate_feedback", A, cwd=instructor)
    exchange.instructor("release_feedback", A, course_dir=instructor)
    for student in ("ada", "edsger", "grace", "alan"):
        exchange.student("fetch_feedback", A, student=student, home=homes / student)
    return instructor, homes


def test_every_grade_is_right(graded_class, capsys):
    instructor, _ = graded_class
    with Gradebook(grading.db_url(instructor)) as gb:
        submitted = {s.student.id: (s.score, s.total_seconds_late) for s in gb.assignment_submissions(A)}
    assert {student: score for student, (score, _) in submitted.items()} == \
        {"ada": 15, "edsger": 11, "grace": 15, "alan": 12}
    assert submitted["alan"][1] > 0, "alan submitted after the due date"
    assert all(late == 0 for student, (_, late) in submitted.items() if student != "alan")
    assert (instructor / "reports" / f"{A}.csv").exists() and (instructor / "reports" / f"{A}.png").exists()


def test_the_resubmission_is_the_one_graded(graded_class):
    instructor, _ = graded_class
    collected = nbformat.read(instructor / "submitted" / "grace" / A / NB, as_version=4)
    assert "raise NotImplementedError()" not in "".join(c.source for c in collected.cells)


def test_students_fetch_their_own_feedback(graded_class):
    _, homes = graded_class
    for student, score in (("ada", 15), ("edsger", 11), ("grace", 15), ("alan", 12)):
        pages = list((homes / student / A / "feedback").glob("*/softmax_nll.html"))
        assert len(pages) == 1, student
        text = pages[0].read_text()
        assert f"softmax_nll: {score:.1f} of 15.0 points" in text, student
        assert 'calls="' not in text   # the referee's hidden data stays its own
