"""Before grading: a submission is what the student wrote, with the tests the release gave them.

- Test cells a student deleted come back, where the release notebook has them. nbgrader restores
  the source of a test cell that was edited, but a deleted one simply scores nothing, and deleting
  a cell is an easy slip in JupyterLab. Tests are not the student's to delete: this puts each
  missing test cell back after the cell that precedes it in the release notebook; nbgrader's
  OverwriteCells then fills in its hidden part from the gradebook.
- A submission holding a symbolic link (or a pipe, a device) is refused: nbgrader would read what a
  link points to, as the grader (the gradebook, a source notebook), and hand it to the student's code.
"""

from pathlib import Path

import nbformat
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor


def _grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


class RestoreDeletedTests(NbGraderPreprocessor):
    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        root = Path(self.config.CourseDirectory.root or ".")
        release = root / "release" / info["assignment"] / f"{info['notebook']}.ipynb"
        if not release.exists():
            return nb, resources
        position = 0
        for cell in nbformat.read(release, as_version=4).cells:
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
