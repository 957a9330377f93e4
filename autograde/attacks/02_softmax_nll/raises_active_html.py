"""The gradient raises an exception whose class name and message are HTML with script (<script>, <img onerror>):
a verdict quotes them, and the feedback page's index prints the verdicts."""
FAILS = ["test_backward_random", "test_backward_extreme", "test_backward_unchanged"]


def softmax_nll_backward(z, y):
    kind = type('<img src=x onerror="window.BACKPROP_NINJA_PWNED=30">', (Exception,), {})
    raise kind('<script>window.BACKPROP_NINJA_PWNED=31</script><img src=x onerror="window.BACKPROP_NINJA_PWNED=32">')
