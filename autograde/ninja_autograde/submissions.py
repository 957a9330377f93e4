"""Synthetic submissions: a student's answers written as plain Python, turned into notebooks.

A case file holds the graded functions a student wrote (whole `def`s, as they would stand
in the answer cells) and, for calibration, what the autograder must conclude:

    '''Sums the loss instead of averaging it.'''
    FAILS = ["test_nll_random"]   # every other test must get full marks
    MAY_FAIL = ["test_trains_xor"]   # optional: tests a wrong answer may pass or fail by chance
    KERNEL_LEVEL = True              # optional: the answer works on the kernel (tampers, hangs, crashes, runs
                                     # finite differences against the clock), not on the data: only grading
                                     # through nbgrader judges it, never the catch rates (`catch_rates`)
    FILES = {"notes/x.py": "..."}    # optional: more files in the submission folder
    LINKS = {"x.txt": "{course}/gradebook.db"}   # optional: symbolic links there ({course}: the course folder)
    CELLS = [{"cell_type": "markdown", "source": "..."}]   # optional: cells the student added at the end
                                                            # (with metadata, attachments: as in a notebook)

    def nll_loss(z, y):
        ...

Other top-level code goes into the answer cell of the def above it (or of the first def), as
a student who writes more than the function would: `np.allclose = lambda *a, **k: True`.

Functions a case leaves out are answered with the source solution (`fill="solution"`,
calibration: one mistake at a time) or left unanswered (`fill="stub"`, the sample class).
"""

import ast
import copy
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

DELIMITERS = ("### BEGIN SOLUTION", "### END SOLUTION")


@dataclass
class Case:
    name: str
    path: Path
    answers: dict
    fails: set = field(default_factory=set)
    note: str = ""
    may_fail: set = field(default_factory=set)
    files: dict = field(default_factory=dict)
    links: dict = field(default_factory=dict)
    cells: list = field(default_factory=list)
    kernel_level: bool = False


def load_case(path):
    """Read a case file without running it: its answer cells' source, FAILS and docstring."""
    path = Path(path)
    text = path.read_text()
    tree = ast.parse(text)
    answers, before_first_def, current = {}, [], None
    lists = {"FAILS": set(), "MAY_FAIL": set(), "FILES": {}, "LINKS": {}, "CELLS": [], "KERNEL_LEVEL": False}
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") in lists:
            value = ast.literal_eval(node.value)
            lists[node.targets[0].id] = set(value) if isinstance(lists[node.targets[0].id], set) else value
        elif isinstance(node, ast.Expr) and node is tree.body[0] and isinstance(node.value, ast.Constant):
            continue   # the case's docstring
        elif isinstance(node, ast.FunctionDef):
            current = node.name
            answers[current] = "\n".join(before_first_def + [ast.get_source_segment(text, node)])
            before_first_def = []
        elif current is None:
            before_first_def.append(ast.get_source_segment(text, node))
        else:
            answers[current] += "\n" + ast.get_source_segment(text, node)
    return Case(path.stem, path, answers, lists["FAILS"], ast.get_docstring(tree) or "", lists["MAY_FAIL"],
                lists["FILES"], lists["LINKS"], lists["CELLS"], lists["KERNEL_LEVEL"])


def solution_cells(source_nb):
    """grade_id -> the solution cell's code without the nbgrader delimiters."""
    cells = {}
    for cell in source_nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution"):
            lines = [ln for ln in cell.source.splitlines() if ln.strip() not in DELIMITERS]
            cells[meta["grade_id"]] = "\n".join(lines)
    return cells


def student_notebook(release_nb, answers, solutions=None):
    """A copy of the release notebook with the given answers in its solution cells.

    `solutions` (grade_id -> code) answers the cells the student left out; None leaves the stub."""
    nb = copy.deepcopy(release_nb)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("solution"):
            continue
        grade_id = meta["grade_id"]
        if grade_id in answers:
            cell.source = answers[grade_id]
        elif solutions is not None:
            cell.source = solutions[grade_id]
    return nb


def write_submission(course, student, assignment, notebook_name, nb, case=None):
    """The student's submitted/ folder: the notebook (with the case's CELLS), a timestamp and the case's own
    FILES and LINKS."""
    folder = Path(course) / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    if case and case.cells:
        nb = copy.deepcopy(nb)
        nb.cells += [getattr(nbformat.v4, f"new_{c['cell_type']}_cell")(**{k: v for k, v in c.items() if k != "cell_type"})
                     for c in case.cells]
    nbformat.write(nb, folder / notebook_name)
    (folder / "timestamp.txt").write_text("2026-11-20 12:00:00.000000 UTC")
    for name, text in (case.files if case else {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    for name, target in (case.links if case else {}).items():
        (folder / name).symlink_to(target.format(course=Path(course).resolve()))
    return folder
