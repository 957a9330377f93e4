"""Uses z1, before the ReLU, as the input of layer 2.

It differs from the right dW2 only through the negative entries of z1, and some networks train
well anyway: a single network reaches 95 % on XOR in 24 runs of 60 (0.4), so the training test,
three networks in a row, passes about 0.4³ ≈ 6 % of the time (benchmarks/xor_training.py). test_W2
catches it every time."""
FAILS = ['test_W2']
MAY_FAIL = ['test_trains_xor']   # measured pass rate in the docstring


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
