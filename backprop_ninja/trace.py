"""The hand trace of the source lesson's 2→3→2 ReLU network: every number, then the check.

One example x = [0.5, 0.8] of class 0, weights fixed by the source lesson "Backprop By Hand".
Here, as there, a row of W1 is a hidden neuron and a row of W2 an output:

    z1 = W1 @ x + b1      h = max(z1, 0)      z2 = W2 @ h + b2      L = −log softmax(z2)[0]

(the course's networks compute X @ W1, so their W1 and W2 are these matrices transposed).
Hidden neuron 0 is dead (z1[0] < 0): no gradient reaches its weights. The trace works scalar
by scalar, as on paper; the verification table checks all 17 numbers against finite differences.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from .gradcheck import numerical_gradient
from .nets import mlp_relu_forward

X = [0.5, 0.8]
Y = 0
W1 = [[0.10, -0.20],            # W1[j][i]: input i → hidden neuron j   (H=3 rows, D=2 columns)
      [0.30, 0.40],
      [-0.20, 0.50]]
B1 = [0.05, -0.10, 0.20]
W2 = [[0.20, -0.30, 0.10],      # W2[k][j]: hidden neuron j → class k   (K=2 rows, H=3 columns)
      [-0.10, 0.40, 0.20]]
B2 = [0.10, -0.05]
D, H, K = 2, 3, 2
PARAMETERS = ("W1", "b1", "W2", "b2")


def _quiet(*_):
    pass


@dataclass
class Trace:
    """Every value of the forward pass and every gradient of the backward pass, as Python floats."""
    z1: list
    h: list
    z2: list
    p: list
    L: float
    dz2: list = None
    dW2: list = None
    db2: list = None
    dh: list = None
    dz1: list = None
    dW1: list = None
    db1: list = None
    steps: list = field(default_factory=list)   # (key, line) per backward step, key e.g. ("dW1", j, i)

    @property
    def grads(self):
        return {"W1": self.dW1, "b1": self.db1, "W2": self.dW2, "b2": self.db2}


def _sum_of_products(bias, weights, inputs):
    """'+0.0500 + (+0.1000 * +0.5000) + ...' and its value."""
    text = f"{bias:+.4f}" + "".join(f" + ({w:+.4f} * {v:+.4f})" for w, v in zip(weights, inputs))
    return text, bias + sum(w * v for w, v in zip(weights, inputs))


def forward(say=_quiet):
    say(f"x = [{X[0]:+.4f}, {X[1]:+.4f}], true class {Y}")
    z1 = []
    for j in range(H):
        text, value = _sum_of_products(B1[j], W1[j], X)
        say(f"z1[{j}] = {text} = {value:+.6f}")
        z1.append(value)
    h = [max(0.0, z) for z in z1]
    for j in range(H):
        note = "   ← dead: z1 < 0, ReLU outputs 0 and passes no gradient" if z1[j] <= 0 else ""
        say(f"h[{j}]  = max(0, {z1[j]:+.6f}) = {h[j]:+.6f}{note}")
    z2 = []
    for k in range(K):
        text, value = _sum_of_products(B2[k], W2[k], h)
        say(f"z2[{k}] = {text} = {value:+.6f}")
        z2.append(value)
    m = max(z2)
    e = [math.exp(z - m) for z in z2]
    p = [v / sum(e) for v in e]
    for k in range(K):
        say(f"p[{k}]  = exp(z2[{k}]) / Σ exp(z2) = {p[k]:.6f}")
    L = -math.log(p[Y])
    say(f"L     = −log p[{Y}] = {L:.6f}")
    return Trace(z1, h, z2, p, L)


def backward(t, say=_quiet):
    """Fill in t's gradients one scalar at a time; say each step and keep it in t.steps."""
    def step(key, line):
        t.steps.append((key, line))
        say(line)

    t.dz2 = [t.p[k] - (1.0 if k == Y else 0.0) for k in range(K)]
    for k in range(K):
        step(("dz2", k), f"dz2[{k}] = p[{k}] − y[{k}] = {t.p[k]:.6f} − {int(k == Y)} = {t.dz2[k]:+.6f}")
    t.dW2 = [[t.dz2[k] * t.h[j] for j in range(H)] for k in range(K)]
    for k in range(K):
        for j in range(H):
            step(("dW2", k, j), f"dW2[{k}][{j}] = dz2[{k}] * h[{j}] = {t.dz2[k]:+.6f} * {t.h[j]:+.6f}"
                                f" = {t.dW2[k][j] + 0.0:+.6f}")
    t.db2 = list(t.dz2)
    for k in range(K):
        step(("db2", k), f"db2[{k}] = dz2[{k}] = {t.db2[k]:+.6f}")
    t.dh = [sum(W2[k][j] * t.dz2[k] for k in range(K)) for j in range(H)]
    for j in range(H):
        terms = " + ".join(f"({W2[k][j]:+.4f} * {t.dz2[k]:+.6f})" for k in range(K))
        step(("dh", j), f"dh[{j}] = Σ_k W2[k][{j}] * dz2[k] = {terms} = {t.dh[j]:+.6f}")
    gates = [1 if z > 0 else 0 for z in t.z1]
    t.dz1 = [t.dh[j] * gates[j] for j in range(H)]
    for j in range(H):
        note = "   ← the mask stops the dead neuron's gradient" if not gates[j] else ""
        step(("dz1", j), f"dz1[{j}] = dh[{j}] * [z1[{j}] > 0] = {t.dh[j]:+.6f} * {gates[j]}"
                         f" = {t.dz1[j] + 0.0:+.6f}{note}")
    t.dW1 = [[t.dz1[j] * X[i] for i in range(D)] for j in range(H)]
    for j in range(H):
        for i in range(D):
            step(("dW1", j, i), f"dW1[{j}][{i}] = dz1[{j}] * x[{i}] = {t.dz1[j] + 0.0:+.6f} * {X[i]:+.4f}"
                                f" = {t.dW1[j][i] + 0.0:+.6f}")
    t.db1 = list(t.dz1)
    for j in range(H):
        step(("db1", j), f"db1[{j}] = dz1[{j}] = {t.db1[j] + 0.0:+.6f}")
    return t


