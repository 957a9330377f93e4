"""Subtracts 1 from every class instead of only the true one."""
FAILS = ["test_backward_random", "test_backward_extreme"]


def softmax_nll_backward(z, y):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True) - 1) / len(y)
