"""Right values, but scales dout by gamma in place, changing the caller's array."""
FAILS = ["test_batchnorm_unchanged"]


def batchnorm_backward(dout, cache):
    xhat, std = cache["xhat"], cache["std"]
    N = xhat.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dout *= cache["gamma"]
    dx = (N * dout - dout.sum(axis=0) - xhat * (dout * xhat).sum(axis=0)) / (N * std)
    return {"x": dx, "gamma": dgamma, "beta": dbeta}
