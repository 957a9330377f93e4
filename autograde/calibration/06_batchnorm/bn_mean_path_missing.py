"""Batchnorm's dx without the path through the mean: dx = dxhat/std + dvar·2(x − mu)/N."""
FAILS = ["test_batchnorm_x"]


def batchnorm_backward(dout, cache):
    x, mu, std, xhat = cache["x"], cache["mu"], cache["std"], cache["xhat"]
    N = x.shape[0]
    dxhat = dout * cache["gamma"]
    dvar = (dxhat * (x - mu)).sum(axis=0) * -0.5 * std ** -3
    dx = dxhat / std + dvar * 2 * (x - mu) / N
    return {"x": dx, "gamma": (dout * xhat).sum(axis=0), "beta": dout.sum(axis=0)}
