"""Normalises softmax over axis 0 (the batch) instead of axis 1 (the classes)."""
FAILS = ["test_softmax_random", "test_softmax_extreme"]


def softmax(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)
