"""Correct: perturbs x in place, one entry at a time, and restores the saved value exactly."""
FAILS = []


def central_difference(f, x, eps=1e-5):
    grad = np.zeros_like(x, dtype=float)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f(x)
        x[i] = old - eps
        down = f(x)
        x[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad
