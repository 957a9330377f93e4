"""Exponentiates the raw logits: overflows to inf/NaN for logits of magnitude 1000."""
FAILS = ["test_softmax_extreme", "test_nll_extreme", "test_backward_extreme"]


def softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def nll_loss(z, y):
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    return -np.mean(np.log(p[np.arange(len(y)), y]))


def softmax_nll_backward(z, y):
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p / len(y)
