"""Right values, but exponentiates cache['logp'] in place."""
FAILS = ['test_inputs_unchanged']


def mlp3_backward(params, cache, y):
    X, h1, h2 = cache["X"], cache["h1"], cache["h2"]
    N = X.shape[0]
    dz3 = np.exp(cache["logp"], out=cache["logp"])
    dz3[np.arange(N), y] -= 1.0
    dz3 = dz3 / N
    dz2 = (dz3 @ params["W3"].T) * (1.0 - h2 ** 2)
    dz1 = (dz2 @ params["W2"].T) * (1.0 - h1 ** 2)
    dW3 = h2.T @ dz3
    db3 = dz3.sum(axis=0)
    dW2 = h1.T @ dz2
    db2 = dz2.sum(axis=0)
    dW1 = X.T @ dz1
    db1 = dz1.sum(axis=0)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2, "W3": dW3, "b3": db3}
