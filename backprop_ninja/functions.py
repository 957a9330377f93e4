"""Test functions built from plain arrays: an f for lesson 01's finite differences, a backward pass for 04's loop.

The grader (and the visible tests) draw the coefficients; the student's kernel rebuilds the same f from them:

    f(x) = Σ_i a_i sin(b_i x_i) + ½ xᵀ M x      (x flattened)

The sines give third derivatives up to b³ (so the step eps matters); M couples the
coordinates (so perturbing all of them at once is caught).
"""

import numpy as np


def draw(rng, shape):
    n = int(np.prod(shape))
    M = rng.standard_normal((n, n))
    return {"a": rng.uniform(0.5, 2.0, n), "b": rng.uniform(1.0, 4.0, n), "M": (M + M.T) / 2}


def make(spec):
    a, b, M = (np.array(spec[k], dtype=np.float64) for k in ("a", "b", "M"))

    def f(x):
        v = np.asarray(x, dtype=np.float64).reshape(-1)
        return float(np.sum(a * np.sin(b * v)) + 0.5 * v @ M @ v)

    return f


def weight_decay(decay):
    """A backward pass for testing a training loop: the gradient of ½·decay·Σ‖θ‖², which is decay·θ.

    It knows nothing of the network, so the test of the loop never depends on the student's backward pass."""
    def gradient(params, _cache, _y):
        return {name: decay * np.asarray(value, dtype=np.float64) for name, value in params.items()}

    return gradient
