"""A wrong loss (a sum) that replaces the grader's helper and silences IPython's error display.

No answer reaches the referee from then on, so every later test fails, the right ones too."""
FAILS = ["test_nll_random", "test_nll_extreme", "test_nll_unchanged",
         "test_backward_random", "test_backward_extreme", "test_backward_unchanged"]
KERNEL_LEVEL = True


def nll_loss(z, y):
    m = z.max(axis=1, keepdims=True)
    logp = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
    return -logp[np.arange(len(y)), y].sum()


try:
    import ninja_runner
    ninja_runner.hidden_test = lambda *args, **kwargs: None
except ImportError:
    pass
get_ipython().showtraceback = lambda *args, **kwargs: None
get_ipython()._showtraceback = lambda *args, **kwargs: None
