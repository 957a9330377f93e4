"""The calibration class, autograded through nbgrader: every case is judged as expected."""
import pytest

from ninja_autograde import calibration, course


@pytest.mark.parametrize("assignment", course.available_assignments())
def test_calibration_class_is_judged_right(assignment, tmp_path):
    outcomes = calibration.calibrate(assignment, tmp_path)
    assert len(outcomes) >= 5
    wrong = [f"{o.case.name}: failed {sorted(o.failed)}, expected {sorted(o.case.fails)}"
             for o in outcomes if not o.as_expected]
    assert not wrong, "\n".join(wrong)
    # a correct answer gets full marks; a wrong one never does
    for o in outcomes:
        assert (o.score == o.max_score) == (not o.case.fails and not o.failed), o.case.name
