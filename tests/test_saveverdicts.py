"""A graded cell's verdict as data: failed exactly when nbgrader scores the cell 0, and what a student's kernel
displays for it (`ninja_runner.VERDICT_MIME`) can mislabel only the student's own failure, never pass, crash or inject."""
import json
import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat import NotebookNode
from nbgrader.api import Gradebook

from backprop_ninja.diagnose import Mistake
from ninja_autograde import gradebook
from ninja_autograde.preprocessors import HideTests, saveverdicts
from ninja_runner import VERDICT_MIME
from ninja_runner.verdict import Verdict, failed


def shown(data):
    return NotebookNode(output_type="display_data", metadata={}, data={VERDICT_MIME: data})


def error(ename="AssertionError", evalue="dW1 is wrong, relative error 2.00e+00: the sign is flipped"):
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[])


def cell(*outputs):
    return NotebookNode(cell_type="code", source="", metadata={}, outputs=list(outputs))


def test_the_visible_tests_verdict_reaches_the_gradebook_as_the_kernel_displayed_it():
    graded = cell(shown({"mistake": "sign-flipped", "tensor": "dW1"}), error())
    verdict = saveverdicts.cell_verdict(graded)
    assert verdict == Verdict("sign-flipped", "dW1 is wrong, relative error 2.00e+00: the sign is flipped", "dW1")
    assert [o.output_type for o in graded.outputs] == ["error"], "the display is the grader's, taken out of the cell"


def test_a_cell_without_an_error_passes_whatever_its_kernel_displayed():
    graded = cell(shown({"mistake": "sign-flipped", "tensor": "dW1"}))
    assert saveverdicts.cell_verdict(graded).passed and graded.outputs == []


def test_the_referees_verdict_stands_over_the_kernels():
    judged = Verdict("missing-over-n", "dz is wrong: missing /N", "dz")
    graded = cell(shown({"mistake": "sign-flipped"}), error(evalue=judged.message))
    assert saveverdicts.cell_verdict(graded, judged) == judged


@pytest.mark.parametrize("forged", [
    "not a dict", ["a", "list"], {"mistake": "Robert'); DROP TABLE grade;--"}, {"mistake": "x" * 10_000},
    {"mistake": 7}, {"mistake": "sign-flipped", "tensor": {"nested": "dict"}}, {"mistake": "sign-flipped", "tensor": "d" * 100},
])
def test_a_forged_verdict_display_leaves_the_kernels_error_as_the_verdict(forged):
    verdict = saveverdicts.cell_verdict(cell(shown(forged), error()))
    assert verdict.mistake == "raised" and verdict.message.startswith("dW1 is wrong") and not verdict.passed


def test_a_displayed_id_names_only_an_assertion_of_the_visible_test():
    """A cell the grader stopped keeps the grader's words, whatever the kernel displayed before."""
    verdict = saveverdicts.cell_verdict(cell(shown({"mistake": "sign-flipped"}), error("KernelStopped", "the kernel died")))
    assert verdict.mistake == "kernel-stopped" and verdict.message == "KernelStopped: the kernel died"


def test_a_tensor_name_with_control_characters_is_shown_not_obeyed():
    verdict = saveverdicts.cell_verdict(cell(shown({"mistake": "sign-flipped", "tensor": "dW1\x1b[2K\u202e"}), error()))
    assert verdict.tensor.isprintable() and "\x1b" not in verdict.tensor


def test_a_verdict_travels_as_json_and_junk_is_refused():
    verdict = failed(Mistake("sign-flipped", "the sign is flipped"), "dW1", {"relative error": 2.0, "noise": float("inf")})
    assert verdict.mistake == "sign-flipped" and verdict.measured == {"relative error": 2.0}   # JSON has no inf
    assert Verdict.from_json(verdict.to_json()) == verdict
    for junk in ["[]", '{"mistake": "x"}', json.dumps({**json.loads(verdict.to_json()), "measured": {"a": "b"}}),
                 json.dumps({**json.loads(verdict.to_json()), "mistake": "Not An Id"})]:
        with pytest.raises(ValueError):
            Verdict.from_json(junk)


def graded_cell(grade_id, *outputs):
    return nbformat.v4.new_code_cell("# Hidden test of dz: runs it", outputs=list(outputs), metadata={
        "nbgrader": {"grade": True, "solution": False, "locked": True, "grade_id": grade_id, "points": 1}})


def test_the_feedback_page_says_the_stored_verdict(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")   # nbgrader's alembic
    db_url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    stored = Verdict("missing-over-n", "dz is wrong: the mean's 1/N is missing", "dz")
    with Gradebook(db_url) as gb:
        gradebook.ensure_table(gb.engine)
        gb.db.add(gradebook.StoredVerdict(assignment="02", notebook="nb", student="ada", test="test_dz",
                                             verdict=stored.to_json()))
        gb.db.commit()
    nb = nbformat.v4.new_notebook(cells=[graded_cell("test_dz", error(evalue="something else")),
                                         graded_cell("test_p", error(evalue="p is wrong"))])
    resources = {"nbgrader": {"db_url": db_url, "assignment": "02", "notebook": "nb", "student": "ada"}}
    nb, _ = HideTests().preprocess(nb, resources)
    said = [c.metadata["backprop_ninja"] for c in nb.cells]
    assert said == [{"title": "dz", "verdict": stored.message}, {"title": "dz", "verdict": "p is wrong"}]
    resources["nbgrader"]["db_url"] = f"sqlite:///{tmp_path / 'older.db'}"   # graded before verdicts were stored
    nb, _ = HideTests().preprocess(nb, resources)
    assert [c.metadata["backprop_ninja"]["verdict"] for c in nb.cells] == ["something else", "p is wrong"]

