"""Right values and log, but updates the caller's params in place (params[name] -= ...)."""
FAILS = ["test_gradient_descent_unchanged"]


def gradient_descent(params, X, y, backward, steps=3000, lr=0.5, log_every=300):
    for step in range(steps):
        loss, cache = mlp_relu_forward(params, X, y)
        if log_every and step % log_every == 0:
            print(f"iter {step} loss {loss:.4f} acc {np.mean(predict(params, X) == y):.3f}")
        grads = backward(params, cache, y)
        for name in params:
            params[name] -= lr * grads[name]
    if log_every:
        print(f"final loss {mlp_relu_forward(params, X, y)[0]:.4f} acc {np.mean(predict(params, X) == y):.3f}")
    return params
