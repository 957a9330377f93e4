"""Before grading: a submission is what the student wrote, with the tests the release gave them.

- Test cells a student deleted come back, where the release notebook has them. nbgrader restores
  the source of a test cell that was edited, but a deleted one simply scores nothing, and deleting
  a cell is an easy slip in JupyterLab. Tests are not the student's to delete: this puts each
  missing test cell back after the cell that precedes it in the release notebook; nbgrader's
  OverwriteCells then fills in its hidden part from the gradebook.
- A cell's nbgrader metadata is the release's, whatever the submission says. A student can edit a
  notebook's JSON: raise a test's points, mark a cell of their own as a graded test or a task, move
  a test's grade_id onto a harmless cell. nbgrader takes points from the gradebook, but refuses the
  whole notebook when its metadata does not check out, and the student loses everything. Instead,
  each cell whose grade_id the release has gets the release's metadata back; any other cell loses
  its nbgrader metadata and is the student's own cell, run and never graded.
- A submission holding a symbolic link (or a pipe, a device) is refused: nbgrader would read what a
  link points to, as the grader (the gradebook, a source notebook), and hand it to the student's code.
- A notebook with far more cells than the release (`RefuseAddedCells.max_added_cells` beyond it) is
  refused: each cell costs the grader a round trip to the kernel, and 50 000 tiny cells, a small file,
  would hold a grading worker for hours.
"""

import copy
from pathlib import Path

import nbformat
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer

from .printable import printable


def _grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _release(config, resources):
    """The release notebook the submission came from, or None."""
    info = resources["nbgrader"]
    path = Path(config.CourseDirectory.root or ".") / "release" / info["assignment"] / f"{info['notebook']}.ipynb"
    return nbformat.read(path, as_version=4) if path.exists() else None


class RestoreCellMetadata(NbGraderPreprocessor):
    def preprocess(self, nb, resources):
        release = _release(self.config, resources)
        if release is None:
            return nb, resources
        released = {_grade_id(c): c.metadata.nbgrader for c in release.cells if _grade_id(c)}
        for cell in nb.cells:
            mine = cell.metadata.get("nbgrader")
            if mine is None:
                continue
            theirs = released.get(_grade_id(cell))
            if mine != theirs:
                self.log.warning("Cell %r: nbgrader metadata not as released; %s", printable(_grade_id(cell)),
                                 "restored" if theirs else "removed (the cell runs, ungraded)")
                if theirs:
                    cell.metadata.nbgrader = copy.deepcopy(theirs)
                else:
                    del cell.metadata["nbgrader"]
        return nb, resources


class RestoreDeletedTests(NbGraderPreprocessor):
    def preprocess(self, nb, resources):
        release = _release(self.config, resources)
        if release is None:
            return nb, resources
        position = 0
        for cell in release.cells:
            grade_id = _grade_id(cell)
            found = [i for i, c in enumerate(nb.cells) if grade_id and _grade_id(c) == grade_id]
            if found:
                position = found[0] + 1
            elif grade_id and utils.is_grade(cell) and not utils.is_solution(cell):
                nb.cells.insert(position, cell)
                position += 1
                self.log.warning("Restored test cell %s, which the submission had deleted", grade_id)
        return nb, resources


def not_plain(folder):
    """'' when folder holds only plain files and folders, else what is not."""
    for path in sorted(Path(folder).rglob("*")):
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            kind = "a symbolic link" if path.is_symlink() else "not a plain file"
            return f"{path.relative_to(folder)} is {kind}: a submission holds plain files only"
    return ""


class RefuseLinks(NbGraderPreprocessor):
    def preprocess(self, nb, resources):
        problem = not_plain(resources["metadata"]["path"])
        if problem:
            raise ValueError(problem)   # nbgrader then removes what it had copied into autograded/
        return nb, resources


def too_many_cells(nb, release, max_added):
    """'' when nb has at most max_added cells beyond the release notebook's, else how many more it has."""
    if release is None or len(nb.cells) <= len(release.cells) + max_added:
        return ""
    return (f"the notebook has {len(nb.cells)} cells, {len(nb.cells) - len(release.cells)} more than the release: "
            f"the course grades at most {max_added} added cells (RefuseAddedCells.max_added_cells)")


class RefuseAddedCells(NbGraderPreprocessor):
    max_added_cells = Integer(500, help="Cells a submission may have beyond its release notebook's.").tag(config=True)

    def preprocess(self, nb, resources):
        problem = too_many_cells(nb, _release(self.config, resources), self.max_added_cells)
        if problem:
            raise ValueError(problem)
        return nb, resources
