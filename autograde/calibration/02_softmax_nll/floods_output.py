"""Correct, but prints 200 000 lines: full marks, and the output is capped in the gradebook and feedback."""
FAILS = []
KERNEL_LEVEL = True


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


for i in range(200_000):
    print("debugging line", i)
