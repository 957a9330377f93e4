"""The referee's verdicts stored with the grades, so that any machine on the gradebook prints the same report.

nbgrader 0.9 keeps a comment per answer (solution) cell, not per test: after SaveAutoGrades this
preprocessor writes into the auto_comment of each answer cell one line per failed test below it,

    test_W1: dW1 is wrong, max error 3.60e+00: the sign is flipped: ...

which formgrader shows the grader beside the answer and `report.collect` reads back. A comment a
grader typed by hand (manual_comment) is never touched.
"""

from nbgrader import utils
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor

from .printable import printable

NO_RESPONSE = "No response."   # nbgrader's auto_comment for an answer cell left as released


class SaveDiagnoses(NbGraderPreprocessor):
    def preprocess(self, nb, resources):
        who = resources["nbgrader"]
        verdicts, answer = {}, None
        for cell in nb.cells:
            if utils.is_solution(cell):
                answer = cell.metadata.nbgrader["grade_id"]
                verdicts.setdefault(answer, [])
            elif utils.is_grade(cell) and cell.cell_type == "code" and answer is not None:
                message = verdict(cell)
                if message:
                    verdicts[answer].append(f"{cell.metadata.nbgrader['grade_id']}: {message}")
        with Gradebook(who["db_url"]) as gb:
            for answer, lines in verdicts.items():
                comment = gb.find_comment(answer, who["notebook"], who["assignment"], who["student"])
                kept = [NO_RESPONSE] if comment.auto_comment == NO_RESPONSE else []
                comment.auto_comment = "\n".join(kept + lines) or None
            gb.db.commit()
        return nb, resources


def verdict(cell):
    """The failed test's message, one line of printable text ('' when it passed): it may quote the student's
    exception, and reaches the gradebook, the Formgrader, the report and the instructor's terminal."""
    for output in cell.get("outputs", []):
        if output.output_type == "error":
            said = output.evalue if output.ename == "AssertionError" else f"{output.ename}: {output.evalue}"
            return printable(" ".join(said.split())) or "a check of the test failed"
    return ""


def parse(comment):
    """{test id: message} from an auto_comment written by SaveDiagnoses."""
    found = {}
    for line in (comment or "").splitlines():
        test, sep, message = line.partition(": ")
        if sep and " " not in test:
            found[test] = message
    return found
