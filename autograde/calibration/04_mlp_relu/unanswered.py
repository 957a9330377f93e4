"""Submits the release notebook untouched."""
FAILS = ["test_W1", "test_b1", "test_W2", "test_b2", "test_inputs_unchanged", "test_trains_xor"]


def mlp_relu_backward(params, cache, y):
    raise NotImplementedError()
