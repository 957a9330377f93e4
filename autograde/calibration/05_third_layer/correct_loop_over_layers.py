"""Correct, written as a loop over the layers."""
FAILS = []


def mlp3_backward(params, cache, y):
    dz = np.exp(cache["logp"])
    dz[np.arange(len(y)), y] -= 1
    dz = dz / len(y)
    grads = {}
    for i in (3, 2, 1):
        below = cache["X"] if i == 1 else cache[f"h{i - 1}"]
        grads[f"W{i}"], grads[f"b{i}"] = below.T @ dz, dz.sum(axis=0)
        if i > 1:
            dz = (dz @ params[f"W{i}"].T) * (1 - below ** 2)
    return grads
