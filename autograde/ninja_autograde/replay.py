"""`backprop-ninja replay ASSIGNMENT STUDENT [TEST]`: a student's hidden tests, outside grading.

The referee draws the data each test had when the student was graded (the same keyed seed:
`secret.seed`), the student's submitted notebook runs in a fresh kernel under the course's
limits, and for each test the data and the verdict are printed: what an instructor needs to
reproduce a failing case by hand. Nothing is written to the gradebook.
"""

from pathlib import Path

import nbformat
import numpy as np
from nbgrader import utils

from ninja_hidden import wire

from . import course as courses
from . import diagnoses, grading, referee
from .execute import GraderExecute

SHOWN = 40   # arrays up to this many entries are printed in full


def replay(course, assignment, student, test=None):
    """Run the student's notebook with only the chosen hidden test(s); returns [(test id, calls, verdict)]."""
    course = Path(course).resolve()
    folder = course / "submitted" / student / assignment
    path = folder / courses.ASSIGNMENTS.get(assignment, "")
    if not path.is_file():
        raise FileNotFoundError(f"no submitted notebook of {assignment} by {student} in {folder}")
    nb = _with_tests(nbformat.read(path, as_version=4), course, assignment, path.stem)
    chosen = [c for c in nb.cells if _is_hidden_test(c) and test in (None, c.metadata.nbgrader["grade_id"])]
    if not chosen:
        raise LookupError(f"{path.name} has no hidden test {test!r}" if test else f"{path.name} has no hidden test")
    for cell in nb.cells:
        if _is_hidden_test(cell) and cell not in chosen:
            cell.source = ""          # the other hidden tests are not run
    executor = GraderExecute(config=grading.load_config(course))
    resources = {"nbgrader": {"student": student, "assignment": assignment, "notebook": path.stem},
                 "metadata": {"path": str(folder)}}
    executor.preprocess(nb, resources)
    replayed = []
    for cell in chosen:
        _, drawn = referee.prepare(cell.source, executor.seed(cell, resources))
        replayed.append((cell.metadata.nbgrader["grade_id"], drawn.sent(), diagnoses.verdict(cell)))
    return replayed


def _with_tests(nb, course, assignment, notebook):
    """The notebook with its test cells as graded: their source from the gradebook, as nbgrader's OverwriteCells does."""
    from nbgrader.api import Gradebook

    with Gradebook(grading.db_url(course)) as gb:
        for cell in nb.cells:
            if cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell):
                cell.source = gb.find_source_cell(cell.metadata.nbgrader["grade_id"], notebook, assignment).source
    return nb


def _is_hidden_test(cell):
    return cell.cell_type == "code" and utils.is_grade(cell) and referee.CALL.search(cell.source) is not None


def show(replayed):
    lines = []
    for test, calls, verdict in replayed:
        lines.append(f"{test}: {'passed' if not verdict else 'failed: ' + verdict}")
        for i, call in calls.items():
            lines.append(f"  call {int(i) + 1} of {len(calls)}:")
            for name, value in wire.flatten(call).items():
                lines.append(f"    {name} = {_array(value)}")
    return "\n".join(lines)


def _array(value):
    value = np.asarray(value)
    if value.size > SHOWN:
        return f"<{value.dtype} array of shape {value.shape}>"
    text = np.array2string(value, precision=6, separator=", ", max_line_width=110)
    return text.replace("\n", "\n" + " " * 8)
