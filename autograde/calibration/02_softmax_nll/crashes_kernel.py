"""nll_loss ends the kernel with os._exit: that cell and every later test are lost, nothing before."""
FAILS = ["test_nll_random", "test_nll_extreme", "test_nll_unchanged",
         "test_backward_random", "test_backward_extreme", "test_backward_unchanged"]
KERNEL_LEVEL = True


def nll_loss(z, y):
    import os
    os._exit(1)
