"""The gradient loops for ever and swallows the interrupt that ends a timed-out cell: the kernel
stays stuck, so that cell and every later one are lost, and grading moves on at once."""
FAILS = ["test_backward_random", "test_backward_extreme", "test_backward_unchanged"]
KERNEL_LEVEL = True


def softmax_nll_backward(z, y):
    while True:
        try:
            while True:
                pass
        except KeyboardInterrupt:
            continue
