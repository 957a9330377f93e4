"""Correct, the norms in Karpathy's one-expression form and the network reusing nothing but numpy."""
FAILS = []


def batchnorm_backward(dout, cache):
    n, bnvar_inv, bnraw = dout.shape[0], 1.0 / cache["std"], cache["xhat"]
    dx = cache["gamma"] * bnvar_inv / n * (n * dout - dout.sum(0) - bnraw * (dout * bnraw).sum(0))
    return {"x": dx, "gamma": (dout * bnraw).sum(0), "beta": dout.sum(0)}


def layernorm_backward(dout, cache):
    n, inv, raw = dout.shape[1], 1.0 / cache["std"], cache["xhat"]
    g = dout * cache["gamma"]
    dx = inv / n * (n * g - g.sum(1, keepdims=True) - raw * (g * raw).sum(1, keepdims=True))
    return {"x": dx, "gamma": (dout * raw).sum(0), "beta": dout.sum(0)}


def embedding_backward(dout, cache):
    V, E = cache["C"].shape
    onehot = np.eye(V)[cache["idx"].reshape(-1)]
    return {"C": onehot.T @ dout.reshape(-1, E)}


def mlp_bn_backward(params, cache, y):
    n = len(y)
    dlogits = np.exp(cache["logp"]) - np.eye(params["b2"].size)[y]
    dlogits /= n
    dhpre = (dlogits @ params["W2"].T) * (1 - cache["h"] ** 2)
    raw = cache["xhat"]
    dz1 = params["gamma"] / cache["std"] / n * (n * dhpre - dhpre.sum(0) - raw * (dhpre * raw).sum(0))
    embcat = cache["emb"].reshape(n, -1)
    dembcat = dz1 @ params["W1"].T
    V = params["C"].shape[0]
    dC = np.eye(V)[cache["X"].reshape(-1)].T @ dembcat.reshape(-1, params["C"].shape[1])
    return {"C": dC, "W1": embcat.T @ dz1, "gamma": (dhpre * raw).sum(0), "beta": dhpre.sum(0),
            "W2": cache["h"].T @ dlogits, "b2": dlogits.sum(0)}
