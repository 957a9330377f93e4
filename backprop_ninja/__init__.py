"""Backprop Ninja: derive the backward pass by hand; the lab assistant checks it.

    from backprop_ninja import check_gradients
    report = check_gradients(loss_fn, params, grads)

    from backprop_ninja import check_backward          # the course's networks, with the named mistakes
    check_backward(backward, "mlp_tanh", params, X, y)   # backward(params, cache, y): your backward pass
    check_layer(layer_backward, batchnorm_forward, {"x": x, "gamma": gamma, "beta": beta}, dout)

    from backprop_ninja import first_wrong_line        # each line on its own: which one holds the mistake
    first_wrong_line(backward, "mlp_tanh", params, X, y)
"""

from .gradcheck import check_gradients, Report
from .assistant import check_backward, check_layer
from .lines import first_wrong_line

__all__ = ["check_gradients", "check_backward", "check_layer", "first_wrong_line", "Report"]
__version__ = "0.1.0"
