"""Lesson 04's training test: its XOR runs, and which of them a right backward pass solves, found without one.

Lesson 04's training test asks every network it hands out to reach 95 % accuracy. Right gradient
descent itself leaves about one run in 600 stuck (near 75 %: two quadrants merged), and a student
whose keyed data held such a run would fail on every regrade. So a run the student's backward pass
leaves below 95 % is held against it only when the referee's own training reaches `SOLVED` accuracy
on it (`solvable`), with gradients from finite differences of the loss: no backward pass is written
here, and a right one passes every network it is given. That check costs about a second a run, and
only a run a student failed pays it: a right answer's grading trains nothing here.

Training by finite differences costs 84 losses a step (θ ± eps for 42 parameters); they are cheap
because a nudge to one parameter moves one thing: W1[d, j] or b1[j] moves hidden unit j only, and
with two classes the loss depends on the logits only through their margin m = z2[:, 1] − z2[:, 0]:
NLL = log(1 + exp(s·m)), s = +1 for label 0 and −1 for label 1.
"""

import numpy as np

from backprop_ninja import data, nets

# The training test: this many XOR networks, each to this accuracy (measured over 50 seeds per
# calibration case: benchmarks/xor_training.py), by plain full-batch gradient descent.
TRAIN_RUNS, TRAIN_ACCURACY = 3, 0.95
XOR_STEPS, XOR_LR = 3000, 0.5


def xor_run(seed):
    """(params, X, y) of one run of the training test: 200 XOR points over the square, a He-initialised 2→8→2 net."""
    X, y = data.xor(200, seed=seed)
    return nets.init_params([2, 8, 2], seed=seed + 1, relu=True), X, y


def xor_call(seed):
    """A training test's call: only the seed travels; the kernel's trainer rebuilds the run from it."""
    return {"train": np.array("xor"), "seed": np.array(seed), "steps": np.array(XOR_STEPS), "lr": np.array(XOR_LR)}


SOLVED = TRAIN_ACCURACY + 0.03   # a margin, so that round-off between two right runs never decides


def _margin_losses(params, X, s, eps, sign):
    """The loss at θ + sign·eps·e_i for every parameter i, in the order W1, b1, W2, b2 (each row-major)."""
    W1, b1, W2, b2 = (params[k] for k in ("W1", "b1", "W2", "b2"))
    z1 = X @ W1 + b1
    h = np.maximum(z1, 0.0)
    w = W2[:, 1] - W2[:, 0]
    m = h @ w + b2[1] - b2[0]
    inputs = np.vstack([X.T, np.ones(len(X))])                       # what W1[d, j] and b1[j] multiply
    h_nudged = np.maximum(z1.T[None] + sign * eps * inputs[:, None], 0.0)
    dm_hidden = ((h_nudged - h.T[None]) * w[None, :, None]).reshape(-1, len(X))
    dm_W2 = sign * eps * h.T                                          # W2[j, 1] raises m, W2[j, 0] lowers it
    dm_b2 = sign * eps * np.ones((1, len(X)))
    dm = np.vstack([dm_hidden, -dm_W2, dm_W2, -dm_b2, dm_b2])
    return np.logaddexp(0.0, s * (m + dm)).mean(axis=1)


def numerical_gradient(params, X, y, eps=1e-6):
    """Central differences of the XOR network's loss, every parameter at once."""
    s = np.where(y == 0, 1.0, -1.0)
    flat = (_margin_losses(params, X, s, eps, +1) - _margin_losses(params, X, s, eps, -1)) / (2 * eps)
    (D, H), grads = params["W1"].shape, {}
    sizes = {"W1": D * H, "b1": H, "W2T": 2 * H, "b2": 2}
    for name, size in sizes.items():
        grads[name], flat = flat[:size], flat[size:]
    return {"W1": grads["W1"].reshape(D, H), "b1": grads["b1"],
            "W2": grads["W2T"].reshape(2, H).T, "b2": grads["b2"]}


def accuracy(seed):
    """The accuracy the training test's run `seed` reaches under right gradient descent."""
    params, X, y = xor_run(seed)
    for _ in range(XOR_STEPS):
        grads = numerical_gradient(params, X, y)
        params = {k: params[k] - XOR_LR * grads[k] for k in params}
    return float(np.mean(nets.predict(params, X) == y))


def solvable(seed):
    """Whether right gradient descent solves the training test's run `seed` (to `SOLVED` accuracy)."""
    return accuracy(seed) >= SOLVED
