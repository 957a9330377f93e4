"""What `nbgrader generate_feedback` may show a student: each test's verdict, never its insides.

Hidden-test regions are cut from the test cells (as in the release notebook) and a failed
test's traceback is cut to its last line, the verdict: which tensor, the max error and the
likely mistake, as a sentence. The expected values never reach the notebook in the first place.
The page's index (templates/feedback) names every test and says its verdict in words.
"""

import re
from pathlib import Path

import nbgrader
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests

# The course's feedback template first (it shadows nbgrader's "feedback", which formgrader asks for by
# name), then nbgrader's templates, and their parent, through which the course's template extends nbgrader's.
_NBGRADER = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader"
TEMPLATE_DIRS = [str(Path(__file__).parent / "templates"), str(_NBGRADER / "templates"), str(_NBGRADER)]


class HideTests(ClearHiddenTests):
    def preprocess_cell(self, cell, resources, index):
        title = _title(cell.source) if cell.cell_type == "code" else ""
        cell, resources = super().preprocess_cell(cell, resources, index)
        if cell.cell_type == "code" and utils.is_grade(cell):
            verdicts = []
            for output in cell.outputs:
                if output.output_type == "error":
                    output.evalue = sentence(output.evalue)
                    output.traceback = [f"{output.ename}: {output.evalue}"]
                    verdicts.append(output.evalue if output.ename == "AssertionError" else output.traceback[0])
            cell.metadata["backprop_ninja"] = {"title": title, "verdict": " ".join(verdicts)}
        return cell, resources


def _title(source):
    """What a test cell's opening comment says it tests: '# Hidden test of dW1: runs when…' -> 'Hidden test of dW1'."""
    first = source.lstrip().splitlines()[0] if source.strip() else ""
    return first.lstrip("# ").split(": runs")[0].strip() if first.startswith("#") else ""


def sentence(evalue):
    """A verdict a student can read: never a bare number or nothing."""
    text = " ".join(str(evalue).split())
    if re.search(r"[A-Za-z]{2}", text):
        return text
    return "the test's check failed" + (f" (it printed {text})" if text else "")
