"""Multiplies by z1 instead of the 0/1 mask.

It passes the training test, and must: z1 > 0 exactly where the mask is 1, so each hidden unit's
gradient is the right one scaled by a positive number, still a direction in which the loss falls.
Measured (benchmarks/xor_training.py): 60/60 networks reach 96-100 %. The per-tensor tests catch it."""
FAILS = ['test_W1', 'test_b1']


def mlp_relu_backward(params, cache, y):
    X, z1, h = cache["X"], cache["z1"], cache["h"]
    N = X.shape[0]
    dz2 = np.exp(cache["logp"])
    dz2[np.arange(N), y] -= 1.0
    dz2 = dz2 / N
    dW2 = h.T @ dz2
    db2 = dz2.sum(axis=0)
    dh = dz2 @ params["W2"].T
    dz1 = dh * np.maximum(z1, 0)
    dW1 = X.T @ dz1
    db1 = dz1.sum(axis=0)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
