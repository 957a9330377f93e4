"""Submits the release notebook untouched."""
FAILS = ["test_W1", "test_b1", "test_W2", "test_b2", "test_inputs_unchanged",
         "test_gradient_descent", "test_gradient_descent_unchanged", "test_gradient_descent_logs",
         "test_trains_xor"]


def trace_by_hand():
    raise NotImplementedError()


def mlp_relu_backward(params, cache, y):
    raise NotImplementedError()


def gradient_descent(params, X, y, backward, steps=3000, lr=0.5, log_every=300):
    raise NotImplementedError()
