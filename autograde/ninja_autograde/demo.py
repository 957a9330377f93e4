"""`make demo`: the sample class's term, end to end through nbgrader's exchange, in build/demo/.

The instructor builds the course from source/ and releases every assignment; each student of
`autograde/sample_class/roster.csv` fetches it into their own home, answers (a calibration
case: right in some style, or one classic mistake) and submits. The instructor collects,
grades with `backprop-ninja grade`, generates and releases feedback; the students fetch it.
The grade report of each assignment is printed and written to build/demo/instructor/reports/.
"""

import csv
import os
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from backprop_ninja import cli

from . import calibration, course, submissions

ROSTER = Path(__file__).resolve().parents[1] / "sample_class" / "roster.csv"


def roster():
    """assignment -> [(student, the calibration case they answer with)]"""
    with open(ROSTER, newline="") as f:
        rows = list(csv.DictReader(f))
    return {a: [(row["student"], row[a]) for row in rows] for a in rows[0] if a != "student"}


def answer(home, assignment, case_name, solutions):
    """Fill the fetched notebook in the student's home with the case's answers."""
    path = home / assignment / course.ASSIGNMENTS[assignment]
    answers = calibration.case(assignment, case_name).answers
    nbformat.write(submissions.student_notebook(nbformat.read(path, as_version=4), answers, solutions), path)


class Exchange:
    """nbgrader's exchange in a folder, and the commands instructor and students run against it.

    Each student keeps nbgrader's cache of their submissions in their own home (nbgrader's
    default is per operating-system user, and here every student is the same user)."""

    def __init__(self, root):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def instructor(self, *args, course_dir):
        return course.nbgrader(*args, f"--Exchange.root={self.root}", cwd=course_dir)

    def student(self, *args, student, home):
        return course.nbgrader(*args, "--course", "backprop-ninja", "--student", student,
                               f"--Exchange.root={self.root}", f"--Exchange.cache={home / '.nbgrader-cache'}", cwd=home)


def main(folder=course.REPO / "build" / "demo"):
    folder = Path(folder)
    shutil.rmtree(folder, ignore_errors=True)
    instructor, homes, exchange = folder / "instructor", folder / "homes", Exchange(folder / "exchange")
    classes = {a: students for a, students in roster().items() if a in course.available_assignments()}
    print(f"Building and releasing {', '.join(classes)} in {instructor} ...")
    course.scratch_course(instructor, list(classes))
    for assignment, students in classes.items():
        exchange.instructor("release_assignment", assignment, course_dir=instructor)
        solutions = submissions.solution_cells(course.read_notebook(instructor, "source", assignment))
        print(f"{len(students)} students fetch, answer and submit {assignment} ...")

        def work(student, case_name):
            home = homes / student
            home.mkdir(parents=True, exist_ok=True)
            exchange.student("fetch_assignment", assignment, student=student, home=home)
            answer(home, assignment, case_name, solutions)
            exchange.student("submit", assignment, student=student, home=home)

        with ThreadPoolExecutor(os.cpu_count()) as pool:   # the students work at the same time
            list(pool.map(work, *zip(*students)))
        exchange.instructor("collect", assignment, course_dir=instructor)
        cli.main(["grade", assignment, "--course", str(instructor)])
        course.nbgrader("generate_feedback", assignment, cwd=instructor)
        exchange.instructor("release_feedback", assignment, course_dir=instructor)
        with ThreadPoolExecutor(os.cpu_count()) as pool:
            list(pool.map(lambda s: exchange.student("fetch_feedback", assignment, student=s, home=homes / s),
                          [s for s, _ in students]))
    print(f"Reports and plots: {instructor / 'reports'}")
    print(f"Each student's feedback, as they fetched it: {homes}/<student>/<assignment>/feedback/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
