"""Forgot the 1/N in the gradient."""


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def nll_loss(z, y):
    m = z.max(axis=1, keepdims=True)
    logp = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
    return -logp[np.arange(len(y)), y].mean()


def softmax_nll_backward(z, y):
    p = softmax(z)
    p[np.arange(len(y)), y] -= 1
    return p