def fmt(values):
    """[+0.123456, −0.000000 shown as +0.000000, ...], nested lists row by row."""
    if isinstance(values[0], list):
        return "[" + ", ".join(fmt(row) for row in values) + "]"
    return "[" + ", ".join(f"{v + 0.0:+.6f}" for v in values) + "]"


def course_params():
    """The trace's network in the course's convention (z1 = X @ W1 + b1): W1, W2 transposed."""
    return {"W1": np.array(W1).T.copy(), "b1": np.array(B1), "W2": np.array(W2).T.copy(), "b2": np.array(B2)}


def numerical_grads():
    """Finite-difference gradients of the trace's loss, in the source's convention (W1 rows = neurons)."""
    params = course_params()
    x, y = np.array([X]), np.array([Y])
    loss = lambda: mlp_relu_forward(params, x, y)[0]
    grads = {name: numerical_gradient(loss, params[name]) for name in PARAMETERS}
    return {name: g.T if g.ndim == 2 else g for name, g in grads.items()}


def numerical_node_grads():
    """dL/dz2, dL/dh and dL/dz1 by finite differences: the loss as a function of each node's values."""
    def loss_from_z2(z2):
        return -(z2[Y] - np.log(np.sum(np.exp(z2))))

    def loss_from_h(h):
        return loss_from_z2(np.array(W2) @ h + np.array(B2))

    def loss_from_z1(z1):
        return loss_from_h(np.maximum(z1, 0.0))

    t = forward()
    out = {}
    for name, loss, value in (("dz2", loss_from_z2, t.z2), ("dh", loss_from_h, t.h), ("dz1", loss_from_z1, t.z1)):
        v = np.array(value, dtype=np.float64)
        out[name] = numerical_gradient(lambda: loss(v), v)
    return out


def student_grads(student_backward):
    """A backward pass in the course's convention run on the trace's network; its answer in the
    source's convention (a row of dW1 per hidden neuron, a row of dW2 per output)."""
    params = course_params()
    x, y = np.array([X]), np.array([Y])
    _, cache = mlp_relu_forward(params, x, y)
    answer = student_backward({k: v.copy() for k, v in params.items()}, cache, y)
    out = {}
    for name in PARAMETERS:
        got = np.asarray(answer[name], dtype=np.float64)
        out[name] = got.T if got.ndim == 2 else got
    return out


def verification_rows(grads):
    """(name, analytic, finite difference) for each of the 17 parameters, source convention."""
    numeric = numerical_grads()
    rows = []
    for name in PARAMETERS:
        analytic = np.asarray(grads[name], dtype=np.float64)
        for index in np.ndindex(numeric[name].shape):
            label = f"{name}[{']['.join(map(str, index))}]"
            value = float(analytic[index]) if analytic.shape == numeric[name].shape else float("nan")
            rows.append((label, value, float(numeric[name][index])))
    return rows


def print_table(grads, say=print):
    """The 17-row table: each gradient against finite differences, and whether they match to 6 decimals."""
    say(f"{'parameter':<10} {'analytic':>11} {'finite diff':>12} {'|difference|':>13}  match")
    for label, a, n in verification_rows(grads):
        match = "yes" if f"{a + 0.0:+.6f}" == f"{n + 0.0:+.6f}" else "NO"
        say(f"{label:<10} {a + 0.0:+11.6f} {n + 0.0:+12.6f} {abs(a - n):13.1e}  {match}")


def print_trace(say=print, backward_pass=True):
    """Say the trace line by line; return nothing, so a notebook cell ending in it shows only the lines."""
    say("Forward pass (source convention: z1 = W1 @ x + b1, a row of W1 per hidden neuron)")
    t = forward(say)
    if not backward_pass:
        return
    say("\nBackward pass")
    backward(t, say)
    say(f"\ndW1 = {fmt(t.dW1)}   (row 0, the dead neuron's, is zero)")
    say(f"db1 = {fmt(t.db1)}")
    say(f"dW2 = {fmt(t.dW2)}   (column 0, the dead neuron's, is zero)")
    say(f"db2 = {fmt(t.db2)}")
    say("")
    print_table(t.grads, say)
