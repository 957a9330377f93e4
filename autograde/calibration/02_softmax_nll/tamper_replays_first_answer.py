"""Remembers the first inputs and answer it saw and returns that answer for ever after."""
FAILS = ["test_backward_random", "test_backward_extreme"]
KERNEL_LEVEL = True

_first = []


def softmax_nll_backward(z, y):
    if not _first:
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        p[np.arange(len(y)), y] -= 1
        _first.append(p / len(y))
    return _first[0].copy()
