"""The course's networks: forward passes only.

Every forward pass returns `(loss, cache)`; the backward passes are the students' to write.

    z1 = X @ W1 + b1      h = act(z1)      z2 = h @ W2 + b2
    logp = log_softmax(z2)                 L = -(1/N) Σ_i logp[i, y_i]
"""

import numpy as np


def log_softmax(z):
    """Row-wise log-softmax, stable for any logits: shift by the row max first."""
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def nll(logp, y):
    """Mean negative log-likelihood of the labels y under log-probabilities logp."""
    return -logp[np.arange(len(y)), y].mean()


def relu(z):
    return np.maximum(z, 0.0)


ACTIVATIONS = {"tanh": np.tanh, "relu": relu}


def init_params(sizes, seed=0, relu=False):
    """W1 b1 W2 b2 ... for layer sizes [D, H1, ..., K].

    Weights ~ N(0, 1/fan_in), biases small and random. With relu=True: He initialisation,
    N(0, 2/fan_in), which keeps the signal's scale through a ReLU that zeroes half of it, and
    hidden biases of +0.1, so that no neuron starts out dead."""
    rng = np.random.default_rng(seed)
    params = {}
    depth = len(sizes) - 1
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"W{i}"] = rng.standard_normal((fan_in, fan_out)) * np.sqrt((2.0 if relu else 1.0) / fan_in)
        if relu:
            params[f"b{i}"] = np.full(fan_out, 0.1 if i < depth else 0.0)
        else:
            params[f"b{i}"] = 0.1 * rng.standard_normal(fan_out)
    return params


def deep_forward(params, X, y, act="tanh"):
    """Forward pass of an MLP of any depth: cache X, z1, h1, ..., zL, logp."""
    cache = {"X": X}
    cache.update(_layers(params, act, "X", X))
    cache["logp"] = log_softmax(cache[f"z{len(params) // 2}"])
    return nll(cache["logp"], y), cache


def _layers(params, act, node, value):
    """(name, value) of every intermediate after `node` ("X", "z1", "h1", …), up to the logits zL."""
    n_layers = len(params) // 2
    names = ["X"] + [f"{kind}{i}" for i in range(1, n_layers + 1) for kind in "zh" if (kind, i) != ("h", n_layers)]
    v = value
    for name in names[names.index(node) + 1:]:
        i = int(name[1:])
        v = v @ params[f"W{i}"] + params[f"b{i}"] if name[0] == "z" else ACTIVATIONS[act](v)
        yield name, v


def resume(params, y, node, value, act="tanh", stop=None):
    """deep_forward from the intermediate `node` set to `value`: the loss, or the intermediate `stop`.

    What a finite difference by an intermediate needs: perturb z2, say, and recompute only what lies above it."""
    v = value
    for name, v in _layers(params, act, node, value):
        if name == stop:
            return v
    return v if stop == node else nll(log_softmax(v), y)


def _two_layer(params, X, y, act):
    loss, cache = deep_forward(params, X, y, act)
    cache["h"] = cache.pop("h1")
    return loss, {key: cache[key] for key in ("X", "z1", "h", "z2", "logp")}


def mlp_tanh_forward(params, X, y):
    """The seed network's forward pass: cache X, z1, h, z2, logp."""
    return _two_layer(params, X, y, "tanh")


def mlp_relu_forward(params, X, y):
    """The same network with h = max(z1, 0)."""
    return _two_layer(params, X, y, "relu")


def mlp3_forward(params, X, y):
    """Two tanh hidden layers: cache X, z1, h1, z2, h2, z3, logp."""
    return deep_forward(params, X, y, "tanh")


def loss_of(forward, X, y):
    """loss_fn(params) for the lab assistant: the loss of `forward` on fixed data."""
    return lambda params: forward(params, X, y)[0]


def predict(params, X, act="relu"):
    """Class predictions of a trained network."""
    _, cache = deep_forward(params, X, np.zeros(len(X), dtype=int), act)
    return cache["logp"].argmax(axis=1)
