"""A notebook with far more cells than the release (`RefuseAddedCells.max_added_cells` beyond it) is
refused: each cell costs the grader a round trip to the kernel, and 50 000 tiny cells, a small file,
would hold a grading worker for hours.
"""

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer

from ..course import release_notebook


def too_many_cells(nb, release, max_added):
    """'' when nb has at most max_added cells beyond the release notebook's, else how many more it has."""
    if release is None or len(nb.cells) <= len(release.cells) + max_added:
        return ""
    return (f"the notebook has {len(nb.cells)} cells, {len(nb.cells) - len(release.cells)} more than the release: "
            f"the course grades at most {max_added} added cells (RefuseAddedCells.max_added_cells)")


class RefuseAddedCells(NbGraderPreprocessor):
    max_added_cells = Integer(500, help="Cells a submission may have beyond its release notebook's.").tag(config=True)

    def preprocess(self, nb, resources):
        problem = too_many_cells(nb, release_notebook(self.config, resources), self.max_added_cells)
        if problem:
            raise ValueError(problem)
        return nb, resources
