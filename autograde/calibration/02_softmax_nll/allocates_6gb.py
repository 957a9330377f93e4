"""softmax asks for 6 GB: the kernel's memory cap turns it into a MemoryError, the machine survives."""
FAILS = ["test_softmax_random", "test_softmax_extreme", "test_softmax_unchanged"]
KERNEL_LEVEL = True


def softmax(z):
    scratch = np.ones(6 * 1024**3 // 8)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True) + 0 * scratch[0]
