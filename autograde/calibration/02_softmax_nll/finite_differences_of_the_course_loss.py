"""No derivation: central differences of the course's own loss in the logits. Exact on the small tests; out of
time on the 256 × 4,096 logits that each backward test but the inputs' also calls."""
FAILS = ["test_backward_random", "test_backward_extreme"]
KERNEL_LEVEL = True


def softmax_nll_backward(z, y):
    from backprop_ninja import nets
    from backprop_ninja.gradcheck import numerical_gradient

    z = np.array(z, dtype=np.float64)
    return numerical_gradient(lambda: nets.nll(nets.log_softmax(z), y), z)
