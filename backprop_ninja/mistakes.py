"""The classic mistakes, by name: what a student who makes one would return.

One list for the lab assistant in the notebook and for the grader. Each mistake is a sentence in
the lessons' words and the answer it produces; `diagnose` names the mistake whose answer the
student's matches. The answers are built from measurements, never from a backward formula: for a
network, from the finite-difference pieces of a `probe.Probe` chained with one step swapped
for the mistake (tanh′ of z, a flipped mask, z for h, …); for lesson 02, from the measured dL/dz;
for lesson 06, from finite differences of the forward pass with one piece swapped for a variant
that agrees with it in value (a statistic held fixed, a row's earlier uses not counted).
Each mistake is a `Mistake`: its sentence, for this network's names, and the id the class report counts.
"""

import numpy as np

from . import nets
from .gradcheck import numerical_gradient
from .diagnose import Mistake


def network_mistakes(probe):
    """[(sentence, gradients)] for a network at the point of a `probe.Probe`: every named mistake at every layer.

    Mistakes in dzL (from the measured dL/dzL: p = N·dzL + Y) reach every tensor; a mistake in a hidden layer's
    activation reaches that layer's and the layers' below; the others touch one tensor."""
    L, N, name, t = probe.depth, len(probe.y), probe.names, probe.top
    right = probe.backprop(t)
    out = [(bias_sum(N, f"dz{L}"), {f"b{i}": right[f"b{i}"] / N for i in range(1, L + 1)})]
    out += [(sentence, probe.backprop(wrong)) for sentence, wrong in output_mistakes(t, probe.y, f"dz{L}")]
    hidden = list(range(L - 1, 0, -1))

    def names(j):
        if j is None:
            return "every hidden layer", "dz", "dh", "z", "h"
        return f"the hidden layer {name[f'h{j}']}", f"dz{j}", f"d{name[f'h{j}']}", f"z{j}", name[f"h{j}"]

    for sentence, step in activation_mistakes(probe.net.act):
        for j in hidden:
            at_j = lambda k, dh, j=j: step(dh, probe.values[f"z{k}"]) if k == j else None
            out.append((sentence(*names(j)), probe.backprop(t, at_j)))
        if len(hidden) > 1:
            out.append((sentence(*names(None)), probe.backprop(t, lambda k, dh: step(dh, probe.values[f"z{k}"]))))
    for i in range(L, 1, -1):
        out.append((input_for_output(i, name[f"z{i - 1}"], name[f"h{i - 1}"]), probe.backprop(t, z_input={i})))
    out.append((WRONG_AXIS, {f"b{i}": right[f"dz{i}"].sum(axis=1) for i in range(1, L + 1)}))
    return out


# The sentences of a network's mistakes, shared by the whole-tensor check and the first-wrong-line check.

# a bias summed over the units (axis 1) has the shape of b_i when N equals the layer's width
WRONG_AXIS = Mistake("bias-wrong-axis", "axis: summed over the wrong axis (a bias gradient sums over the batch, axis 0)")


def bias_sum(N, dz):
    return Mistake("bias-mean", f"N× too small: the 1/N is there twice; a bias gradient is a sum over the batch "
                   f"(axis 0), not a mean, and {dz} already carries the 1/N")


def input_for_output(i, z, h):
    return Mistake("pre-activation-input", f"uses {z} instead of {h} as the input of layer {i}: dW{i} multiplies {h}, "
                   f"the output of the activation")


def output_mistakes(t, y, dz):
    """[(sentence, wrong dz)] of the top line dz = (p − Y)/N, from the measured dL/dz `t` (p = N·t + Y)."""
    N, K = t.shape
    Y, Y_next = np.eye(K)[y], np.eye(K)[(y + 1) % K]
    return [(Mistake("missing-over-n", f"missing /N: the loss is a mean, so {dz} = (p − Y)/N"), N * t),
            (Mistake("over-n-twice", f"divided by N twice: the 1/N of the mean belongs in {dz} only once"), t / N),
            (P_MINUS_ONE, t + (Y - 1) / N),
            (ONE_HOT_OFF, t + (Y - Y_next) / N),
            (Mistake("sign-flipped", f"the sign is flipped: {dz} = (p − Y)/N, not (Y − p)/N"), -t)]


