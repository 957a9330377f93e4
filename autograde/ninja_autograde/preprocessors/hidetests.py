"""What `nbgrader generate_feedback` may show a student of a test cell: its verdict, never its insides.

A test cell is one call whose hidden data the referee wrote in only while it ran (its source is the release's
again); should an instructor add a hidden-test region, nbgrader's ClearHiddenTests cuts it as in the release
notebook. A failed test's traceback is cut to its last line, the verdict: which tensor, the max error and the
likely mistake, as a sentence. Each test's title and verdict go into the cell's metadata for the page's
index (`feedback.FeedbackExporter`), the verdict as the grader stored it with the grades
(`gradebook.stored`), never parsed back from the notebook.
"""

import re

from nbgrader import utils
from nbgrader.api import Gradebook
from nbgrader.preprocessors import ClearHiddenTests
from sqlalchemy.exc import DatabaseError

from .. import gradebook


class HideTests(ClearHiddenTests):
    """Each test cell's verdict for the page's index, as the grader stored it (`gradebook.stored`), and its error
    output cut to that verdict. A notebook graded before verdicts were stored has its cells' errors only."""

    def preprocess(self, nb, resources):
        who = resources["nbgrader"]
        try:
            with Gradebook(who["db_url"]) as gb:
                self.verdicts = gradebook.stored(gb, who["assignment"], who["student"])
        except (KeyError, DatabaseError, ValueError):   # no gradebook, no verdicts' table: the cells' errors tell
            self.verdicts = {}
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        title = _title(cell.source) if cell.cell_type == "code" else ""
        cell, resources = super().preprocess_cell(cell, resources, index)
        if cell.cell_type == "code" and utils.is_grade(cell):
            said = []
            for output in cell.outputs:
                if output.output_type == "error":
                    output.evalue = sentence(output.evalue)
                    output.traceback = [f"{output.ename}: {output.evalue}"]
                    said.append(output.evalue if output.ename == "AssertionError" else output.traceback[0])
            stored = self.verdicts.get(cell.metadata.nbgrader["grade_id"])
            verdict = stored.message if stored is not None else " ".join(said)
            cell.metadata["backprop_ninja"] = {"title": title, "verdict": verdict}
        return cell, resources


def _title(source):
    """What a test cell's opening comment says it tests: '# Hidden test of dW1 (N = 1 included): runs…' -> 'dW1 (N = 1 included)'."""
    first = source.lstrip().splitlines()[0] if source.strip() else ""
    if not first.startswith("#"):
        return ""
    said = re.sub(r"^Hidden test\s*(of\s+)?", "", first.lstrip("# ").split(": runs")[0]).strip(" :.")
    return said[1:-1] if said.startswith("(") and said.endswith(")") else said


def sentence(evalue):
    """A verdict a student can read: never a bare number or nothing."""
    text = " ".join(str(evalue).split())
    if re.search(r"[A-Za-z]{2}", text):
        return text
    return "the test's check failed" + (f" (it printed {text})" if text else "")
