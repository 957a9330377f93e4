"""Validate is the grade minus the secrets: for every calibration case of every assignment, nbgrader's
Validate (the student's button, run here as `nbgrader validate` on the submitted notebook) passes
exactly when the grade gives every autograded test full marks. The grade of each case is its FAILS
list, which test_calibration proves is what nbgrader autograde gives. (That the notebook names every
mistake the grader names is tests/test_mistakes.py.)
"""
import os
import resource
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import nbformat
import pytest

from ninja_autograde import calibration, course, submissions

PASSED = "Success! Your notebook passes all the tests."
MEMORY = 3 * 1024**3   # the 6 GB student meets a MemoryError here as in grading, not the machine's limit
CUT_AT = 90            # nbgrader's Validator.width
TIMEOUT = 10           # seconds per cell: the hanging students cost seconds


def _capped():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def validate(folder, path):
    """Whether nbgrader's Validate passes the notebook, and what it printed."""
    result = subprocess.run([sys.executable, "-m", "nbgrader", "validate", str(path), f"--Execute.timeout={TIMEOUT}"],
                            cwd=folder, capture_output=True, text=True, preexec_fn=_capped, timeout=900,
                            env=dict(os.environ, PATH=f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}"))
    return PASSED in result.stdout, result.stdout[-6000:] + result.stderr[-2000:]


def messages(log):
    """The lines of every failed visible test's message in Validate's output (not the code it quotes)."""
    lines, inside = [], False
    for line in log.splitlines():
        inside = line.strip().startswith("AssertionError: ") or (inside and bool(line.strip()))
        lines += [line] if inside else []
    return lines


def with_written_answers(nb, source):
    """The notebook with its written (manually graded) answers filled in: Validate asks for them, the autograder does not."""
    written = {c.metadata.nbgrader["grade_id"]: c.source for c in source.cells
               if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution")}
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "markdown" and grade_id in written:
            cell.source = written[grade_id]
    return nb


@pytest.mark.parametrize("assignment", course.available_assignments())
def test_validate_passes_exactly_when_the_grade_does(assignment, tmp_path):
    folder = course.scratch_course(tmp_path, [assignment])
    release = course.read_notebook(folder, "release", assignment)
    source = course.read_notebook(folder, "source", assignment)
    solutions = submissions.solution_cells(source)
    cases = calibration.cases(assignment)
    paths = []
    for case in cases:
        path = folder / "validate" / case.name / course.ASSIGNMENTS[assignment]
        path.parent.mkdir(parents=True)
        nbformat.write(with_written_answers(submissions.student_notebook(release, case.answers, solutions), source), path)
        paths.append(path)
    with ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda p: validate(folder, p), paths))
    wrong = [f"{case.name}: Validate {'passes' if passed else 'fails'}, the grade "
             f"{'fails ' + str(sorted(case.fails)) if case.fails else 'passes'}\n{log}"
             for case, (passed, log) in zip(cases, results) if passed != (not case.fails)]
    assert not wrong, "\n\n".join(wrong)
    cut = [f"{case.name}: {line}" for case, (_, log) in zip(cases, results) for line in messages(log)
           if len(line) == CUT_AT and line.endswith("...")]
    assert not cut, cut   # the diagnosis Validate prints is whole: it cuts a longer line to 87 characters and "..."
    assert any(passed for passed, _ in results) and not all(passed for passed, _ in results)
