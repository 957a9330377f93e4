"""softmax never returns on large logits: each cell that calls it so times out, the rest is graded."""
FAILS = ["test_softmax_extreme"]
KERNEL_LEVEL = True


def softmax(z):
    while np.abs(z).max() > 100:
        pass
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
