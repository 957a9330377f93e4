"""The instructors' guide's term (docs/instructors.md), verbatim: the commands of its "A term, command by command" block, run in order in a fresh
copy of the course, against a temporary exchange, by an instructor and three students in their own homes.

Only the steps the guide leaves to a person are done here: a student answering in JupyterLab (a calibration
case's answers) and the instructor grading the written answers in formgrader (through nbgrader's gradebook API,
as formgrader does). Everything else is the guide's own lines, so the guide and this test cannot drift.
"""

import csv
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ninja_autograde import course, submissions
from ninja_autograde.demo import answer

REPO = Path(__file__).resolve().parents[1]
STUDENTS = {"ada": "correct_flat_copy", "alan": "forward_difference", "linus": "unanswered"}
WRITTEN = {"ada": 2.0, "alan": 1.0, "linus": 0.0}      # what the instructor gives the written answers


def guide_term():
    """[(who, kind, text)] from the guide's term block: kind "run" (a command) or "do" (a step for a person)."""
    text = (REPO / "docs" / "instructors.md").read_text()
    block = re.search(r"## A term, command by command.*?```bash\n(.*?)```", text, re.S).group(1)
    steps, who = [], "instructor"
    for line in block.splitlines():
        if line.startswith("# ..."):
            steps.append((who, "do", line))
        elif line.startswith("#"):
            who = "student" if "student" in line.lower() else "instructor"
        elif line.strip():
            steps.append((who, "run", line))
    return steps


def course_copy(folder):
    """The course as a fresh clone has it (tracked and new files, nothing ignored), in folder."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=REPO,
                            capture_output=True, text=True, check=True).stdout.split("\0")
    files = [f for f in listed if f and (REPO / f).is_file()]
    for name in files:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, folder / name)
    return files


class Term:
    def __init__(self, root):
        self.course, self.homes, self.exchange = root / "course", root / "homes", root / "exchange"
        self.course.mkdir()
        self.exchange.mkdir()
        self.tracked = course_copy(self.course)
        self.environment = []     # the guide's `source` and `export` lines, in force for every later command
        self.env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
        self.env["PATH"] = os.pathsep.join(p for p in self.env["PATH"].split(os.pathsep) if ".venv" not in p)
        self.env["EXCHANGE"] = str(self.exchange)

    def run(self, line, student=None):
        home = self.homes / student if student else None
        prefix = [f'cd "{self.course}"', *self.environment] + ([f'cd "{home}"'] if home else [])
        env = dict(self.env, **({"STUDENT": student, "HOME": str(home)} if student else {}))
        result = subprocess.run(["bash", "-c", "set -eo pipefail\n" + "\n".join(prefix + [line])], env=env,
                                capture_output=True, text=True)
        assert result.returncode == 0, f"{line!r} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        if line.startswith(("source ", "export ")):
            self.environment.append(line)
        return result


def grade_written_answers(course_dir, assignment):
    """What an instructor does in formgrader: a manual score and a comment on each written answer."""
    from nbgrader.api import Gradebook

    from ninja_autograde.grading import db_url

    with Gradebook(db_url(course_dir)) as gb:
        for submission in gb.assignment_submissions(assignment):
            for notebook in submission.notebooks:
                written = [g for g in notebook.grades if g.cell.cell_type == "markdown"]
                for grade in written:
                    grade.manual_score = WRITTEN[submission.student.id]
                for comment in notebook.comments:
                    if comment.name in {g.name for g in written}:
                        comment.manual_comment = "Graded by hand."
        gb.db.commit()


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    t = Term(tmp_path_factory.mktemp("term"))
    steps = guide_term()
    assignment = re.search(r"release_assignment (\S+)", "\n".join(text for _, _, text in steps)).group(1)
    solutions = None
    i = 0
    while i < len(steps):
        who = steps[i][0]
        j = i
        while j < len(steps) and steps[j][0] == who:
            j += 1
        for student in (STUDENTS if who == "student" else [None]):
            if student:
                (t.homes / student).mkdir(parents=True, exist_ok=True)
            for _, kind, text in steps[i:j]:
                if kind == "run":
                    t.run(text, student)
                elif "grades the written answers" in text:
                    grade_written_answers(t.course, assignment)
                elif "student answers" in text:
                    solutions = solutions or submissions.solution_cells(
                        course.read_notebook(t.course, "source", assignment))
                    answer(t.homes / student, assignment, STUDENTS[student], solutions)
                else:
                    pytest.fail(f"the test does not know how to do the guide's step {text!r}")
        i = j
    return t, assignment


def test_the_guides_term_covers_a_whole_term():
    commands = " ".join(text for _, kind, text in guide_term() if kind == "run")
    for step in ("source .venv/bin/activate", "make release", "--duedate", "release_assignment", "fetch_assignment",
                 "--student=", "submit", "collect", "backprop-ninja grade", "generate_feedback", "release_feedback",
                 "nbgrader export", "fetch_feedback"):
        assert step in commands, step


def test_every_student_is_graded_with_the_written_answers(term):
    from nbgrader.api import Gradebook

    from ninja_autograde.grading import db_url

    t, assignment = term
    with Gradebook(db_url(t.course)) as gb:
        nbgrader_scores = {s.student.id: s.score for s in gb.assignment_submissions(assignment)}
        duedate = gb.find_assignment(assignment).duedate
        late = {s.student.id: s.total_seconds_late for s in gb.assignment_submissions(assignment)}
    assert set(nbgrader_scores) == set(STUDENTS)
    assert duedate is not None
    with open(t.course / "reports" / f"{assignment}.csv") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    for student, row in rows.items():
        assert float(row["written"]) == WRITTEN[student] and row["written_graded"] == "yes"
        assert float(row["total"]) == float(row["autograded"]) + float(row["written"]) == nbgrader_scores[student]
        assert float(row["total_max"]) == float(row["autograded_max"]) + float(row["written_max"])
        assert float(row["seconds_late"]) == round(late[student])
    assert float(rows["ada"]["autograded"]) == float(rows["ada"]["autograded_max"])
    assert float(rows["linus"]["autograded"]) == 0 < float(rows["alan"]["autograded"]) < float(rows["alan"]["autograded_max"])
    assert not (t.course / "grades.csv").exists()   # nbgrader export writes where reports go, never beside the code
    with open(t.course / "reports" / "grades.csv") as f:      # nbgrader export: the same totals
        exported = {row["student_id"]: float(row["score"]) for row in csv.DictReader(f)
                    if row["assignment"] == assignment}
    assert exported == nbgrader_scores


def test_students_fetch_feedback_that_names_every_test(term):
    t, assignment = term
    for student in STUDENTS:
        (page,) = (t.homes / student / assignment / "feedback").glob("*/*.html")
        text = page.read_text()
        assert "Test cell" not in text and 'calls="' not in text   # the referee's hidden data stays its own
        assert "test_central_difference_values" in text
        assert "(call " not in text


def test_release_never_deletes_a_tracked_file_and_keeps_the_grades(term):
    t, assignment = term
    report = t.course / "reports" / f"{assignment}.csv"
    before = report.read_text()
    t.run("make release")    # again, after the class was graded
    assert all((t.course / name).exists() for name in t.tracked)
    t.run(f"backprop-ninja report {assignment}")
    assert report.read_text() == before
    ignored = subprocess.run(["git", "check-ignore", "reports/x.csv", ".grader/secret"], cwd=REPO,
                             capture_output=True, text=True).stdout.split()
    assert ignored == ["reports/x.csv", ".grader/secret"]
