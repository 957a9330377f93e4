"""Multiplies by z1 instead of the 0/1 mask.

A wrong gradient that still points downhill: z1 > 0 exactly where the mask is 1, so each hidden
unit's gradient is the right one scaled by a positive number, and the network trains, only more
slowly. Measured (benchmarks/xor_training.py, 50 seeds): its networks train to 93.5-100 % (mean
99.0 %, 49 tests of 50 would pass on training alone), but the training test also asks dW1 on the
large network, which is wrong here: the test fails every time, as the per-tensor tests do."""
FAILS = ['test_W1', 'test_b1', 'test_trains_xor']


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
