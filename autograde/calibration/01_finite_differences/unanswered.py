"""Submits the release notebook untouched."""
FAILS = ["test_central_difference_values", "test_central_difference_eps",
         "test_central_difference_unchanged"]


def central_difference(f, x, eps=1e-5):
    raise NotImplementedError()
