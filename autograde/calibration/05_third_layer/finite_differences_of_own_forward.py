"""No derivation: a hand-written forward pass and central differences, parameter by parameter."""
FAILS = ["test_W1", "test_b1", "test_W2", "test_b2", "test_W3", "test_b3"]
KERNEL_LEVEL = True


def mlp3_backward(params, cache, y):
    def loss(p):
        h = cache["X"]
        for i in range(1, 4):
            z = h @ p[f"W{i}"] + p[f"b{i}"]
            h = np.tanh(z) if i < 3 else z
        z = h - h.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return -logp[np.arange(len(y)), y].mean()

    p = {name: value.copy() for name, value in params.items()}
    grads = {}
    for name, value in p.items():
        grads[name] = np.zeros_like(value)
        for i in np.ndindex(value.shape):
            old = value[i]
            value[i] = old + 1e-6
            up = loss(p)
            value[i] = old - 1e-6
            down = loss(p)
            value[i] = old
            grads[name][i] = (up - down) / 2e-6
    return grads
