"""No derivation: central differences of the course's own forward pass (exact on small networks)."""
FAILS = ["test_W1", "test_b1", "test_W2", "test_b2", "test_W3", "test_b3"]
KERNEL_LEVEL = True


def mlp3_backward(params, cache, y):
    from backprop_ninja.gradcheck import numerical_gradient
    from backprop_ninja.nets import mlp3_forward

    work = {name: value.copy() for name, value in params.items()}
    loss = lambda: mlp3_forward(work, cache["X"], y)[0]
    return {name: numerical_gradient(loss, work[name]) for name in work}
