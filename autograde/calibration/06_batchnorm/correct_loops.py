"""Correct, with explicit loops: over the features (batchnorm), the examples (layernorm) and the tokens."""
FAILS = []


def batchnorm_backward(dout, cache):
    N, D = dout.shape
    dx, dgamma, dbeta = np.zeros((N, D)), np.zeros(D), np.zeros(D)
    for d in range(D):
        g, xh, s = dout[:, d] * cache["gamma"][d], cache["xhat"][:, d], cache["std"][0, d]
        dx[:, d] = (N * g - g.sum() - xh * np.dot(g, xh)) / (N * s)
        dgamma[d] = np.dot(dout[:, d], xh)
        dbeta[d] = dout[:, d].sum()
    return {"x": dx, "gamma": dgamma, "beta": dbeta}


def layernorm_backward(dout, cache):
    N, D = dout.shape
    dx = np.zeros((N, D))
    for i in range(N):
        g, xh, s = dout[i] * cache["gamma"], cache["xhat"][i], cache["std"][i, 0]
        dx[i] = (D * g - g.sum() - xh * np.dot(g, xh)) / (D * s)
    return {"x": dx, "gamma": (dout * cache["xhat"]).sum(axis=0), "beta": dout.sum(axis=0)}


def embedding_backward(dout, cache):
    dC = np.zeros_like(cache["C"])
    for position in np.ndindex(cache["idx"].shape):
        dC[cache["idx"][position]] += dout[position]
    return {"C": dC}


def mlp_bn_backward(params, cache, y):
    X, emb, xhat, std, h = cache["X"], cache["emb"], cache["xhat"], cache["std"], cache["h"]
    N, T = X.shape
    dz2 = np.exp(cache["logp"])
    for i in range(N):
        dz2[i, y[i]] -= 1.0
    dz2 /= N
    dbn = (dz2 @ params["W2"].T) * (1.0 - h ** 2)
    dxhat = dbn * params["gamma"]
    dz1 = (N * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0)) / (N * std)
    demb = (dz1 @ params["W1"].T).reshape(emb.shape)
    dC = np.zeros_like(params["C"])
    for i in range(N):
        for t in range(T):
            dC[X[i, t]] += demb[i, t]
    return {"C": dC, "W1": emb.reshape(N, -1).T @ dz1, "gamma": (dbn * xhat).sum(axis=0),
            "beta": dbn.sum(axis=0), "W2": h.T @ dz2, "b2": dz2.sum(axis=0)}
