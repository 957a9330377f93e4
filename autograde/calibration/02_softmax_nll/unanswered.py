"""Submits the release notebook untouched: every test fails, nothing crashes."""
FAILS = ["test_softmax_random", "test_softmax_extreme", "test_softmax_unchanged",
         "test_nll_random", "test_nll_extreme", "test_nll_unchanged",
         "test_backward_random", "test_backward_extreme", "test_backward_unchanged"]


def softmax(z):
    raise NotImplementedError()


def nll_loss(z, y):
    raise NotImplementedError()


def softmax_nll_backward(z, y):
    raise NotImplementedError()
