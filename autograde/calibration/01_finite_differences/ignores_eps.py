"""Hard-codes the step 1e-5 and ignores the eps argument."""
FAILS = ["test_central_difference_eps"]


def central_difference(f, x, eps=1e-5):
    h = 1e-5
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        step = np.zeros(x.shape)
        step[i] = h
        grad[i] = (f(x + step) - f(x - step)) / (2 * h)
    return grad
