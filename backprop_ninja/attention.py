"""Lesson 07's forward passes: softmax, GELU, a causal attention head, several heads, a transformer block, a tiny GPT.

Shapes: B batch, T time, C channels, V vocabulary, d a head's size; float64. Every layer returns
`(out, cache)`, the cache holding the forward's inputs and parameters under the lesson's names (so a backward
pass may recompute anything from them) and the intermediates the lesson derives through:

    p = softmax(z)                                          over the last axis
    gelu(x) = ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))      GPT-2's approximation
    q, k, v = x Wq, x Wk, x Wv    s = q kᵀ/√d, masked    p = softmax(s)    out = p v      one causal head
    y = [head_0 | head_1 | …]     out = y Wo                                             n_head heads
    x1 = x + mha(ln1(x))          out = x1 + mlp(ln2(x1))   mlp(u) = gelu(u W_fc + b_fc) W_proj + b_proj
    x = wte[idx] + wpe[:T] → blocks → lnf → logits = x wteᵀ → mean cross-entropy                 the GPT

The backward passes are the students' to write.
"""

import numpy as np

from .nets import BN_EPS, nll, normalize_forward

GELU_SCALE = np.sqrt(2 / np.pi)
BLOCK_PARAMS = ("ln1_gamma", "ln1_beta", "Wq", "Wk", "Wv", "Wo", "ln2_gamma", "ln2_beta",
                "W_fc", "b_fc", "W_proj", "b_proj")


def softmax_forward(z):
    """p = softmax(z) over the last axis, z of any shape (shifted by its max: stable for any logits)."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    p = e / e.sum(axis=-1, keepdims=True)
    return p, {"z": z, "p": p}


def gelu_forward(x):
    """GPT-2's GELU; the cache keeps t = tanh(√(2/π)·(x + 0.044715·x³))."""
    t = np.tanh(GELU_SCALE * (x + 0.044715 * x ** 3))
    return 0.5 * x * (1 + t), {"x": x, "t": t}


def causal_mask(T):
    """(T, T), True where a key comes after its query: the scores attention may not look at."""
    return np.triu(np.ones((T, T), dtype=bool), k=1)


def attention_forward(x, Wq, Wk, Wv):
    """One causal head: x (B, T, C), Wq Wk Wv (C, d) -> out (B, T, d)."""
    q, k, v = x @ Wq, x @ Wk, x @ Wv
    s = np.where(causal_mask(x.shape[1]), -np.inf, q @ k.swapaxes(-1, -2) / np.sqrt(Wq.shape[1]))
    p, _ = softmax_forward(s)
    return p @ v, {"x": x, "Wq": Wq, "Wk": Wk, "Wv": Wv, "q": q, "k": k, "v": v, "p": p}


def multihead_attention_forward(x, Wq, Wk, Wv, Wo, n_head):
    """n_head causal heads of size C/n_head (head h: columns h·hs:(h+1)·hs of Wq, Wk, Wv), concatenated in
    head order into y (B, T, C); out = y Wo."""
    hs = x.shape[-1] // n_head
    cols = [slice(h * hs, (h + 1) * hs) for h in range(n_head)]
    y = np.concatenate([attention_forward(x, Wq[:, c], Wk[:, c], Wv[:, c])[0] for c in cols], axis=-1)
    return y @ Wo, {"x": x, "Wq": Wq, "Wk": Wk, "Wv": Wv, "Wo": Wo, "n_head": n_head, "y": y}


def layernorm(x, gamma, beta):
    """Layer normalisation over the last axis, as lesson 06's (eps 1e-5, the biased variance)."""
    return normalize_forward(x, gamma, beta, axis=-1, eps=BN_EPS)[0]


def block_forward(x, params, n_head):
    """A pre-layernorm transformer block on x (B, T, C); `params` holds BLOCK_PARAMS, W_fc (C, 4C)."""
    P = params
    x1 = x + multihead_attention_forward(layernorm(x, P["ln1_gamma"], P["ln1_beta"]),
                                         P["Wq"], P["Wk"], P["Wv"], P["Wo"], n_head)[0]
    hidden, _ = gelu_forward(layernorm(x1, P["ln2_gamma"], P["ln2_beta"]) @ P["W_fc"] + P["b_fc"])
    return x1 + hidden @ P["W_proj"] + P["b_proj"], {"x": x, "n_head": n_head, "params": params, "x1": x1}


def block_params(params, i):
    """Block i's parameters out of a GPT's (`h{i}.Wq` -> `Wq`)."""
    return {name: params[f"h{i}.{name}"] for name in BLOCK_PARAMS}


def gpt_forward(params, idx, y, n_head):
    """The mean cross-entropy of the next tokens y (B, T) after the tokens idx (B, T), and the cache idx, n_head,
    x (the embeddings), the blocks' outputs h0, h1, …, logits and logp."""
    n_layer = sum(name.endswith(".Wq") for name in params)
    B, T = idx.shape
    x = params["wte"][idx] + params["wpe"][:T]
    cache, h = {"idx": idx, "n_head": n_head, "x": x}, x
    for i in range(n_layer):
        h, _ = block_forward(h, block_params(params, i), n_head)
        cache[f"h{i}"] = h
    logits = layernorm(h, params["lnf_gamma"], params["lnf_beta"]) @ params["wte"].T   # tied to the embedding
    logp = logits - logits.max(axis=-1, keepdims=True)
    logp = logp - np.log(np.exp(logp).sum(axis=-1, keepdims=True))
    cache.update(logits=logits, logp=logp)
    return nll(logp.reshape(B * T, -1), y.reshape(-1)), cache


def init_gpt_params(V, T_max, C, n_layer, seed=0):
    """wte (V, C), wpe (T_max, C), each block's parameters prefixed h0., h1., …, lnf_gamma, lnf_beta: GPT-2's
    initialisation (normal, std 0.02; the projections into the residual stream scaled by 1/√(2·n_layer))."""
    rng = np.random.default_rng(seed)
    normal = lambda *shape, std=0.02: std * rng.standard_normal(shape)
    params = {"wte": normal(V, C), "wpe": normal(T_max, C)}
    residual = 0.02 / np.sqrt(2 * n_layer)
    for i in range(n_layer):
        block = {"ln1_gamma": np.ones(C), "ln1_beta": np.zeros(C),
                 "Wq": normal(C, C), "Wk": normal(C, C), "Wv": normal(C, C), "Wo": normal(C, C, std=residual),
                 "ln2_gamma": np.ones(C), "ln2_beta": np.zeros(C),
                 "W_fc": normal(C, 4 * C), "b_fc": np.zeros(4 * C),
                 "W_proj": normal(4 * C, C, std=residual), "b_proj": np.zeros(C)}
        params.update({f"h{i}.{name}": value for name, value in block.items()})
    return {**params, "lnf_gamma": np.ones(C), "lnf_beta": np.zeros(C)}
