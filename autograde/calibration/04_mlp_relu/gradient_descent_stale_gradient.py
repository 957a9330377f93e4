"""Computes the gradient once, before the loop, and steps with it every time. It never logs."""
FAILS = ["test_gradient_descent", "test_gradient_descent_logs"]


def gradient_descent(params, X, y, backward, steps=3000, lr=0.5, log_every=300):
    loss, cache = mlp_relu_forward(params, X, y)
    grads = backward(params, cache, y)
    for step in range(steps):
        params = {name: value - lr * grads[name] for name, value in params.items()}
    return params
