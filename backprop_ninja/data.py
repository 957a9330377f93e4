"""Small data sets of the lessons, all made here from a seed (nothing is downloaded)."""

import numpy as np

from .nets import init_params


def seed_network(seed=0):
    """The lesson's network: N=4 examples, D=3 inputs, H=5 tanh units, K=3 classes.

    Returns params (W1 b1 W2 b2), X (4, 3) and y (4,)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((4, 3))
    y = np.array([0, 2, 1, 2])
    return init_params([3, 5, 3], seed=seed + 1), X, y


def classification(N, sizes, seed=0):
    """Random inputs and labels for an MLP of layer sizes [D, ..., K]."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, sizes[0]))
    y = rng.integers(0, sizes[-1], size=N)
    return init_params(sizes, seed=seed + 1), X, y


def xor(n=200, seed=0):
    """n points spread uniformly over the square [-1, 1]²; the label is 1 where the signs differ.

    Points come right up to the axes, where the label flips, so a network must place its
    boundaries precisely: a wrong backward pass that still lowers the loss shows here."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    y = ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(int)
    return X, y


def sequences(n, vocab=8, context=3, noise=0.2, seed=0):
    """A tiny language of tokens 0 … vocab−1 and the next-token task of lesson 06.

    One long sequence: each token is the sum of the two before it, modulo vocab, except that with
    probability `noise` it is a token drawn uniformly at random. Returns X (n, context), the
    windows of `context` tokens, and y (n,), the token that follows each window."""
    rng = np.random.default_rng(seed)
    s = [int(t) for t in rng.integers(0, vocab, size=context)]
    while len(s) < n + context:
        s.append(int(rng.integers(vocab)) if rng.random() < noise else (s[-1] + s[-2]) % vocab)
    s = np.array(s)
    X = np.lib.stride_tricks.sliding_window_view(s[:-1], context)[:n].copy()
    return X, s[context:]


def logits(rng, N, K, extreme=False):
    """Logits z (N, K), N >= 2: normal, or extreme: entries of ±1000, one row wholly near -1000 and
    another with an entry near +1000. Shifted by the max of the whole matrix instead of each row's,
    that low row's exponentials all underflow to 0: the mistake fails on every draw, not by luck."""
    z = rng.normal(0.0, 3.0, (N, K))
    if extreme:
        z = rng.choice([-1000.0, 1000.0], size=(N, K)) + rng.normal(0.0, 1.0, (N, K))
        low, high = rng.choice(N, size=2, replace=False)
        z[low] = -1000.0 + rng.normal(0.0, 1.0, K)
        z[high, rng.integers(K)] = 1000.0 + rng.normal()
    return z
