"""Every classic mistake loses its points for every student, every right answer for none (catch_rates.py).

The full table over 1,000 students per case is `make benchmark` (README, Benchmarks); here a subset: every
case of 02 (the softmax whose max is the whole matrix's lost full marks for 59 % of students by luck before
the extreme draws held a row far below the others), and right and wrong answers of 04 and 06."""

import pytest

from ninja_autograde import calibration, catch_rates

SUBSET = [(case.name, "02_softmax_nll", 200) for case in catch_rates.cases("02_softmax_nll")] + [
    (name, assignment, 10) for assignment, names in {
        "04_mlp_relu": ("correct_einsum", "mask_flipped", "transposed_dW1", "bias_axis_1_db2"),
        "06_batchnorm": ("correct_loops", "bn_sums_over_features", "mlp_unbiased_variance", "bn_modifies_dout"),
    }.items() for name in names]


@pytest.mark.parametrize("name, assignment, students", SUBSET)
def test_a_case_comes_out_the_same_for_every_student(name, assignment, students):
    rates = catch_rates.rates(assignment, calibration.case(assignment, name), students)
    assert rates, f"{assignment} has no hidden tests?"
    wrong = [f"{r.test}: lost by {r.failed} of {r.students}, should be {'all' if r.expected_to_fail else 'none'}"
             for r in rates if not r.right]
    assert not wrong, wrong


def test_kernel_level_cases_are_left_to_the_calibration_class():
    names = {c.name for c in catch_rates.cases("02_softmax_nll")}
    assert "max_of_the_whole_matrix" in names and not names & {"hangs", "tamper_patches_allclose", "crashes_kernel"}
