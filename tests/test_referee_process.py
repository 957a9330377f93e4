"""Hidden tests run outside grading, through the referee as a process of its own (no nbgrader): verdicts and their words."""
import numpy as np
import pytest

from ninja_runner import hidden_test


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def backward(z, y):
    p = softmax(z)
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


def test_a_right_answer_passes_every_part():
    for part in ("random", "extreme", "unchanged"):
        hidden_test("softmax", softmax, part)
        hidden_test("softmax_nll_backward", backward, part)


@pytest.mark.parametrize("answer, words", [
    (lambda z, y: backward(z, y) * len(y), "missing /N"),
    (lambda z, y: np.zeros_like(z), "all zeros"),
    (lambda z, y: -backward(z, y), "sign"),
    (lambda z, y: (softmax(z) - np.eye(z.shape[1])[(y + 1) % z.shape[1]]) / len(y), "off by one"),
    (lambda z, y: backward(z, y).T, "transpose"),
    (lambda z, y: None, "return statement"),
    (lambda z, y: 1 / 0, "ZeroDivisionError"),
])
def test_mistakes_fail_with_the_lessons_words(answer, words):
    with pytest.raises(AssertionError, match=words):
        hidden_test("softmax_nll_backward", answer, "random")


def test_every_run_draws_new_data():
    seen = []

    def spy(z):
        seen.append(z.copy())
        return softmax(z)

    hidden_test("softmax", spy, "random")
    hidden_test("softmax", spy, "random")
    assert len(seen) == 4
    assert not any(np.array_equal(a, b) for i, a in enumerate(seen) for b in seen[i + 1:] if a.shape == b.shape)


def test_an_answer_that_replays_its_first_result_fails():
    memory = []

    def replay(z, y):
        if not memory:
            memory.append(backward(z, y))
        return memory[0]

    with pytest.raises(AssertionError):
        hidden_test("softmax_nll_backward", replay, "random")


def descend(params, X, y, backward, steps=3000, lr=0.5, log_every=300):
    """A right training loop, without the network's forward pass: the test's backward ignores the cache."""
    for _ in range(steps):
        grads = backward(params, None, y)
        params = {name: value - lr * grads[name] for name, value in params.items()}
    return params


def test_a_right_training_loop_passes_both_parts():
    hidden_test("gradient_descent", descend, "descends")
    hidden_test("gradient_descent", descend, "unchanged")


def in_place(params, X, y, backward, steps=3000, lr=0.5, log_every=300):
    for _ in range(steps):
        grads = backward(params, None, y)
        for name in params:
            params[name] -= lr * grads[name]
    return params


@pytest.mark.parametrize("loop, part, words", [
    (lambda p, X, y, b, steps, lr, log_every=300: descend(p, X, y, lambda q, c, t: {k: -g for k, g in b(q, c, t).items()},
                                                          steps, lr), "descends", "uphill"),
    (lambda p, X, y, b, steps, lr, log_every=300: descend(p, X, y, b, steps - 1, lr), "descends", "one step too few"),
    (lambda p, X, y, b, steps, lr, log_every=300: {k: v - steps * lr * b(p, None, y)[k] for k, v in p.items()},
     "descends", "once, before the loop"),
    (in_place, "unchanged", "in place"),
])
def test_training_loop_mistakes_are_named(loop, part, words):
    with pytest.raises(AssertionError, match=words):
        hidden_test("gradient_descent", loop, part)


def test_the_training_tests_loop_cannot_stand_in_for_the_students():
    """The kernel's trainer rebuilds its network and data from a seed: passed off as gradient_descent, it fails."""
    from ninja_runner.runner import train_xor

    def borrowed(params, X, y, backward, steps=3000, lr=0.5, log_every=300):
        return train_xor(backward, 0, steps, lr)

    with pytest.raises(AssertionError):
        hidden_test("gradient_descent", borrowed, "descends")
