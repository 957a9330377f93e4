"""No derivation: a hand-written forward pass and central differences, parameter by parameter."""
FAILS = ["test_W1", "test_b1", "test_W2", "test_b2"]
KERNEL_LEVEL = True


def mlp_tanh_backward(params, cache, y):
    def loss(p):
        h = cache["X"]
        for i in range(1, 3):
            z = h @ p[f"W{i}"] + p[f"b{i}"]
            h = np.tanh(z) if i < 2 else z
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
