"""The network's tanh derivative left out: dbn = dh, not dh · (1 − h²)."""
FAILS = ["test_mlp_C", "test_mlp_W1", "test_mlp_gamma", "test_mlp_beta"]
MAY_FAIL = ["test_trains"]


def mlp_bn_backward(params, cache, y):
    X, emb, xhat, std, h = cache["X"], cache["emb"], cache["xhat"], cache["std"], cache["h"]
    N = X.shape[0]
    dz2 = np.exp(cache["logp"])
    dz2[np.arange(N), y] -= 1.0
    dz2 /= N
    dbn = dz2 @ params["W2"].T
    dxhat = dbn * params["gamma"]
    dz1 = (N * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0)) / (N * std)
    demb = (dz1 @ params["W1"].T).reshape(emb.shape)
    dC = np.zeros_like(params["C"])
    np.add.at(dC, X, demb)
    return {"C": dC, "W1": emb.reshape(N, -1).T @ dz1, "gamma": (dbn * xhat).sum(axis=0),
            "beta": dbn.sum(axis=0), "W2": h.T @ dz2, "b2": dz2.sum(axis=0)}
