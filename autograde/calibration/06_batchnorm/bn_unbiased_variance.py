"""Karpathy's formula for the unbiased variance (n − 1) copied into a course that normalises with 1/n."""
FAILS = ["test_batchnorm_x"]


def batchnorm_backward(dout, cache):
    n, bnvar_inv, bnraw = dout.shape[0], 1.0 / cache["std"], cache["xhat"]
    dx = cache["gamma"] * bnvar_inv / n * (n * dout - dout.sum(0) - n / (n - 1) * bnraw * (dout * bnraw).sum(0))
    return {"x": dx, "gamma": (dout * bnraw).sum(0), "beta": dout.sum(0)}
