"""The lab assistant for the course's networks and layers (the general one is `gradcheck.check_gradients`).

    check_backward(backward, "mlp_tanh", params, X, y)   # your backward pass of a course network: the whole table
    check_layer(layer_backward, batchnorm_forward, {"x": x, "gamma": gamma, "beta": beta}, dout)   # one layer

and the two rules a backward pass is held to besides its values: `check_shapes` (a gradient per
parameter, shaped like it) and `changed_arrays` (which inputs it modified), which the grader applies too.
"""

import copy

import numpy as np

from . import lines, nets
from .diagnose import diagnose
from .gradcheck import Report, TensorCheck, backwards, check_gradients


def _same(before, after):
    return isinstance(after, np.ndarray) and before.shape == after.shape and bool((before == after).all())


def changed_arrays(before, after, path=""):
    """The names (x, params['W1']) of the arrays in `before` (nested dicts) that `after` does not hold unchanged."""
    if isinstance(before, dict):
        after = after if isinstance(after, dict) else {}
        return [name for key in before
                for name in changed_arrays(before[key], after.get(key), f"{path}[{key!r}]" if path else key)]
    return [] if _same(np.asarray(before), after) else [path]


def check_shapes(grads, params):
    """Raise a ValueError naming the first gradient that is missing or shaped unlike its parameter."""
    for name in backwards(params):
        if not isinstance(grads, dict) or name not in grads:
            raise ValueError(f"the backward pass returned no gradient for {name}: return a dict with the keys of params")
        shape = np.shape(grads[name])
        if shape != params[name].shape:
            hint = diagnose(np.zeros(shape), np.zeros(params[name].shape))
            raise ValueError(f"d{name} has shape {shape}, but {name} has shape {params[name].shape} ({hint})")


def check_backward(backward_fn, network_name, params, X, y, intermediates=None):
    """The lab assistant for a course network: every tensor of backward_fn's answer against finite differences.

    `network_name` is one of "mlp_tanh", "mlp_relu", "mlp3", "deep_tanh", "mlp_bn". Rows run from the
    loss backwards: the gradients of the parameters and of any intermediates (dz2, dh, dz1, …) that
    backward_fn returns in its dict, or that are passed in `intermediates`, each measured by perturbing
    that intermediate and recomputing the rest of the forward pass (`lines.Graph`). A wrong tensor is
    named with the mistakes the grader knows for this network. To find the line that holds a mistake
    rather than every tensor it reaches, see `first_wrong_line`."""
    params, graph, answer = lines.answer_of(backward_fn, network_name, params, X, y, intermediates)
    named, rng = lines.Named(network_name, params, X, y), np.random.default_rng(0)
    keys = [(name, lines.grad_key(name, params)) for name, _ in graph.lines()]
    return Report([lines.check_whole(graph, name, key, answer.get(key), named, rng)
                   for name, key in keys if key in params or key in answer])


def check_layer(backward_fn, forward, inputs, dout, *fixed):
    """The lab assistant for one layer: backward_fn(dout, cache) against finite differences of Σ out ⊙ dout.

    `forward(*fixed, **inputs)` returns (out, cache), as lesson 06's layers do; the gradients are taken by
    the arrays of `inputs` ({"x", "gamma", "beta"} for a norm, {"C"} for an embedding, whose idx is fixed).
    One row per input, then a row "inputs unchanged": whether backward_fn left dout and the cache as it
    found them."""
    inputs = {k: np.array(v, dtype=np.float64) for k, v in inputs.items()}
    _, cache = forward(*fixed, **inputs)
    before = copy.deepcopy({"dout": dout, **cache})
    grads = backward_fn(dout, cache)
    report = check_gradients(nets.layer_loss(forward, dout, *fixed), inputs, grads if isinstance(grads, dict) else {})
    changed = changed_arrays(before, {"dout": dout, **cache})
    report.rows.append(TensorCheck("inputs unchanged", not changed, 0.0, "compared",
                                   f"modified in place: {', '.join(changed)}; work on a copy" if changed else ""))
    return report
