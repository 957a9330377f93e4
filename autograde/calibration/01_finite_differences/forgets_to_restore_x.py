"""Perturbs x in place and forgets to put the entry back: x is changed, and later entries are
differenced around the wrong point (caught where the function couples the coordinates)."""
FAILS = ["test_central_difference_values", "test_central_difference_eps",
         "test_central_difference_unchanged"]


def central_difference(f, x, eps=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f(x)
        x[i] = old - eps
        down = f(x)
        grad[i] = (up - down) / (2 * eps)
    return grad
