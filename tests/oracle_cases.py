"""The oracle set: gradients of the course's networks, right and corrupted, with jax as ground truth.

Each network is written twice: in numpy by the course (`backprop_ninja.nets`, the loss a checker
differentiates numerically) and here in jax.numpy (float64), whose `jax.grad` is the right gradient.
The networks come at gradient scales 1 to 1e-8 in two ways: the loss multiplied by the scale, and a
confident network (labels its own predictions, last layer scaled up until its largest gradient is the
scale, so the loss itself is tiny and computed through large logits). ReLU networks also come with one
pre-activation at, or within 1e-9 of, its kink. On each, every tensor's gradient is handed in right,
rounded to float32 (right too), and corrupted (`CORRUPTIONS`): a case is one tensor of one network.

Used by tests/test_oracle.py and benchmarks/oracle.py.
"""

from dataclasses import dataclass, replace
from functools import cache

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import logsumexp

from backprop_ninja import data, nets
from backprop_ninja.gradcheck import check_gradients

jax.config.update("jax_enable_x64", True)

SCALES = (1.0, 1e-2, 1e-4, 1e-6, 1e-8)
WRONG_AT = 1e-3   # a corruption is wrong where it moves some entry by this share of the tensor's largest


# The forwards in jax.numpy, written from the lessons' formulas, not from nets.py.

def jax_nll(z, y):
    return -jnp.mean(z[jnp.arange(len(y)), y] - logsumexp(z, axis=1))


def jax_mlp(params, X, y, act):
    """tanh or ReLU MLP of any depth; ReLU's derivative at exactly 0 is 0, as in the course (z > 0)."""
    f = jnp.tanh if act == "tanh" else lambda z: jnp.where(z > 0, z, 0.0)
    depth = len(params) // 2
    v = X
    for i in range(1, depth + 1):
        v = v @ params[f"W{i}"] + params[f"b{i}"]
        if i < depth:
            v = f(v)
    return jax_nll(v, y)


def jax_mlp_bn(params, X, y):
    """Lesson 06: embedding, linear, batchnorm (biased variance, eps 1e-5), tanh, linear."""
    z1 = params["C"][X].reshape(len(X), -1) @ params["W1"]
    xhat = (z1 - z1.mean(axis=0)) / jnp.sqrt(z1.var(axis=0) + nets.BN_EPS)
    h = jnp.tanh(params["gamma"] * xhat + params["beta"])
    return jax_nll(h @ params["W2"] + params["b2"], y)


@dataclass
class Network:
    """One network at one point: the numpy loss for the checkers, the jax loss for the truth."""
    name: str
    numpy_loss: callable     # params -> float (the course's forward)
    jax_loss: callable       # params -> jax scalar
    logits: callable         # params -> the logits (numpy), for labelling a confident network
    params: dict
    last: tuple              # the names that scale the logits
    with_labels: callable    # y -> the same network and point with labels y
    factor: float = 1.0      # the loss multiplied by it

    def loss_fn(self, params):
        """The loss a checker differentiates numerically."""
        return self.factor * self.numpy_loss(params)

    def grads(self, params=None):
        """The right gradient: jax's, in float64."""
        g = _grad(self.jax_loss)({k: jnp.asarray(v) for k, v in (params or self.params).items()})
        return {k: self.factor * np.asarray(v) for k, v in g.items()}


@cache
def _grad(jax_loss):
    return jax.jit(jax.grad(jax_loss))


def softmax_nll(y=np.array([0, 3, 1, 2, 0]), seed=0):
    """Lesson 02: the loss of logits z (5, 4) directly."""
    z = np.random.default_rng(seed).standard_normal((5, 4))
    return Network("softmax_nll", lambda p: nets.nll(nets.log_softmax(p["z"]), y), lambda p: jax_nll(p["z"], y),
                   lambda p: p["z"], {"z": z}, ("z",), lambda y: softmax_nll(y, seed))


def mlp(name, sizes, act, y=None, X=None, params=None, seed=0):
    """An MLP of the course (6 examples), on data.classification's point unless X or params are given."""
    _, X0, y0 = data.classification(6, sizes, seed=seed)
    X = X0 if X is None else X
    y = y0 if y is None else y
    params = nets.init_params(sizes, seed=seed + 1, relu=act == "relu") if params is None else params

    def logits(p):
        _, cache = nets.deep_forward(p, X, np.zeros(len(X), dtype=int), act)
        return cache[f"z{len(sizes) - 1}"]

    return Network(name, lambda p: nets.deep_forward(p, X, y, act)[0], lambda p: jax_mlp(p, X, y, act), logits,
                   params, (f"W{len(sizes) - 1}", f"b{len(sizes) - 1}"),
                   lambda y: mlp(name, sizes, act, y, X, params, seed))


def mlp_bn(y=None, seed=0):
    """Lesson 06 with vocabulary 5, context 2, embedding 2, hidden 4 (W1 square), N = 6; gamma not all 1."""
    X, y0 = data.sequences(6, vocab=5, context=2, seed=seed)
    y = y0 if y is None else y
    params = nets.init_bn_params(5, 2, 2, 4, seed=seed + 1)
    params["gamma"] = params["gamma"] + 0.1 * np.random.default_rng(seed).standard_normal(4)
    logits = lambda p: nets.mlp_bn_forward(p, X, np.zeros(len(X), dtype=int))[1]["z2"]
    return Network("mlp_bn", lambda p: nets.mlp_bn_forward(p, X, y)[0], lambda p: jax_mlp_bn(p, X, y),
                   logits, params, ("W2", "b2"), lambda y: mlp_bn(y, seed))


