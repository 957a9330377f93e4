"""Batchnorm's dx with the normalisation's sums over axis 1, the features (layernorm's axis)."""
FAILS = ["test_batchnorm_x"]


def batchnorm_backward(dout, cache):
    xhat, std = cache["xhat"], cache["std"]
    n = xhat.shape[1]
    dxhat = dout * cache["gamma"]
    dx = (n * dxhat - dxhat.sum(axis=1, keepdims=True) - xhat * (dxhat * xhat).sum(axis=1, keepdims=True)) / (n * std)
    return {"x": dx, "gamma": (dout * xhat).sum(axis=0), "beta": dout.sum(axis=0)}
