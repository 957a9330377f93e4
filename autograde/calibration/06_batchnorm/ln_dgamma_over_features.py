"""Layernorm's dgamma and dbeta summed over axis 1, the features, as if they followed the normalisation's axis."""
FAILS = ["test_layernorm_gamma", "test_layernorm_beta"]


def layernorm_backward(dout, cache):
    xhat, std = cache["xhat"], cache["std"]
    D = xhat.shape[1]
    dxhat = dout * cache["gamma"]
    dx = (D * dxhat - dxhat.sum(axis=1, keepdims=True) - xhat * (dxhat * xhat).sum(axis=1, keepdims=True)) / (D * std)
    return {"x": dx, "gamma": (dout * xhat).sum(axis=1), "beta": dout.sum(axis=1)}
