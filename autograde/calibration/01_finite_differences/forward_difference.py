"""Uses a forward difference: error O(eps) instead of O(eps^2)."""
FAILS = ["test_central_difference_values", "test_central_difference_eps"]


def central_difference(f, x, eps=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        step = np.zeros(x.shape)
        step[i] = eps
        grad[i] = (f(x + step) - f(x)) / eps
    return grad
