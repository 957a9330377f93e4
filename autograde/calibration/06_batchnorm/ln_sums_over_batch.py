"""Layernorm's dx copied from batchnorm: the sums run over the batch, axis 0."""
FAILS = ["test_layernorm_x"]


def layernorm_backward(dout, cache):
    xhat, std = cache["xhat"], cache["std"]
    N = xhat.shape[0]
    dxhat = dout * cache["gamma"]
    dx = (N * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0)) / (N * std)
    return {"x": dx, "gamma": (dout * xhat).sum(axis=0), "beta": dout.sum(axis=0)}