P_MINUS_ONE = Mistake("p-minus-one", "p − 1 for every class: subtract the one-hot Y, which is 1 only at the true class")
ONE_HOT_OFF = Mistake("one-hot-off-by-one", "one-hot off by one: Y must have its 1 at column y_i")


def activation_mistakes(act):
    """[(sentence(where, dz, dh, z, h), wrong step (dh, z) -> dz)] of the activation "tanh" or "relu"."""
    if act == "tanh":
        return [(lambda where, dz, dh, z, h: Mistake("missing-tanh-derivative", f"missing tanh′ on {where}: {dz} = "
                                                     f"{dh} · (1 − {h}²), not {dh} alone"),
                 lambda dh, z: dh),
                (lambda where, dz, dh, z, h: Mistake("tanh-derivative-of-z", f"tanh′ written with {z} on {where}: "
                                                     f"tanh′ = 1 − {h}² with {h} = tanh({z}), not 1 − {z}²"),
                 lambda dh, z: dh * (1 - z ** 2))]
    return [(lambda where, dz, dh, z, h: Mistake("missing-mask", f"missing ReLU mask on {where}: {dz} = {dh} where "
                                                 f"{z} > 0, and 0 elsewhere"),
             lambda dh, z: dh),
            (lambda where, dz, dh, z, h: Mistake("mask-flipped", f"the ReLU mask is flipped on {where}: the gradient "
                                                 f"flows where {z} > 0, not where {z} ≤ 0"),
             lambda dh, z: dh * (z <= 0)),
            (lambda where, dz, dh, z, h: Mistake("mask-times-z", f"multiplies {dh} by {z} (or {h}) on {where}, instead "
                                                 f"of by the 0/1 mask [{z} > 0]"),
             lambda dh, z: dh * np.maximum(z, 0))]


def where(net_names, depth, key):
    """What the line of `key` (W2, b1, dz2, dh, …) depends on: for a mistake no hypothesis names."""
    layer = int(key[-1]) if key[-1].isdigit() else 1
    if key.startswith(("W", "b")) and layer == depth:
        below = "X" if depth == 1 else net_names[f"h{depth - 1}"]
        return f"this line uses only dz{depth} (lesson 02) and the layer's input {below}"
    return "every line from the loss down to this one feeds it: check the rows above it first"


def for_key(mistakes, key, shape):
    """The (sentence, wrong answer) pairs of a list of mistakes for one tensor."""
    return [(sentence, grads[key]) for sentence, grads in mistakes if key in grads and grads[key].shape == shape]


# What went wrong when a function gave no answer, and the lessons' words for it (by id) when they have some.
ERRORS = {
    "not-answered": "not answered yet: replace `raise NotImplementedError()` by your code",
    "log-every-zero": "log_every = 0 means no logging: test log_every before computing step % log_every",
    "does-not-broadcast": ("shapes that do not broadcast: did a sum lose its axis? keep it (keepdims=True), and "
                           "check each array's shape against the lesson's"),
}


def raised(error):
    """The mistake of a function that raised `error`, named by the exception's type (and numpy's words)."""
    said = str(error)
    id = ("not-answered" if isinstance(error, NotImplementedError)
          else "log-every-zero" if isinstance(error, ZeroDivisionError) and "modulo" in said
          else "does-not-broadcast" if isinstance(error, ValueError) and "broadcast" in said
          else "raised")
    return Mistake(id, f"raised {type(error).__name__}: {said}"[:500])


# Lesson 06: measured, like the networks' mistakes, by finite differences of the forward pass with one
# piece swapped for a variant that agrees with it in value but sends the gradient back the mistaken way.

