"""A right loop whose log lines show the loss and accuracy after the step's update, not before it (so its
`iter 0` is not the network it was given): only the test of its log fails."""
FAILS = ["test_gradient_descent_logs"]


def gradient_descent(params, X, y, backward, steps=3000, lr=0.5, log_every=300):
    for step in range(steps):
        loss, cache = mlp_relu_forward(params, X, y)
        grads = backward(params, cache, y)
        params = {name: value - lr * grads[name] for name, value in params.items()}
        if log_every and step % log_every == 0:
            loss, _ = mlp_relu_forward(params, X, y)
            print(f"iter {step:<4} loss {loss:.4f} acc {np.mean(predict(params, X) == y):.3f}")
    if log_every:
        loss, _ = mlp_relu_forward(params, X, y)
        print(f"final     loss {loss:.4f} acc {np.mean(predict(params, X) == y):.3f}")
    return params
