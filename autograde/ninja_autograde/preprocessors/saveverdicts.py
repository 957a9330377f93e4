"""The referee's verdicts stored with the grades, as data, so that any machine on the gradebook prints the same report.

Each graded test cell's verdict (`ninja_runner.verdict.Verdict`: passed, or which mistake, on which
tensor, in which words) is made while the cell runs (`GraderExecute` keeps it in the notebook's
resources) and written after SaveAutoGrades by SaveVerdicts:

- as JSON in the course's table of the gradebook (`gradebook.StoredVerdict`), one row per test of each submitted notebook,
  which `report.collect` reads (the class report counts mistakes by id, and shows messages as made);
- as one line per failed test in the auto_comment of the answer cell above it,

    test_W1: dW1 is wrong, max error 3.60e+00: the sign is flipped: ...

  which formgrader shows the grader beside the answer (nbgrader 0.9 keeps a comment per answer cell,
  not per test). A comment a grader typed by hand (manual_comment) is never touched.

A verdict is failed exactly when its cell holds an error, as nbgrader scores it. The referee's verdicts
are its own; when the student's kernel failed the test first (a visible test on the notebook's own data,
`ninja_runner.visible_test`), its id and tensor are what that kernel displayed (`ninja_runner.VERDICT_MIME`), checked
for form: a student can mislabel their own failure, never pass a test or reach anyone else's row.
"""

from dataclasses import replace

from nbgrader import utils
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor

from ninja_runner import VERDICT_MIME
from ninja_runner.verdict import PASSED, Verdict

from ..gradebook import StoredVerdict, ensure_table
from ..printable import printable

NO_RESPONSE = "No response."   # nbgrader's auto_comment for an answer cell left as released
GRADER_ERRORS = {"KernelStopped": "kernel-stopped", "OutputTimeout": "output-timeout", "MemoryError": "memory-limit"}

def cell_verdict(cell, judged=None):
    """The verdict of a test cell as graded, its kernel's verdict displays taken out of its outputs.

    `judged` is the referee's verdict when it judged the cell's answers (its message is the cell's error)."""
    told = [o.data.pop(VERDICT_MIME) for o in cell.get("outputs", [])
            if o.output_type == "display_data" and VERDICT_MIME in o.get("data", {})]
    cell.outputs = [o for o in cell.get("outputs", []) if o.output_type != "display_data" or o.get("data")]
    errors = [o for o in cell.outputs if o.output_type == "error"]
    if not errors:
        return PASSED
    if judged is not None and not judged.passed:
        return judged
    first, message = errors[0], verdict(cell)[:4000]
    mistake = GRADER_ERRORS.get(first.ename, "raised")
    try:
        said = told[-1] if told and first.ename == "AssertionError" else {}
        kernel = Verdict.checked(said.get("mistake") or mistake, message, said.get("tensor", ""))
        return replace(kernel, tensor=printable(kernel.tensor))
    except (AttributeError, ValueError):   # what the kernel displayed is not a verdict's data: its own error stands
        return Verdict(mistake, message)


class SaveVerdicts(NbGraderPreprocessor):
    def preprocess(self, nb, resources):
        who = resources["nbgrader"]
        made = resources.get("backprop_ninja", {}).get("verdicts", {})
        verdicts, comments, answer = {}, {}, None
        for cell in nb.cells:
            if utils.is_solution(cell):
                answer = cell.metadata.nbgrader["grade_id"]
                comments.setdefault(answer, [])
            if utils.is_grade(cell) and cell.cell_type == "code":
                test = cell.metadata.nbgrader["grade_id"]
                verdicts[test] = made.get(test) or cell_verdict(cell)
                if answer is not None and not verdicts[test].passed:
                    comments[answer].append(f"{test}: {verdicts[test].message}")
        with Gradebook(who["db_url"]) as gb:
            ensure_table(gb.engine)
            key = {"assignment": who["assignment"], "notebook": who["notebook"], "student": who["student"]}
            gb.db.query(StoredVerdict).filter_by(**key).delete()
            gb.db.add_all(StoredVerdict(**key, test=t, verdict=v.to_json()) for t, v in verdicts.items())
            for answer, lines in comments.items():
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
