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


# Lesson 06: layers in the CS231n style, `out, cache = layer_forward(...)`, and a network built from them.

BN_EPS = 1e-5   # added to the variance before the square root, so a constant feature does not divide by 0


def normalize_forward(x, gamma, beta, axis, eps=BN_EPS):
    """Normalise x (N, D) over `axis`, then scale by gamma and shift by beta (both (D,)).

        mu = mean(x)   var = mean((x − mu)²)   std = sqrt(var + eps)
        xhat = (x − mu) / std                   out = gamma·xhat + beta

    The variance is the biased one, 1/n (n = N for axis 0, D for axis 1), as in the
    original batchnorm paper and in PyTorch's normalisation; mu, var and std keep the
    reduced axis (keepdims), so they broadcast against x.
    Returns out (N, D) and cache x, gamma, beta, mu, var, std, xhat."""
    mu = x.mean(axis=axis, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=axis, keepdims=True)
    std = np.sqrt(var + eps)
    xhat = (x - mu) / std
    cache = {"x": x, "gamma": gamma, "beta": beta, "mu": mu, "var": var, "std": std, "xhat": xhat}
    return gamma * xhat + beta, cache


def batchnorm_forward(x, gamma, beta, eps=BN_EPS):
    """Batch normalisation in training mode: every feature (column) normalised over the batch, axis 0.

    mu, var, std have shape (1, D)."""
    return normalize_forward(x, gamma, beta, axis=0, eps=eps)


def layernorm_forward(x, gamma, beta, eps=BN_EPS):
    """Layer normalisation: every example (row) normalised over its features, axis 1.

    mu, var, std have shape (N, 1); gamma and beta are still one per feature, (D,)."""
    return normalize_forward(x, gamma, beta, axis=1, eps=eps)


def embedding_forward(idx, C):
    """Look up the rows of the table C (V, E) at the integer indices idx (any shape).

    Returns out = C[idx], shape idx.shape + (E,), and cache idx, C."""
    return C[idx], {"idx": idx, "C": C}


def init_bn_params(vocab, context, embed, hidden, seed=0):
    """C W1 gamma beta W2 b2 of the embedding + batchnorm MLP.

    No bias before the batchnorm: its mean subtraction would cancel any b1. gamma starts at 1 and
    beta at 0 (batchnorm starts as plain standardisation); W2 is scaled down by 10 so that the
    first logits are small and the first loss is close to log K."""
    rng = np.random.default_rng(seed)
    fan_in = context * embed
    return {"C": rng.standard_normal((vocab, embed)),
            "W1": rng.standard_normal((fan_in, hidden)) / np.sqrt(fan_in),
            "gamma": np.ones(hidden), "beta": np.zeros(hidden),
            "W2": 0.1 * rng.standard_normal((hidden, vocab)) / np.sqrt(hidden),
            "b2": np.zeros(vocab)}


def mlp_bn_forward(params, X, y):
    """The lesson 06 network on token contexts X (N, T) of integers below V, labels y (N,):

        emb = C[X] (N, T, E)    z1 = emb.reshape(N, T·E) @ W1    bn = batchnorm(z1; gamma, beta)
        h = tanh(bn)            z2 = h @ W2 + b2                 logp = log_softmax(z2)

    Returns the mean NLL and cache X, emb, z1, mu, var, std, xhat, bn, h, z2, logp
    (mu, var, std, xhat: the batchnorm's, shaped as `batchnorm_forward` makes them)."""
    emb, _ = embedding_forward(X, params["C"])
    z1 = emb.reshape(len(X), -1) @ params["W1"]
    bn, norm = batchnorm_forward(z1, params["gamma"], params["beta"])
    h = np.tanh(bn)
    z2 = h @ params["W2"] + params["b2"]
    logp = log_softmax(z2)
    cache = {"X": X, "emb": emb, "z1": z1, **{k: norm[k] for k in ("mu", "var", "std", "xhat")},
             "bn": bn, "h": h, "z2": z2, "logp": logp}
    return nll(logp, y), cache


def mlp_bn_chain(params, X, y, lookup=embedding_forward, norm=batchnorm_forward, act=np.tanh):
    """The loss of `mlp_bn_forward` with its pieces swappable: the lab assistant measures a mistake by
    swapping one piece for a variant that agrees with it in value."""
    emb, _ = lookup(X, params["C"])
    bn, _ = norm(emb.reshape(len(X), -1) @ params["W1"], params["gamma"], params["beta"])
    return nll(log_softmax(act(bn) @ params["W2"] + params["b2"]), y)


def layer_loss(forward, dout, *fixed):
    """loss_fn(inputs) for the lab assistant checking one layer: Σ out·dout, out = forward(*fixed, **inputs).

    Its gradient with respect to each input is exactly what the layer's backward pass returns
    for the upstream gradient dout, e.g. layer_loss(batchnorm_forward, dout) on {x, gamma, beta},
    or layer_loss(embedding_forward, dout, idx) on {C}."""
    return lambda inputs: float(np.sum(forward(*fixed, **inputs)[0] * dout))
