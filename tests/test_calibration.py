"""The calibration class, autograded through nbgrader: every case is judged as expected,
and the feedback it gets back shows verdicts, never the hidden tests."""
import html
import re

import pytest

from ninja_autograde import calibration, course


# the first-wrong-line cell (highlighted source) and, before the next cell, its picture
PICTURE = re.compile(r'first_wrong_line</span><span class="p">\((?:(?!code_cell).)*?<img[^>]*src="data:image/png', re.S)


def visible_text(page):
    """What a browser shows of an HTML page, roughly: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def wrote_json(course_dir, student, assignment):
    return next((course_dir / "submitted" / student / assignment).glob("*.ipynb")).read_text()


@pytest.mark.parametrize("assignment", course.available_assignments())
def test_calibration_class_is_judged_right(assignment, tmp_path, secret_lines):
    outcomes = calibration.calibrate(assignment, tmp_path)
    assert len(outcomes) >= 5
    wrong = [f"{o.case.name}: failed {sorted(o.failed)}, expected {sorted(o.case.fails)}"
             for o in outcomes if not o.as_expected]
    assert not wrong, "\n".join(wrong)
    # a correct answer gets full marks; a wrong one never does
    for o in outcomes:
        assert (o.score == o.max_score) == (not o.case.fails and not o.failed), o.case.name

    course.nbgrader("generate_feedback", assignment, "--force", cwd=tmp_path)
    pages = sorted(tmp_path.glob(f"feedback/*/{assignment}/*.html"))
    assert len(pages) == len(outcomes)
    for page in pages:
        text = visible_text(page.read_text())
        student = page.parts[-3]
        wrote = "\n".join(c.source for c in course.read_notebook(tmp_path / "submitted", student, assignment).cells)
        # calibration students answer the functions they get right with the solution's own lines
        leaks = sorted(line for line in secret_lines if line in text and line not in wrote)
        assert not leaks, f"{page.relative_to(tmp_path)} shows hidden-test or solution lines: {leaks}"
        for word in ('calls="', "ninja_autograde"):   # the referee's hidden data, its package
            assert word not in text or word in wrote, f"{page} shows {word!r}"
        # the index names every test and says its verdict in words, without the referee's internals
        assert "Test cell" not in text and "(call " not in text, page
        for test in re.findall(r'"grade_id": "(test_\w+)"', wrote_json(tmp_path, student, assignment)):
            assert re.search(rf"{test}\b[^\n]*:\s+(passed|not passed), ", text), f"{page}: {test} not in the index"
        assert page.stat().st_size < 2_000_000, f"{page} is not capped: {page.stat().st_size} bytes"
    if "first_wrong_line(" in wrote_json(tmp_path, outcomes[0].case.name, assignment):
        # the first-wrong-line picture reaches the feedback, for a right answer and for a wrong one
        pictured = {page.parts[-3] for page in pages if PICTURE.search(page.read_text())}
        assert {o.case.name for o in outcomes if o.score == o.max_score} <= pictured
        assert {o.case.name for o in outcomes if o.case.fails} & pictured
    for notebook in tmp_path.glob(f"autograded/*/{assignment}/*.ipynb"):
        assert notebook.stat().st_size < 2_000_000, f"{notebook} is not capped"
