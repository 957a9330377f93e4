"""Correct, written with logsumexp by hand, one-hot matrices and float32 on the way."""
FAILS = []


def softmax(z):
    lse = np.log(np.exp(z - z.max(1)[:, None]).sum(1))[:, None] + z.max(1)[:, None]
    return np.exp(z - lse)


def nll_loss(z, y):
    Y = np.eye(z.shape[1])[y]
    m = z.max(axis=1, keepdims=True)
    logp = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
    return float(-(Y * logp).sum() / len(y))


def softmax_nll_backward(z, y):
    Y = np.eye(z.shape[1], dtype=np.float32)[y]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
    return (p - Y) / np.float32(len(y))
