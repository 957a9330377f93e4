"""The training test holds against a student only XOR runs right gradient descent solves (`ninja_runner.exercises._xor`)."""
from pathlib import Path

import numpy as np

from backprop_ninja import nets
from ninja_runner import runner
from backprop_ninja.gradcheck import numerical_gradient
from ninja_runner.exercises import EXERCISES
from ninja_runner.exercises import _xor as solvable
from ninja_runner.exercises._xor import TRAIN_ACCURACY, XOR_LR, XOR_STEPS, xor_run
from ninja_autograde.submissions import load_case

STUCK = 1219351663   # a run right gradient descent leaves at 75 % (found by benchmarks/xor_training.py)
RIGHT = Path(__file__).resolve().parents[1] / "autograde" / "calibration" / "04_mlp_relu" / "correct_einsum.py"


def right_backward():
    namespace = {"np": np}
    exec(load_case(RIGHT).answers["mlp_relu_backward"], namespace)   # the calibration class's own answer
    return namespace["mlp_relu_backward"]


def test_its_gradient_is_the_lab_assistants_finite_differences_of_the_course_forward():
    params, X, y = xor_run(5)
    rng = np.random.default_rng(0)
    params = {k: v + rng.normal(0.0, 0.3, v.shape) for k, v in params.items()}
    fast = solvable.numerical_gradient(params, X, y)
    for name in params:
        loss = lambda: nets.mlp_relu_forward(params, X, y)[0]
        assert np.allclose(fast[name], numerical_gradient(loss, params[name]), atol=1e-8)


def test_a_run_right_gradient_descent_cannot_solve_is_never_held_against_a_student():
    """STUCK, drawn for a student, fails a right backward pass: the run does not count, and a right answer passes;
    a wrong one still fails on the runs it does not solve."""
    trained, (_, X, y) = runner.train_xor(right_backward(), STUCK, XOR_STEPS, XOR_LR), xor_run(STUCK)
    assert np.mean(nets.predict(trained, X) == y) < TRAIN_ACCURACY   # a right backward pass fails this run
    assert not solvable.solvable(STUCK)
    exercise = EXERCISES["mlp_relu_backward"]
    calls = [solvable.xor_call(STUCK), solvable.xor_call(0)]
    right = right_backward()
    assert exercise.judge("train", calls, [runner.run(right, c) for c in calls], [{}, {}]).passed
    half = lambda params, cache, y: {k: g / 100 for k, g in right(params, cache, y).items()}   # too small a step
    verdict = exercise.judge("train", calls, [runner.run(half, c) for c in calls], [{}, {}])
    assert verdict.mistake == "does-not-learn" and "network 2 of 2" in verdict.message


def test_the_visible_tests_runs_are_solvable():
    for call in EXERCISES["mlp_relu_backward"].visible("train"):
        assert solvable.accuracy(int(call["seed"])) >= solvable.SOLVED
