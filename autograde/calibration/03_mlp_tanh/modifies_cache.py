"""Right values, but exponentiates cache['logp'] in place."""
FAILS = ['test_inputs_unchanged']


def mlp_tanh_backward(params, cache, y):
    X, h, logp = cache["X"], cache["h"], cache["logp"]
    N = X.shape[0]
    dz2 = np.exp(logp, out=logp)
    dz2[np.arange(N), y] -= 1.0
    dz2 = dz2 / N
    dW2 = h.T @ dz2
    db2 = dz2.sum(axis=0)
    dh = dz2 @ params["W2"].T
    dz1 = dh * (1.0 - h ** 2)
    dW1 = X.T @ dz1
    db1 = dz1.sum(axis=0)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
