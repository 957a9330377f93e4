"""Test cells a student deleted come back, where the release notebook has them. nbgrader restores
the source of a test cell that was edited, but a deleted one simply scores nothing, and deleting
a cell is an easy slip in JupyterLab. Tests are not the student's to delete: this puts each
missing test cell back after the cell that precedes it in the release notebook; nbgrader's
OverwriteCells then fills in its hidden part from the gradebook.
"""

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

from ..course import grade_id, release_notebook


class RestoreDeletedTests(NbGraderPreprocessor):
    def preprocess(self, nb, resources):
        release = release_notebook(self.config, resources)
        if release is None:
            return nb, resources
        position = 0
        for cell in release.cells:
            test = grade_id(cell)
            found = [i for i, c in enumerate(nb.cells) if test and grade_id(c) == test]
            if found:
                position = found[0] + 1
            elif test and utils.is_grade(cell) and not utils.is_solution(cell):
                nb.cells.insert(position, cell)
                position += 1
                self.log.warning("Restored test cell %s, which the submission had deleted", test)
        return nb, resources
