"""The calibration class: synthetic submissions whose grades we know in advance.

Each file in `autograde/calibration/<assignment>/` is one student (see `submissions`).
`calibrate(assignment, folder)` autogrades them all with nbgrader (in parallel) and returns, per case,
the tests that failed against the tests that should have.

    python -m ninja_autograde.calibration 02_softmax_nll
"""

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import course, grading, report, submissions

CASES = Path(__file__).resolve().parents[1] / "calibration"


@dataclass
class CaseResult:
    case: submissions.Case
    failed: set
    score: float
    max_score: float

    @property
    def as_expected(self):
        return self.failed - self.case.may_fail == self.case.fails


def cases(assignment):
    return [submissions.load_case(p) for p in sorted((CASES / assignment).glob("*.py"))]


def case(assignment, name):
    """One calibration case by name: the sample class and the tests answer with these."""
    return submissions.load_case(CASES / assignment / f"{name}.py")


CELL_TIMEOUT = 20   # seconds: the hanging students cost the calibration seconds, not minutes


def calibrate(assignment, folder, extra=()):
    """Autograde the assignment's calibration class (and the extra cases beside it) in a scratch course at folder."""
    folder = course.scratch_course(folder, [assignment])
    with open(folder / "nbgrader_config.py", "a") as config:
        config.write(f"\nc.GraderExecute.timeout = {CELL_TIMEOUT}\n")
    solutions = submissions.solution_cells(course.read_notebook(folder, "source", assignment))
    release = course.read_notebook(folder, "release", assignment)
    todo = cases(assignment) + list(extra)
    for c in todo:
        nb = submissions.student_notebook(release, c.answers, solutions)
        submissions.write_submission(folder, c.name, assignment, course.ASSIGNMENTS[assignment], nb)
    broken = {o.student: o.error for o in grading.grade(assignment, folder, progress=False) if not o.success}
    if broken:
        raise RuntimeError(f"nbgrader could not grade {assignment} of {sorted(broken)}:\n{broken}")
    # autograded tests only (report.collect leaves out the written answers no autograder can judge)
    results = {r.student: r for r in report.collect(folder, assignment)}
    return [CaseResult(c, {t for t, (score, most) in results[c.name].tests.items() if score < most},
                    results[c.name].score, results[c.name].max_score) for c in todo]


def main(argv=None):
    assignments = (argv or sys.argv[1:]) or course.available_assignments()
    wrong = 0
    for assignment in assignments:
        with tempfile.TemporaryDirectory() as tmp:
            for outcome in calibrate(assignment, tmp):
                mark = "ok  " if outcome.as_expected else "WRONG"
                wrong += not outcome.as_expected
                print(f"{mark} {assignment}/{outcome.case.name}: {outcome.score:g}/{outcome.max_score:g}"
                      f" failed {sorted(outcome.failed)}")
                if not outcome.as_expected:
                    print(f"      expected to fail {sorted(outcome.case.fails)}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
