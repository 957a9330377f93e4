"""`make demo`: the sample class graded end to end, in build/demo/.

Builds the course from source/, puts each sample student's answers into the release
notebook, autogrades the class with nbgrader, generates feedback, then prints the report
and writes its CSV and plots.
"""

import shutil
import sys
from pathlib import Path

from backprop_ninja import grading, report

from . import course, submissions

SAMPLE = Path(__file__).resolve().parents[1] / "sample_class"


def submit_sample_class(folder, assignment):
    release = course.read_notebook(folder, "release", assignment)
    students = sorted((SAMPLE / assignment).glob("*.py"))
    for path in students:
        case = submissions.load_case(path)
        nb = submissions.student_notebook(release, case.answers)
        submissions.write_submission(folder, case.name, assignment, course.ASSIGNMENTS[assignment], nb)
    return [p.stem for p in students]


def main(folder=course.REPO / "build" / "demo"):
    folder = Path(folder)
    shutil.rmtree(folder, ignore_errors=True)
    assignments = [a for a in course.available_assignments() if (SAMPLE / a).is_dir()]
    print(f"Building the course in {folder} ...")
    course.scratch_course(folder, assignments)
    out = folder / "report"
    out.mkdir()
    for assignment in assignments:
        students = submit_sample_class(folder, assignment)
        print(f"Grading {len(students)} submissions of {assignment} ...")
        grading.grade(assignment, folder)
        course.nbgrader("generate_feedback", assignment, "--force", cwd=folder)
        results = report.collect(folder, assignment)
        print(report.summary(results, assignment))
        print(f"  wrote {report.write_csv(results, out / f'{assignment}.csv')}")
        print(f"  wrote {report.plot(results, assignment, out / f'{assignment}.png')}")
    print(f"Feedback for each student: {folder / 'feedback'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
