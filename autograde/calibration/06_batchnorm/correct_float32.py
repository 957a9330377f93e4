"""Correct, batchnorm and layernorm computed in float32 (as a GPU would), the rest left to the solution."""
FAILS = []


def batchnorm_backward(dout, cache):
    dout, xhat, std = (np.asarray(a, dtype=np.float32) for a in (dout, cache["xhat"], cache["std"]))
    n, dxhat = dout.shape[0], dout * np.asarray(cache["gamma"], dtype=np.float32)
    dx = (n * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0)) / (n * std)
    return {"x": dx, "gamma": (dout * xhat).sum(axis=0), "beta": dout.sum(axis=0)}


def layernorm_backward(dout, cache):
    dout, xhat, std = (np.asarray(a, dtype=np.float32) for a in (dout, cache["xhat"], cache["std"]))
    D, dxhat = dout.shape[1], dout * np.asarray(cache["gamma"], dtype=np.float32)
    dx = (D * dxhat - dxhat.sum(axis=1, keepdims=True) - xhat * (dxhat * xhat).sum(axis=1, keepdims=True)) / (D * std)
    return {"x": dx, "gamma": (dout * xhat).sum(axis=0), "beta": dout.sum(axis=0)}
