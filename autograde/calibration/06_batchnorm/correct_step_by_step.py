"""Correct, every function step by step: the three paths into x written out as in the derivation."""
FAILS = []


def batchnorm_backward(dout, cache):
    x, mu, var, std, xhat, gamma = (cache[k] for k in ("x", "mu", "var", "std", "xhat", "gamma"))
    N = x.shape[0]
    dgamma = (dout * xhat).sum(axis=0)
    dbeta = dout.sum(axis=0)
    dxhat = dout * gamma
    dvar = (dxhat * (x - mu)).sum(axis=0, keepdims=True) * -0.5 * std ** -3
    dmu = -dxhat.sum(axis=0, keepdims=True) / std + dvar * -2.0 * (x - mu).mean(axis=0, keepdims=True)
    dx = dxhat / std + dvar * 2.0 * (x - mu) / N + dmu / N
    return {"x": dx, "gamma": dgamma, "beta": dbeta}


def layernorm_backward(dout, cache):
    x, mu, var, std, xhat, gamma = (cache[k] for k in ("x", "mu", "var", "std", "xhat", "gamma"))
    D = x.shape[1]
    dgamma = (dout * xhat).sum(axis=0)
    dbeta = dout.sum(axis=0)
    dxhat = dout * gamma
    dvar = (dxhat * (x - mu)).sum(axis=1, keepdims=True) * -0.5 * std ** -3
    dmu = -dxhat.sum(axis=1, keepdims=True) / std + dvar * -2.0 * (x - mu).mean(axis=1, keepdims=True)
    dx = dxhat / std + dvar * 2.0 * (x - mu) / D + dmu / D
    return {"x": dx, "gamma": dgamma, "beta": dbeta}


def embedding_backward(dout, cache):
    idx, C = cache["idx"], cache["C"]
    dC = np.zeros(C.shape)
    np.add.at(dC, idx.reshape(-1), dout.reshape(-1, C.shape[1]))
    return {"C": dC}


def mlp_bn_backward(params, cache, y):
    X, emb, z1, mu, std, h = (cache[k] for k in ("X", "emb", "z1", "mu", "std", "h"))
    N = len(y)
    p = np.exp(cache["logp"])
    Y = np.zeros_like(p)
    Y[np.arange(N), y] = 1.0
    dz2 = (p - Y) / N
    dW2 = h.T @ dz2
    db2 = dz2.sum(axis=0)
    dh = dz2 @ params["W2"].T
    dbn = dh * (1.0 - h ** 2)
    dgamma = (dbn * cache["xhat"]).sum(axis=0)
    dbeta = dbn.sum(axis=0)
    dxhat = dbn * params["gamma"]
    dvar = (dxhat * (z1 - mu)).sum(axis=0, keepdims=True) * -0.5 * std ** -3
    dmu = -dxhat.sum(axis=0, keepdims=True) / std
    dz1 = dxhat / std + dvar * 2.0 * (z1 - mu) / N + dmu / N
    x = emb.reshape(N, -1)
    dW1 = x.T @ dz1
    demb = (dz1 @ params["W1"].T).reshape(emb.shape)
    dC = np.zeros_like(params["C"])
    np.add.at(dC, X, demb)
    return {"C": dC, "W1": dW1, "gamma": dgamma, "beta": dbeta, "W2": dW2, "b2": db2}
