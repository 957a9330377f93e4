"""A wrong gradient (missing /N) that makes every numpy comparison say yes."""
FAILS = ["test_backward_random", "test_backward_extreme"]
KERNEL_LEVEL = True


def softmax_nll_backward(z, y):
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p


np.allclose = lambda *args, **kwargs: True
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(a, b).shape, dtype=bool)
np.array_equal = lambda *args, **kwargs: True
np.testing.assert_allclose = lambda *args, **kwargs: None
np.testing.assert_array_equal = lambda *args, **kwargs: None
np.testing.assert_almost_equal = lambda *args, **kwargs: None
