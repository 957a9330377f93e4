"""Divides every weight gradient by N again: the weights learn N times too slowly.

Measured (benchmarks/xor_training.py, 50 seeds): the training test passes 0/50; the networks it
trains reach 57-96 % (mean 86 %), and the test asks 95 % of each of three."""
FAILS = ['test_W1', 'test_W2', 'test_trains_xor']


def mlp_relu_backward(params, cache, y):
    X, z1, h = cache["X"], cache["z1"], cache["h"]
    N = X.shape[0]
    dz2 = np.exp(cache["logp"])
    dz2[np.arange(N), y] -= 1.0
    dz2 = dz2 / N
    dW2 = h.T @ dz2 / N
    db2 = dz2.sum(axis=0)
    dh = dz2 @ params["W2"].T
    dz1 = dh * (z1 > 0)
    dW1 = X.T @ dz1 / N
    db1 = dz1.sum(axis=0)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
