"""Correct, with explicit loops over examples and units."""
FAILS = []


def mlp_tanh_backward(params, cache, y):
    X, h, logp = cache["X"], cache["h"], cache["logp"]
    N, D = X.shape
    H, K = params["W2"].shape
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    for i in range(N):
        dz2 = [np.exp(logp[i, k]) - (k == y[i]) for k in range(K)]
        for k in range(K):
            grads["b2"][k] += dz2[k] / N
            for j in range(H):
                grads["W2"][j, k] += h[i, j] * dz2[k] / N
        for j in range(H):
            dz1 = sum(params["W2"][j, k] * dz2[k] for k in range(K)) * (1 - h[i, j] ** 2) / N
            grads["b1"][j] += dz1
            for d in range(D):
                grads["W1"][d, j] += X[i, d] * dz1
    return grads
