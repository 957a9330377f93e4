"""Every exercise is one declaration (`ninja_runner.exercises`), and the notebooks hold exactly what it declares."""

import re

import numpy as np
import pytest

from ninja_runner.exercises import ASSIGNMENTS, DECLARED, EXERCISES
from ninja_runner.judging import GradedCell
from ninja_autograde import catch_rates, course, referee


def notebook_cells(folder):
    """{exercise: [GradedCell]} of the graded cells of the assignment's source notebook, in notebook order."""
    nb = course.read_notebook(course.REPO, "source", folder)
    points = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"].get("points")
              for c in nb.cells if "nbgrader" in c.metadata}
    found = {}
    for grade_id, _, (name, _, part) in catch_rates.test_cells(folder):
        found.setdefault(name, []).append(GradedCell(grade_id, part, points[grade_id]))
    return found


@pytest.mark.parametrize("assignment", DECLARED, ids=lambda a: a.folder)
def test_a_notebooks_graded_cells_are_its_exercises_declared_cells(assignment):
    declared = {e.name: list(e.cells) for e in assignment.exercises if e.cells}
    assert notebook_cells(assignment.folder) == declared


@pytest.mark.parametrize("folder", ASSIGNMENTS)
def test_a_test_cell_is_one_short_call(folder):
    """`test(name, function, part)` and nothing else but its title comment: no second copy of the test in a hidden
    region (what is hidden is the data the referee draws), no other graded code."""
    for cell in course.read_notebook(course.REPO, "source", folder).cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            code = [line for line in cell.source.splitlines() if line.strip() and not line.startswith("#")]
            assert code[0] == "from ninja_runner import test" and len(code) == 2, (meta["grade_id"], cell.source)
            assert referee.CALL.fullmatch(code[1].split("  #")[0].strip()), (meta["grade_id"], code[1])


def test_the_assignments_are_the_source_folders():
    assert list(ASSIGNMENTS) == sorted(p.name for p in (course.REPO / "source").iterdir() if p.is_dir())
    assert all((course.REPO / "source" / a / nb).is_file() for a, nb in ASSIGNMENTS.items())


@pytest.mark.parametrize("name", [n for n, e in EXERCISES.items() if e.cells])
def test_every_graded_part_has_visible_and_hidden_calls_and_says_what_it_checks(name):
    exercise = EXERCISES[name]
    for part in {cell.part for cell in exercise.cells}:
        assert exercise.what[part]
        hidden = exercise.hidden(np.random.default_rng(0), part)
        assert exercise.visible(part) and hidden
        again = exercise.hidden(np.random.default_rng(0), part)
        assert [sorted(c) for c in hidden] == [sorted(c) for c in again], "a seed draws the same calls"


def test_an_exercise_is_declared_once():
    names = [e.name for a in DECLARED for e in a.exercises]
    assert len(names) == len(set(names)) == len(EXERCISES)


def test_the_readmes_table_lists_each_assignments_declared_functions():
    rows = re.findall(r"^\| `(\d\d_\w+)` \| `([\w.]+)` \| (.+) \|$", (course.REPO / "README.md").read_text(), re.M)
    listed = {folder: (notebook, re.findall(r"`(\w+)\(", functions)) for folder, notebook, functions in rows}
    declared = {a.folder: (a.notebook, sorted(e.name for e in a.exercises)) for a in DECLARED}
    assert {folder: (nb, sorted(names)) for folder, (nb, names) in listed.items()} == declared

