"""Correct, written with explicit loops instead of vectorised numpy."""
FAILS = []


def softmax(z):
    out = np.empty_like(z, dtype=float)
    for i in range(z.shape[0]):
        m = max(z[i])
        e = [np.exp(v - m) for v in z[i]]
        s = sum(e)
        for k in range(z.shape[1]):
            out[i, k] = e[k] / s
    return out


def nll_loss(z, y):
    total = 0.0
    for i in range(len(y)):
        m = np.max(z[i])
        total += -(z[i, y[i]] - m - np.log(np.sum(np.exp(z[i] - m))))
    return total / len(y)


def softmax_nll_backward(z, y):
    N, K = z.shape
    dz = np.zeros((N, K))
    for i in range(N):
        e = np.exp(z[i] - z[i].max())
        for k in range(K):
            dz[i, k] = (e[k] / e.sum() - (1.0 if k == y[i] else 0.0)) / N
    return dz
