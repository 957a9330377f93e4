"""The hand trace of a 2→3→2 ReLU network with fixed weights: every number, then the check.

One example x = [0.5, 0.8] of class 0. Hidden neuron 2 is dead (z1 < 0), so no gradient
reaches its weights. The trace works scalar by scalar, as on paper, for this one network.
"""

import math

import numpy as np

from .gradcheck import numerical_gradient
from .nets import mlp_relu_forward

X = [0.5, 0.8]
Y = 0
W1 = [[0.3, 0.2, -0.4],     # W1[i][j]: input i → hidden j   (D=2, H=3)
      [0.1, 0.4, -0.3]]
B1 = [0.1, -0.1, 0.1]
W2 = [[0.3, -0.2],          # W2[j][k]: hidden j → class k   (H=3, K=2)
      [-0.3, 0.4],
      [0.2, 0.6]]
B2 = [0.0, 0.1]
D, H, K = 2, 3, 2


def forward(say):
    z1 = [X[0] * W1[0][j] + X[1] * W1[1][j] + B1[j] for j in range(H)]
    for j in range(H):
        say(f"z1[{j}] = {X[0]}·({W1[0][j]}) + {X[1]}·({W1[1][j]}) + ({B1[j]}) = {z1[j]:+.6f}")
    h = [max(0.0, z) for z in z1]
    for j in range(H):
        note = "   ← dead: z1 < 0, ReLU outputs 0 and passes no gradient" if z1[j] <= 0 else ""
        say(f"h[{j}]  = max(0, {z1[j]:+.6f}) = {h[j]:.6f}{note}")
    z2 = [sum(h[j] * W2[j][k] for j in range(H)) + B2[k] for k in range(K)]
    for k in range(K):
        terms = " + ".join(f"{h[j]:.2f}·({W2[j][k]})" for j in range(H))
        say(f"z2[{k}] = {terms} + ({B2[k]}) = {z2[k]:+.6f}")
    m = max(z2)
    e = [math.exp(z - m) for z in z2]
    p = [v / sum(e) for v in e]
    say(f"p     = softmax(z2) = [{p[0]:.6f}, {p[1]:.6f}]")
    L = -math.log(p[Y])
    say(f"L     = −log p[{Y}] = {L:.6f}")
    return z1, h, p, L


def fmt(values):
    """[+0.123456, −0.000000 shown as +0.000000, ...], nested lists row by row."""
    if isinstance(values[0], list):
        return "[" + ", ".join(fmt(row) for row in values) + "]"
    return "[" + ", ".join(f"{v + 0.0:+.6f}" for v in values) + "]"


def backward(z1, h, p, say):
    dz2 = [p[k] - (1.0 if k == Y else 0.0) for k in range(K)]
    say(f"1. dL/dz2 = p − Y = {fmt(dz2)}")
    dW2 = [[h[j] * dz2[k] for k in range(K)] for j in range(H)]
    say(f"2. dW2[j][k] = h[j]·dz2[k] = {fmt(dW2)}")
    db2 = list(dz2)
    say(f"3. db2 = dz2 = {fmt(db2)}")
    dh = [sum(W2[j][k] * dz2[k] for k in range(K)) for j in range(H)]
    say(f"4. dh[j] = Σ_k W2[j][k]·dz2[k] = {fmt(dh)}")
    dz1 = [dh[j] if z1[j] > 0 else 0.0 for j in range(H)]
    say(f"5. dz1 = dh · [z1 > 0] = {fmt(dz1)}   (the mask kills neuron 2)")
    dW1 = [[X[i] * dz1[j] for j in range(H)] for i in range(D)]
    say(f"6. dW1[i][j] = x[i]·dz1[j] = {fmt(dW1)}")
    db1 = list(dz1)
    say(f"7. db1 = dz1 = {fmt(db1)}")
    return dict(W1=dW1, b1=db1, W2=dW2, b2=db2)


def verification_rows(grads):
    """(name, analytic, finite difference) for each of the 17 parameters."""
    params = {"W1": np.array(W1), "b1": np.array(B1), "W2": np.array(W2), "b2": np.array(B2)}
    x, y = np.array([X]), np.array([Y])
    rows = []
    for name, theta in params.items():
        numeric = numerical_gradient(lambda: mlp_relu_forward(params, x, y)[0], theta)
        analytic = np.array(grads[name])
        for index in np.ndindex(theta.shape):
            label = f"{name}[{','.join(map(str, index))}]"
            rows.append((label, float(analytic[index]), float(numeric[index])))
    return rows


def print_trace(say=print):
    say("Forward pass (x = [0.5, 0.8], true class 0)")
    z1, h, p, _ = forward(say)
    say("\nBackward pass")
    grads = backward(z1, h, p, say)
    say(f"\n{'parameter':<10} {'analytic':>11} {'finite diff':>12} {'|difference|':>13}")
    for label, a, n in verification_rows(grads):
        say(f"{label:<10} {a + 0.0:+11.6f} {n + 0.0:+12.6f} {abs(a - n):13.1e}")
