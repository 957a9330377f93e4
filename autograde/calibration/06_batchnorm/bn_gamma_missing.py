"""Batchnorm's dx forgets gamma: dxhat = dout."""
FAILS = ["test_batchnorm_x"]


def batchnorm_backward(dout, cache):
    xhat, std = cache["xhat"], cache["std"]
    N = xhat.shape[0]
    dx = (N * dout - dout.sum(axis=0) - xhat * (dout * xhat).sum(axis=0)) / (N * std)
    return {"x": dx, "gamma": (dout * xhat).sum(axis=0), "beta": dout.sum(axis=0)}