NORM_MISTAKES = {m.id: m for m in [
    Mistake("norm-mean-path", "the mean's path is missing: mu depends on every x, so dx gets −Σ dxhat/(n·std) from it"),
    Mistake("norm-variance-path", "the variance's path is missing: var depends on every x, so dx gets "
            "dvar·2(x − mu)/n from it"),
    Mistake("norm-unbiased-variance", "n − 1: this is the backward pass of the unbiased variance; the course "
            "normalises with the biased one, var = (1/n)·Σ (x − mu)², so dvar reaches x as dvar·2(x − mu)/n"),
    Mistake("norm-gamma", "gamma is missing: out = gamma·xhat + beta, so dxhat = dout·gamma"),
    Mistake("norm-count", "the statistics' paths divide by the size of the other axis: mu and var are means over the "
            "axis normalised, so their paths bring 1/n with n its size (N for batchnorm, D for layernorm)"),
]}
SHARED_MEANS = Mistake("shared-means", "dgamma and dbeta are means over the batch: gamma and beta are shared by every "
                       "example, so their gradients add up every example's, a sum over axis 0 (like a bias)")
NORM_AXES = {0: "batchnorm normalises each feature over the batch (axis 0)",
             1: "layernorm normalises each example over its features (axis 1)"}


def standardize(x0, axis, over=None, mean_path=True, var_path=True, var_factor=1.0, mean_factor=1.0):
    """x ↦ xhat of the normalisation over `axis` near the point x0, with its statistics' paths back into x varied.

    u = (x − mu)/std with the point's mu and std; the mean's path re-centres u and the variance's path
    re-scales it, both over the axis `over`, by how much u moved from the point. Equal to xhat at x0; with
    every path, over `axis` and both factors 1, its finite differences are the normalisation's own."""
    over = axis if over is None else over
    _, point = nets.normalize_forward(x0, 1.0, 0.0, axis)
    u0 = point["xhat"]

    def xhat(x):
        u = (x - point["mu"]) / point["std"]
        centre = mean_factor * (u - u0).mean(axis=over, keepdims=True) if mean_path else 0.0
        spread = var_factor * (u ** 2 - u0 ** 2).mean(axis=over, keepdims=True) if var_path else 0.0
        return (u - centre) / np.sqrt(1.0 + spread)
    return xhat


def _norm_variants(x, axis):
    """(id of NORM_MISTAKES or 'norm-wrong-axis', xhat variant, gamma's part in the way back) of lesson 06's mistakes."""
    n, other = x.shape[axis], x.shape[1 - axis]
    count = [("norm-count", standardize(x, axis, mean_factor=n / other, var_factor=n / other), True)] \
        if other != n else []
    return [("norm-mean-path", standardize(x, axis, mean_path=False), True),
            ("norm-variance-path", standardize(x, axis, var_path=False), True),
            ("norm-unbiased-variance", standardize(x, axis, var_factor=n / (n - 1)), True),
            ("norm-gamma", standardize(x, axis), False),
            ("norm-wrong-axis", standardize(x, axis, over=1 - axis), True)] + count


def normalization(dout, x, gamma, axis):
    """[(sentence, gradients)] of lesson 06's norm layer over `axis` with one of its classic mistakes."""
    out = []
    for key, xhat, with_gamma in _norm_variants(x, axis):
        x_ = x.copy()
        scale = gamma if with_gamma else 1.0
        dx = numerical_gradient(lambda: float(np.sum(dout * scale * xhat(x_))), x_)
        out.append((NORM_MISTAKES.get(key) or Mistake(key, f"the sums over the wrong axis: {NORM_AXES[axis]}, so the "
                                                          f"sums of the backward pass run over axis {axis}, not {1 - axis}"),
                    {"x": dx}))
    g, b, N = np.array(gamma, dtype=np.float64), np.zeros(np.shape(gamma)), len(x)
    xhat = nets.normalize_forward(x, 1.0, 0.0, axis)[0]
    out.append((Mistake("dgamma-times-x", "dgamma multiplies dout by x; gamma scales xhat, the normalised x"),
                {"gamma": numerical_gradient(lambda: float(np.sum(dout * g * x)), g)}))
    out.append((SHARED_MEANS, {"gamma": numerical_gradient(lambda: float(np.sum(dout * g * xhat)) / N, g),
                               "beta": numerical_gradient(lambda: float(np.sum(dout * b)) / N, b)}))
    return out


