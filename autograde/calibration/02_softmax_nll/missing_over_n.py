"""Forgets the 1/N of the mean in the gradient: returns p − Y."""
FAILS = ["test_backward_random", "test_backward_extreme"]


def softmax_nll_backward(z, y):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p
