"""The lab assistant against an independent oracle: jax's automatic differentiation in float64.

On the oracle set (tests/oracle_cases.py: the course's networks at gradient scales 1 to 1e-8, right
gradients, float32-rounded ones, corrupted ones, ReLU at its kink) no wrong gradient passes, and no
right one fails: "too small to judge" is a verdict of its own, never a pass. benchmarks/oracle.py prints
the same cases' table beside torch's gradcheck and CS231n's check.
"""
from collections import Counter

import jax.test_util
import numpy as np
import pytest

import oracle_cases


@pytest.mark.parametrize("net", oracle_cases.networks(), ids=lambda net: net.name)
def test_the_jax_forwards_are_the_courses_and_jax_differentiates_them_right(net):
    params = {k: np.asarray(v) for k, v in net.params.items()}
    assert float(net.jax_loss(params)) == pytest.approx(net.numpy_loss(params), rel=1e-13)
    jax.test_util.check_grads(net.jax_loss, (params,), order=2, modes=("rev",), eps=1e-6)


@pytest.fixture(scope="module")
def judged():
    """(case, verdict) for every case of the oracle set: "passed", "failed", "too small" or "at a kink"."""
    return [(case, oracle_cases.lab_assistant(case)) for case in oracle_cases.cases()]


def summary(judged):
    counts = Counter((case.kind, "right" if case.right else "wrong", verdict) for case, verdict in judged)
    return "\n".join(f"{kind:>12}  {truth}  {verdict:<9}  {n:4d}" for (kind, truth, verdict), n in sorted(counts.items()))


def describe(case, verdict):
    return f"{case.network} ({case.kind} {case.scale:g}) {case.tensor}: {case.answer} → {verdict}"


def test_the_oracle_set_holds_every_kind_of_case(judged):
    cases = [case for case, _ in judged]
    assert {case.scale for case in cases} == set(oracle_cases.SCALES)
    assert {case.answer for case in cases} == set(oracle_cases.CORRUPTIONS) | set(oracle_cases.RIGHT)
    assert len({case.network for case in cases}) >= 5 + 4
    assert sum(not case.right for case in cases) > 1000 and sum(case.right for case in cases) > 300


def test_no_wrong_gradient_passes(judged):
    print(summary(judged))
    passed = [describe(case, verdict) for case, verdict in judged if not case.right and verdict == "passed"]
    assert not passed, "\n".join(passed)


def test_no_right_gradient_fails(judged):
    failed = [describe(case, verdict) for case, verdict in judged if case.right and verdict == "failed"]
    assert not failed, "\n".join(failed)


def test_a_right_gradient_whose_finite_difference_straddles_a_kink_is_said_to_be_at_a_kink(judged):
    """z1[0, 0] at or within 1e-9 of 0 moves with b1[0] (and with W1[:, 0], unless X[0] is 0): a central
    difference there averages ReLU's two slopes."""
    kinked = {(case.network, case.tensor, case.answer): verdict for case, verdict in judged
              if case.kind == "at a kink" and case.right}
    assert len(kinked) == 4 * 4 * 2
    at_kink = {key for key, verdict in kinked.items() if verdict == "at a kink"}
    assert {tensor for _, tensor, _ in at_kink} == {"W1", "b1"}
    assert all(verdict == "passed" for (_, tensor, _), verdict in kinked.items() if tensor in ("W2", "b2"))


def test_right_gradients_are_judged_not_just_left_too_small(judged):
    """The test above could pass by calling everything too small: most right gradients are confirmed, and every
    one at scales 1 to 1e-4 of a loss multiplied down (whose round-off shrinks with it)."""
    right = [(case, verdict) for case, verdict in judged if case.right]
    assert sum(verdict == "passed" for _, verdict in right) > 0.85 * len(right)
    assert all(verdict == "passed" for case, verdict in right if case.kind == "loss × scale"), summary(judged)

