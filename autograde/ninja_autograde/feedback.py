"""What `nbgrader generate_feedback` may show a student: each test's verdict, never its insides.

Hidden-test regions are cut from the test cells (as in the release notebook) and a failed
test's traceback is cut to its last line, the verdict: which tensor, the max error and the
likely mistake. The expected values never reach the notebook in the first place.
"""

from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests


class HideTests(ClearHiddenTests):
    def preprocess_cell(self, cell, resources, index):
        cell, resources = super().preprocess_cell(cell, resources, index)
        if cell.cell_type == "code" and utils.is_grade(cell):
            for output in cell.outputs:
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources
