"""A right loop that never prints a line: only the test of its log fails."""
FAILS = ["test_gradient_descent_logs"]


def gradient_descent(params, X, y, backward, steps=3000, lr=0.5, log_every=300):
    for step in range(steps):
        loss, cache = mlp_relu_forward(params, X, y)
        grads = backward(params, cache, y)
        params = {name: value - lr * grads[name] for name, value in params.items()}
    return params
