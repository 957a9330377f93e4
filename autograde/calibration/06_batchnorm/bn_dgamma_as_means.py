"""dgamma and dbeta as means over the batch instead of sums."""
FAILS = ["test_batchnorm_gamma", "test_batchnorm_beta"]


def batchnorm_backward(dout, cache):
    xhat, std = cache["xhat"], cache["std"]
    N = xhat.shape[0]
    dxhat = dout * cache["gamma"]
    dx = (N * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0)) / (N * std)
    return {"x": dx, "gamma": (dout * xhat).mean(axis=0), "beta": dout.mean(axis=0)}
