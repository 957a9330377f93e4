"""Logs with `step % log_every` and no test of log_every first: with log_every = 0 (no logging, as the loss curves
call it) it raises ZeroDivisionError. The tests of the loop pass log_every = 0 and fail; its log is right."""
FAILS = ["test_gradient_descent", "test_gradient_descent_unchanged"]


def gradient_descent(params, X, y, backward, steps=3000, lr=0.5, log_every=300):
    for step in range(steps):
        loss, cache = mlp_relu_forward(params, X, y)
        if step % log_every == 0:
            print(f"iter {step:<4} loss {loss:.4f} acc {np.mean(predict(params, X) == y):.3f}")
        grads = backward(params, cache, y)
        params = {name: value - lr * grads[name] for name, value in params.items()}
    loss, _ = mlp_relu_forward(params, X, y)
    print(f"final     loss {loss:.4f} acc {np.mean(predict(params, X) == y):.3f}")
    return params
