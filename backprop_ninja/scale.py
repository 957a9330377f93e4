"""The large inputs of a backward test's "scale" call, built alike in the student's kernel and by the referee.

A backward pass derived by hand costs about one forward pass; finite differences cost two forward
passes per entry. On a network of a million parameters, or on a million logits, the first takes
milliseconds (a second or two for loops), the second hours: the call's time budget tells them
apart. Only the recipe travels (which forward pass, the sizes, a seed); both sides build the same
arrays from it, and only the gradient the test is about (`keep`) travels back.
"""

import numpy as np

from . import data, nets

BUDGET = 15.0   # seconds the kernel gives the student's function before it gives up and says why
STEP = 1e-6     # the length of the referee's central-difference step along a direction in a network's tensor
LOGITS_STEP = 1e-4   # and in logits: the loss is smooth there, and its terms of 1000 round off at 1e-13
# A bound on the round-off of those central differences along a direction: ε_mach·|L|/step is 5e-10 for a
# network's loss of 2.3 and 2e-9 for logits of 1000, so a right answer's error along a direction stays within
# gradcheck.NOISE_MARGIN·ROUND_OFF = 1e-7 (measuring it, as the lab assistant does, would cost 12 forward passes)
ROUND_OFF = 1e-8


def recipe(rng, forward, sizes, N, keep):
    """A network's: `forward` a name in `nets`, `sizes` its layers; `keep` the tensor whose gradient returns."""
    return {"network": np.array(forward), "sizes": np.array(sizes), "N": np.array(N),
            "seed": np.array(int(rng.integers(2**31))), "budget": np.array(BUDGET), "keep": np.array(keep)}


def logits_recipe(rng, N, K, extreme):
    """Logits z (N, K) and labels y, drawn as the small tests draw them (`data.logits`)."""
    return {"network": np.array("logits"), "sizes": np.array([N, K]), "extreme": np.array(extreme),
            "seed": np.array(int(rng.integers(2**31))), "budget": np.array(BUDGET)}


def arguments(call):
    """The student's function's arguments: (params, cache, y) of a network, or (z, y) of logits."""
    if str(call["network"]) == "logits":
        rng = np.random.default_rng(int(call["seed"]))
        N, K = (int(s) for s in call["sizes"])
        return data.logits(rng, N, K, bool(call["extreme"])), rng.integers(0, K, size=N)
    return network(call)


def network(call):
    """(params, cache, y) of the call's network."""
    forward = getattr(nets, str(call["network"]))
    params, X, y = data.classification(int(call["N"]), [int(s) for s in call["sizes"]], seed=int(call["seed"]))
    if forward is nets.mlp_relu_forward:
        _off_the_kink(params, X)
    return params, forward(params, X, y)[1], y


def _off_the_kink(params, X):
    """Move b1 so that no pre-activation z1 = X W1 + b1 lies within ten times the reach of a step of
    length STEP in W1 or b1 (|Δz1| ≤ STEP·√(‖x‖² + 1)): a central difference across ReLU's kink
    measures neither side's slope, and a right gradient would fail. For N = 1, as every scale call is."""
    z1 = X @ params["W1"] + params["b1"]
    reach = 10 * STEP * np.sqrt((X ** 2).sum(axis=1).max() + 1)
    near = np.abs(z1).min(axis=0) < reach
    params["b1"] += np.where(near, np.where(z1[0] < 0, -reach, reach) - z1[0], 0.0)


def parameters(call):
    """The number of entries the call stands for: the network's parameters, or the logits."""
    if str(call["network"]) == "logits":
        return int(np.prod(call["sizes"]))
    return sum(int(a) * int(b) + int(b) for a, b in zip(call["sizes"][:-1], call["sizes"][1:]))


def where(call):
    """Where the call's gradient lives, in words: "on a network of 1,234,567 parameters"."""
    if str(call["network"]) == "logits":
        N, K = (int(s) for s in call["sizes"])
        return f"on logits of {N:,} × {K:,}"
    return f"on a network of {parameters(call):,} parameters"
