"""`backprop-ninja replay ASSIGNMENT STUDENT [TEST]`: a student's hidden tests, outside grading.

The submitted notebook goes through the sanitisers grading uses (the course's
`Autograde.sanitize_preprocessors`: links refused, nbgrader metadata as released, deleted tests back,
test cells as in the gradebook), then runs in a fresh kernel under the course's limits; the referee
draws the data each test had when the student was graded (the same keyed seed: `secret.seed`). For
each test it prints the verdict, which data it came from (the referee's hidden data, or the kernel's
own: the visible check on the notebook's data, or a cell stopped before it answered) and that hidden
data: what an instructor needs to reproduce a failing case by hand. Everything printed goes through
`printable`, and nothing is written to the gradebook.
"""

from pathlib import Path
from typing import NamedTuple

import nbformat
import numpy as np
from nbgrader import utils
from nbgrader.converters import Autograde
from traitlets.utils.importstring import import_item

from ninja_runner import wire

from . import course as courses
from . import grading, referee
from .preprocessors import GraderExecute, saveverdicts
from .printable import printable

SHOWN = 40   # arrays up to this many entries are printed in full


class Replayed(NamedTuple):
    test: str
    calls: dict      # the hidden data sent to the student's function
    verdict: str     # '' when passed
    judged: bool     # whether the referee judged answers on that data (else the verdict is the kernel's)


def replay(course, assignment, student, test=None):
    """Run the student's notebook, as graded, with only the chosen hidden test(s); returns [Replayed]."""
    course = Path(course).resolve()
    folder = course / "submitted" / student / assignment
    path = folder / courses.ASSIGNMENTS.get(assignment, "")
    if not path.is_file():
        raise FileNotFoundError(f"no submitted notebook of {assignment} by {student} in {folder}")
    config = grading.load_config(course)
    resources = {"nbgrader": {"student": student, "assignment": assignment, "notebook": path.stem,
                              "db_url": grading.db_url(course)},
                 "metadata": {"path": str(folder)}}
    nb = sanitized(nbformat.read(path, as_version=4), config, resources)
    chosen = [c for c in nb.cells if _is_hidden_test(c) and test in (None, c.metadata.nbgrader["grade_id"])]
    if not chosen:
        raise LookupError(f"{path.name} has no hidden test {test!r}" if test else f"{path.name} has no hidden test")
    for cell in nb.cells:
        if _is_hidden_test(cell) and cell not in chosen:
            cell.source = ""          # the other hidden tests are not run
    executor = GraderExecute(config=config)
    executor.preprocess(nb, resources)
    replayed = []
    for index, cell in enumerate(nb.cells):
        if cell in chosen:
            drawn = executor.ruled.get(index) or referee.prepare(cell.source, executor.seed(cell, resources))[1]
            replayed.append(Replayed(cell.metadata.nbgrader["grade_id"], drawn.sent(), saveverdicts.verdict(cell),
                                     drawn.answered))
    return replayed


def sanitized(nb, config, resources):
    """The notebook as grading runs it: through the course's sanitisers, in the course's order."""
    names = config.Autograde.get("sanitize_preprocessors", Autograde.class_traits()["sanitize_preprocessors"].default())
    for name in names:
        nb, resources = (import_item(name) if isinstance(name, str) else name)(config=config).preprocess(nb, resources)
    return nb


def _is_hidden_test(cell):
    return cell.cell_type == "code" and utils.is_grade(cell) and referee.CALL.search(cell.source) is not None


def show(replayed):
    lines = []
    for test, calls, verdict, judged in replayed:
        if judged:
            lines.append(f"{test}: {'failed' if verdict else 'passed'}, judged by the referee on the hidden data below"
                         + (f": {verdict}" if verdict else ""))
        else:
            lines.append(f"{test}: failed in the kernel, before the referee had an answer on the hidden data below "
                         f"(the visible check on the notebook's own data, or the cell stopped first): {verdict}")
        for i, call in calls.items():
            lines.append(f"  call {int(i) + 1} of {len(calls)}:")
            for name, value in wire.flatten(call).items():
                lines.append(f"    {name} = {_array(value)}")
    return printable("\n".join(lines))


def _array(value):
    value = np.asarray(value)
    if value.size > SHOWN:
        return f"<{value.dtype} array of shape {value.shape}>"
    text = np.array2string(value, precision=6, separator=", ", max_line_width=110)
    return text.replace("\n", "\n" + " " * 8)
