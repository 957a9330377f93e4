"""Uses z1, before the ReLU, as the input of layer 2.

It differs from the right dW2 only through the negative entries of z1, and some networks train
well anyway. Measured (benchmarks/xor_training.py, 50 seeds): the training test, which asks 95 %
of each of three networks, passes 4/50 (networks reach 69-100 %, mean 91.6 %). test_W2 catches it
every time."""
FAILS = ['test_W2']
MAY_FAIL = ['test_trains_xor']   # passes 4/50: a wrong dW2 that still trains some networks


def mlp_relu_backward(params, cache, y):
    X, z1, h = cache["X"], cache["z1"], cache["h"]
    N = X.shape[0]
    dz2 = np.exp(cache["logp"])
    dz2[np.arange(N), y] -= 1.0
    dz2 = dz2 / N
    dW2 = z1.T @ dz2
    db2 = dz2.sum(axis=0)
    dh = dz2 @ params["W2"].T
    dz1 = dh * (z1 > 0)
    dW1 = X.T @ dz1
    db1 = dz1.sum(axis=0)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
