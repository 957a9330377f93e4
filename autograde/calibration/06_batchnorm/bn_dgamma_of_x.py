"""dgamma multiplies dout by x instead of the normalised xhat."""
FAILS = ["test_batchnorm_gamma"]


def batchnorm_backward(dout, cache):
    xhat, std = cache["xhat"], cache["std"]
    N = xhat.shape[0]
    dxhat = dout * cache["gamma"]
    dx = (N * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0)) / (N * std)
    return {"x": dx, "gamma": (dout * cache["x"]).sum(axis=0), "beta": dout.sum(axis=0)}
