"""Perturbs every coordinate at once: returns one directional derivative everywhere."""
FAILS = ["test_central_difference_values", "test_central_difference_eps"]


def central_difference(f, x, eps=1e-5):
    return np.full(x.shape, (f(x + eps) - f(x - eps)) / (2 * eps))