def networks():
    """The course's networks. W1 of mlp_tanh, mlp_relu and mlp_bn and W2 of mlp3 are square, so a transposed
    gradient has the right shape."""
    return [softmax_nll(), mlp("mlp_tanh", [4, 4, 3], "tanh"), mlp("mlp_relu", [4, 4, 3], "relu"),
            mlp("mlp3", [4, 5, 5, 3], "tanh"), mlp_bn()]


def self_labelled(net):
    """The network labelled with its own predictions."""
    return net.with_labels(net.logits(net.params).argmax(axis=1))


def confident(mine, scale):
    """A self-labelled network, its last layer multiplied by c until the largest gradient is `scale`
    (bisection in log c): the loss is of the order of the scale, computed through logits c times larger."""

    def at(c):
        return {k: v * c if k in mine.last else v for k, v in mine.params.items()}

    def largest(log_c):
        return max(np.abs(g).max() for g in mine.grads(at(np.exp(log_c))).values())

    lo, hi = 0.0, np.log(1e4)
    assert largest(lo) > scale > largest(hi), (mine.name, scale)
    for _ in range(16):   # c to 0.02 %
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if largest(mid) > scale else (lo, mid)
    return replace(mine, params=at(np.exp(hi)))


def at_kink(offset):
    """mlp_relu with the pre-activation z1[0, 0] at `offset` from its kink. offset=None: exactly 0 (the
    example's inputs and the unit's bias are 0); otherwise b1[0] cancels z1[0, 0] up to the offset, which a
    rounding of 1e-17 or so leaves for offset 0.0."""
    net = mlp("mlp_relu", [4, 4, 3], "relu")
    params = {k: v.copy() for k, v in net.params.items()}
    X = data.classification(6, [4, 4, 3])[1].copy()
    if offset is None:
        X[0] = 0.0
        params["b1"][0] = 0.0
    else:
        params["b1"][0] += offset - (X[0] @ params["W1"] + params["b1"])[0]
    where = "0 exactly" if offset is None else "0 up to rounding" if offset == 0 else f"{offset:+.0e}"
    return mlp(f"mlp_relu, z1[0, 0] at {where}", [4, 4, 3], "relu", X=X, params=params)


def settings():
    """(network, kind, scale) of every network of the oracle set."""
    for net in networks():
        for scale in SCALES:
            yield replace(net, factor=scale), "loss × scale", scale
        mine = self_labelled(net)
        for scale in SCALES[1:]:
            yield confident(mine, scale), "confident", scale
    for offset in (None, 0.0, 1e-9, -1e-9):
        yield at_kink(offset), "at a kink", 1.0


CORRUPTIONS = {
    "sign flipped": lambda g, rng: -g,
    "zero": lambda g, rng: np.zeros_like(g),
    "×2": lambda g, rng: 2 * g,
    "largest entry +1 %": lambda g, rng: _largest_times(g, 1.01),
    "largest entry +10 %": lambda g, rng: _largest_times(g, 1.1),
    "transposed": lambda g, rng: g.T if g.ndim == 2 and g.shape[0] == g.shape[1] else None,
    "entries permuted": lambda g, rng: rng.permutation(g.reshape(-1)).reshape(g.shape),
}
RIGHT = {
    "right": lambda g: g,
    "float32": lambda g: g.astype(np.float32).astype(np.float64),
}


def _largest_times(g, factor):
    g = g.copy()
    g.flat[np.argmax(np.abs(g))] *= factor
    return g


@dataclass
class Case:
    """One tensor's gradient handed in for one network: `right` says whether it is (by the oracle)."""
    network: str
    kind: str
    scale: float
    tensor: str
    answer: str
    right: bool
    loss_fn: callable
    params: dict
    grad: np.ndarray
    truth: np.ndarray


def cases(seed=0):
    """Every case of the oracle set. A corruption that leaves a tensor within WRONG_AT of the truth
    (a zero of a gradient that is 0, a transpose of a symmetric one) is no case."""
    rng = np.random.default_rng(seed)
    for net, kind, scale in settings():
        truth = net.grads()
        for name, g in truth.items():
            common = dict(network=net.name, kind=kind, scale=scale, tensor=name, loss_fn=net.loss_fn,
                          params=net.params, truth=g)
            for answer, fix in RIGHT.items():
                yield Case(answer=answer, right=True, grad=fix(g), **common)
            for answer, corrupt in CORRUPTIONS.items():
                bad = corrupt(g, rng)
                if bad is not None and np.abs(bad - g).max() > WRONG_AT * np.abs(g).max():
                    yield Case(answer=answer, right=False, grad=bad, **common)


def lab_assistant(case):
    """The lab assistant's verdict on the case's tensor, called as a student calls it (the other tensors
    left out: their rows say "missing" at no cost)."""
    rows = check_gradients(case.loss_fn, case.params, {case.tensor: case.grad}).rows
    row = next(r for r in rows if r.name == case.tensor)
    return "too small" if row.too_small else "at a kink" if row.at_kink else "passed" if row.passed else "failed"
