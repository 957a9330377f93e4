"""01_finite_differences: `central_difference(f, x, eps)`, the gradient of f at x one coordinate at a time."""

import numpy as np

from backprop_ninja.diagnose import Mistake
from backprop_ninja.functions import draw, make
from backprop_ninja.gradcheck import numerical_gradient

from ..judging import Exercise, GradedCell
from . import Assignment


class CentralDifference(Exercise):
    name = "central_difference"
    cells = (GradedCell("test_central_difference_values", "values", 3),
             GradedCell("test_central_difference_eps", "eps", 1),
             GradedCell("test_central_difference_unchanged", "unchanged", 1))
    what = {"values": "functions whose coordinates interact, two shapes",
            "eps": "a step eps = 1e-2, not the default",
            "unchanged": "inputs left as they were"}
    atol, rtol = 1e-6, 1e-7

    def visible(self, part):
        rng = np.random.default_rng(20)
        return [self._call(rng, shape, part) for shape in [(4,), (2, 3)]]

    def hidden(self, rng, part):
        shapes = [(int(rng.integers(2, 6)),), (int(rng.integers(2, 4)), int(rng.integers(2, 4)))]
        return [self._call(rng, shape, part) for shape in shapes]

    @staticmethod
    def _call(rng, shape, part):
        return {"f": draw(rng, shape), "x": rng.uniform(-1.5, 1.5, shape),
                "eps": np.array(1e-2 if part == "eps" else 1e-5)}

    def reference(self, call):
        """The central-difference formula itself, coordinate by coordinate, with the call's eps."""
        return self._central(call, float(call["eps"]))

    def _central(self, call, eps):
        f, x = make(call["f"]), call["x"].copy()
        return numerical_gradient(lambda: f(x), x, eps)

    def hypotheses(self, call, key):
        f, x, eps = make(call["f"]), call["x"], float(call["eps"])
        return [(Mistake("forward-difference", "a forward difference (f(x+eps) − f(x))/eps: its error is O(eps), not "
                         "O(eps²)"), _forward_difference(f, x, eps)),
                (Mistake("all-coordinates-at-once", "perturbs every coordinate at once: move one coordinate at a "
                         "time"), np.full(x.shape, (f(x + eps) - f(x - eps)) / (2 * eps))),
                (Mistake("ignores-eps", "ignores the eps argument (uses 1e-5 whatever eps is passed)"),
                 self._central(call, 1e-5)),
                (Mistake("wrong-denominator", "wrong denominator: divide by 2·eps, the distance between x−eps and "
                         "x+eps"), 2 * self._central(call, eps)),
                (Mistake("x-not-restored", "x is not restored: each entry is left at x − eps, so the later ones are "
                         "differenced around the wrong point; put every entry back after its two evaluations"),
                 _not_restored(f, x, eps))]


def _not_restored(f, x, eps):
    x, grad = x.astype(np.float64), np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f(x)
        x[i] = old - eps
        grad[i] = (up - f(x)) / (2 * eps)
    return grad


def _forward_difference(f, x, eps):
    grad, fx = np.zeros_like(x), f(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = eps
        grad[i] = (f(x + step) - fx) / eps
    return grad


ASSIGNMENT = Assignment("01_finite_differences", "finite_differences.ipynb", (CentralDifference(),))