def _last_uses(idx):
    """1 where a position of idx holds the last use of its row, 0 at the earlier uses."""
    flat = np.asarray(idx).reshape(-1)
    last = np.zeros(flat.size)
    last[[len(flat) - 1 - list(flat[::-1]).index(v) for v in np.unique(flat)]] = 1.0
    return last.reshape(np.shape(idx))


COUNTED_ONCE = Mistake("row-counted-once", "a repeated row is counted once: dC[idx] = dout (or += dout) writes a row "
                       "once however often idx holds it; add up every use with np.add.at")


def embedding(dout, idx, C):
    """[(sentence, gradients)] of the lookup C[idx] with a repeated row counted once (its last use only)."""
    C0, C_, last = np.array(C, dtype=np.float64), np.array(C, dtype=np.float64), _last_uses(idx)
    once = lambda: float(np.sum(dout * (C0[idx] + (C_ - C0)[idx] * last[..., None])))
    return [(COUNTED_ONCE, {"C": numerical_gradient(once, C_)})]


BN_TANH = ("the batchnorm's output", "dbn", "dh", "bn", "h")   # where, dz, dh, z, h of 06's tanh


def mlp_bn(params, X, y, key):
    """[(sentence, gradient of `key`)] of lesson 06's network with one of the lesson's mistakes in its backward pass."""
    params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    _, point = nets.mlp_bn_forward(params, X, y)
    z1, bn, h = point["z1"], point["bn"], point["h"]
    variants = []
    for name, xhat, with_gamma in _norm_variants(z1, 0):
        xhat0 = xhat(z1)

        def norm(z, gamma, beta, xhat=xhat, xhat0=xhat0, with_gamma=with_gamma):
            change = xhat(z) - xhat0
            return gamma * xhat0 + (gamma * change if with_gamma else change) + beta, point
        variants.append((NORM_MISTAKES.get(name) or Mistake(name, "the batchnorm's sums run over axis 1, the "
                                                            "features: batchnorm normalises each feature over the "
                                                            "batch, axis 0"),
                         {"norm": norm}))
    xhat, g0, b0, N = standardize(z1, 0), params["gamma"].copy(), params["beta"].copy(), len(X)
    variants.append((SHARED_MEANS, {"norm": lambda z, gamma, beta: (
        g0 * xhat(z) + (gamma - g0) * xhat(z) / N + b0 + (beta - b0) / N, point)}))
    C0, last = params["C"].copy(), _last_uses(X)
    variants.append((Mistake("row-counted-once", "a repeated row of C is counted once: a token used k times in the "
                             "batch gets k contributions; add them all up with np.add.at"),
                     {"lookup": lambda idx, C: (C0[idx] + (C - C0)[idx] * last[..., None], None)}))
    (missing, _), (of_input, _) = activation_mistakes("tanh")
    variants.append((missing(*BN_TANH), {"act": lambda b: h + (b - bn)}))
    cubic = lambda u: u - u ** 3 / 3   # its derivative is 1 − u²: tanh′ written with the input bn
    variants.append((of_input(*BN_TANH), {"act": lambda b: h + cubic(b) - cubic(bn)}))
    return [(sentence, numerical_gradient(lambda: nets.mlp_bn_chain(params, X, y, **pieces), params[key]))
            for sentence, pieces in variants]
