"""Layernorm's backward pass written from batchnorm's with N where D belongs: the means run over the features."""
FAILS = ["test_layernorm_x"]


def layernorm_backward(dout, cache):
    xhat, std = cache["xhat"], cache["std"]
    N = xhat.shape[0]
    dxhat = dout * cache["gamma"]
    dx = (N * dxhat - dxhat.sum(axis=1, keepdims=True)
          - xhat * (dxhat * xhat).sum(axis=1, keepdims=True)) / (N * std)
    return {"x": dx, "gamma": (dout * xhat).sum(axis=0), "beta": dout.sum(axis=0)}
