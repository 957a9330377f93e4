"""Layernorm's dx without the path through the variance."""
FAILS = ["test_layernorm_x"]


def layernorm_backward(dout, cache):
    xhat, std = cache["xhat"], cache["std"]
    D = xhat.shape[1]
    dxhat = dout * cache["gamma"]
    dx = (dxhat - dxhat.mean(axis=1, keepdims=True)) / std
    return {"x": dx, "gamma": (dout * xhat).sum(axis=0), "beta": dout.sum(axis=0)}
