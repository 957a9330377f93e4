"""Submits the release notebook untouched."""
FAILS = ["test_W1", "test_b1", "test_W2", "test_b2", "test_W3", "test_b3", "test_inputs_unchanged"]


def mlp3_backward(params, cache, y):
    raise NotImplementedError()
