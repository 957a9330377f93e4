"""No ReLU derivative: dz1 = dh, as if the activation were the identity.

Measured (benchmarks/xor_training.py, 50 seeds): the training test passes 0/50; the networks it
trains reach 56-93 % of XOR over the square (mean 73 %), never the 95 % the test asks of each of three."""
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
    dz1 = dh
    dW1 = X.T @ dz1
    db1 = dz1.sum(axis=0)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
