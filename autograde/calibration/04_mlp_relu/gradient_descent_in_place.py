"""Right values, but updates the caller's params in place (params[name] -= ...)."""
FAILS = ["test_gradient_descent_unchanged"]


def gradient_descent(params, X, y, backward, steps=3000, lr=0.5, log_every=300):
    for step in range(steps):
        loss, cache = mlp_relu_forward(params, X, y)
        grads = backward(params, cache, y)
        for name in params:
            params[name] -= lr * grads[name]
    return params
