"""Sums the loss over the batch instead of taking the mean."""
FAILS = ["test_nll_random", "test_nll_extreme"]


def nll_loss(z, y):
    m = z.max(axis=1, keepdims=True)
    logp = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
    return -logp[np.arange(len(y)), y].sum()
