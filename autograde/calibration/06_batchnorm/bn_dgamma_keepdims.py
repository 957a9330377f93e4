"""makemore's style: dgamma and dbeta summed with keepdims=True, of shape (1, D) where gamma is (D,)."""
FAILS = ["test_batchnorm_gamma", "test_batchnorm_beta"]


def batchnorm_backward(dout, cache):
    xhat, std = cache["xhat"], cache["std"]
    N = xhat.shape[0]
    dxhat = dout * cache["gamma"]
    dx = (N * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0)) / (N * std)
    return {"x": dx, "gamma": (dout * xhat).sum(axis=0, keepdims=True), "beta": dout.sum(axis=0, keepdims=True)}
