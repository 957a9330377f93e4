"""Stabilises softmax with the max of the whole matrix instead of each row's (a public CS231n solution does this):
a row far below the others underflows to 0/0."""
FAILS = ["test_softmax_extreme"]


def softmax(z):
    e = np.exp(z - np.max(z))
    return e / np.sum(e, axis=1, keepdims=True)
