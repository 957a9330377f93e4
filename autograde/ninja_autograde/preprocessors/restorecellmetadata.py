"""A cell's nbgrader metadata is the release's, whatever the submission says. A student can edit a
notebook's JSON: raise a test's points, mark a cell of their own as a graded test or a task, move
a test's grade_id onto a harmless cell. nbgrader takes points from the gradebook, but refuses the
whole notebook when its metadata does not check out, and the student loses everything. Instead,
each cell whose grade_id the release has gets the release's metadata back; any other cell loses
its nbgrader metadata and is the student's own cell, run and never graded.
"""

import copy

from nbgrader.preprocessors import NbGraderPreprocessor

from ..course import grade_id, release_notebook
from ..printable import printable


class RestoreCellMetadata(NbGraderPreprocessor):
    def preprocess(self, nb, resources):
        release = release_notebook(self.config, resources)
        if release is None:
            return nb, resources
        released = {grade_id(c): c.metadata.nbgrader for c in release.cells if grade_id(c)}
        for cell in nb.cells:
            mine = cell.metadata.get("nbgrader")
            if mine is None:
                continue
            theirs = released.get(grade_id(cell))
            if mine != theirs:
                self.log.warning("Cell %r: nbgrader metadata not as released; %s", printable(grade_id(cell)),
                                 "restored" if theirs else "removed (the cell runs, ungraded)")
                if theirs:
                    cell.metadata.nbgrader = copy.deepcopy(theirs)
                else:
                    del cell.metadata["nbgrader"]
        return nb, resources
