"""Every classic mistake loses its points for every student, every right answer for none (catch_rates.py).

The full table over 1,000 students per case is `make benchmark` (docs/benchmarks.md); here every case the
catch rates judge, over a few students each (more for 02, whose draws are cheap: the softmax whose max is
the whole matrix's lost full marks for 59 % of students by luck before the extreme draws held a row far
below the others)."""

import pytest

from ninja_autograde import calibration, catch_rates, course

STUDENTS = {"01_finite_differences": 50, "02_softmax_nll": 200}   # the others: 4 each
CASES = [(a, c.name) for a in course.available_assignments() for c in catch_rates.cases(a)]


@pytest.mark.parametrize("assignment, name", CASES)
def test_a_case_comes_out_the_same_for_every_student(assignment, name):
    rates = catch_rates.rates(assignment, calibration.case(assignment, name), STUDENTS.get(assignment, 4))
    assert rates, f"{assignment} has no hidden tests?"
    wrong = [f"{r.test}: lost by {r.failed} of {r.students}, should be {'all' if r.expected_to_fail else 'none'}"
             for r in rates if not r.right]
    assert not wrong, wrong


def test_only_cases_that_work_on_the_kernel_are_left_to_the_calibration_class():
    left_out = {(a, c.name) for a in course.available_assignments() for c in calibration.cases(a)} - set(CASES)
    assert ("02_softmax_nll", "hangs") in left_out and ("03_mlp_tanh", "finite_differences_of_own_forward") in left_out
    assert ("02_softmax_nll", "max_of_the_whole_matrix") in CASES and ("04_mlp_relu", "gradient_descent_uphill") in CASES
    assert all(calibration.case(a, n).kernel_level for a, n in left_out)


def test_the_table_names_a_case_that_is_not_as_expected():
    case = calibration.case("02_softmax_nll", "correct_loops")
    case.fails = {"test_nll_random"}   # a right answer declared wrong: the table must say so
    row = catch_rates.CaseRates("02_softmax_nll", case.name, catch_rates.rates("02_softmax_nll", case, 3))
    assert not row.right and "WRONG: test_nll_random 0.0 %" in row.row()
