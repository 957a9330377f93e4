"""Correct: works on a flattened copy and reshapes at the end."""
FAILS = []


def central_difference(f, x, eps=1e-5):
    flat = x.astype(float).ravel()
    out = []
    for i in range(flat.size):
        plus, minus = flat.copy(), flat.copy()
        plus[i] += eps
        minus[i] -= eps
        out.append((f(plus.reshape(x.shape)) - f(minus.reshape(x.shape))) / (2 * eps))
    return np.array(out).reshape(x.shape)
