"""Lesson 07's forward passes (`backprop_ninja.attention`), against the contract's definitions written as loops."""
import numpy as np
import pytest

from backprop_ninja import attention as at

rng = np.random.default_rng(7)
B, T, C, V, N_HEAD = 2, 5, 8, 11, 2


def looped_head(x, Wq, Wk, Wv):
    """One causal head, query by query: each attends to itself and the keys before it."""
    out = np.zeros(x.shape[:2] + (Wv.shape[1],))
    for b in range(x.shape[0]):
        for t in range(x.shape[1]):
            q = x[b, t] @ Wq
            scores = np.array([q @ (x[b, j] @ Wk) / np.sqrt(Wq.shape[1]) for j in range(t + 1)])
            weights = np.exp(scores - scores.max()) / np.exp(scores - scores.max()).sum()
            out[b, t] = sum(w * (x[b, j] @ Wv) for j, w in enumerate(weights))
    return out


def test_softmax_is_over_the_last_axis_and_stable_for_any_logits():
    z = 1000 * rng.standard_normal((2, 3, 4))
    p, cache = at.softmax_forward(z)
    assert np.allclose(p.sum(axis=-1), 1) and np.all(np.isfinite(p)) and set(cache) == {"z", "p"}


def test_gelu_is_gpt2s_tanh_approximation():
    out, cache = at.gelu_forward(np.array([-1.0, 0.0, 1.0, 3.0]))
    assert np.allclose(out, [-0.158808, 0.0, 0.841192, 2.996363], atol=1e-6) and set(cache) == {"x", "t"}


def test_a_head_is_causal_and_agrees_with_the_loops():
    x, Wq, Wk, Wv = rng.standard_normal((B, T, C)), *(rng.standard_normal((C, 4)) for _ in range(3))
    out, cache = at.attention_forward(x, Wq, Wk, Wv)
    assert np.allclose(out, looped_head(x, Wq, Wk, Wv)) and {"x", "Wq", "Wk", "Wv"} <= set(cache)
    later = x.copy()
    later[:, 3] += 1.0
    moved = at.attention_forward(later, Wq, Wk, Wv)[0]
    assert np.allclose(moved[:, :3], out[:, :3]) and not np.allclose(moved[:, 3:], out[:, 3:])


@pytest.mark.parametrize("n_head", [1, 2, 4])
def test_heads_take_their_columns_in_order_and_concatenate(n_head):
    x, (Wq, Wk, Wv, Wo) = rng.standard_normal((B, T, C)), (rng.standard_normal((C, C)) for _ in range(4))
    out, cache = at.multihead_attention_forward(x, Wq, Wk, Wv, Wo, n_head)
    hs = C // n_head
    y = np.concatenate([looped_head(x, Wq[:, h * hs:(h + 1) * hs], Wk[:, h * hs:(h + 1) * hs],
                                    Wv[:, h * hs:(h + 1) * hs]) for h in range(n_head)], axis=-1)
    assert np.allclose(cache["y"], y) and np.allclose(out, y @ Wo) and cache["n_head"] == n_head


def test_a_block_adds_both_branches_to_its_residual_stream():
    params = at.block_params(at.init_gpt_params(V, T, C, 1, seed=3), 0)
    x = rng.standard_normal((B, T, C))
    out, cache = at.block_forward(x, params, N_HEAD)
    quiet = {**params, "Wo": np.zeros((C, C)), "W_proj": np.zeros((4 * C, C))}
    assert np.allclose(at.block_forward(x, quiet, N_HEAD)[0], x)   # both branches off: the residual path alone
    assert not np.allclose(out, x) and {"x", "n_head", "params"} <= set(cache)
    x1 = x + at.multihead_attention_forward(at.layernorm(x, params["ln1_gamma"], params["ln1_beta"]),
                                            params["Wq"], params["Wk"], params["Wv"], params["Wo"], N_HEAD)[0]
    u = at.layernorm(x1, params["ln2_gamma"], params["ln2_beta"]) @ params["W_fc"] + params["b_fc"]
    gelu = 0.5 * u * (1 + np.tanh(np.sqrt(2 / np.pi) * (u + 0.044715 * u ** 3)))
    assert np.allclose(out, x1 + gelu @ params["W_proj"] + params["b_proj"])


def test_a_tiny_gpt_starts_near_log_V_and_ties_its_head_to_the_token_embedding():
    params = at.init_gpt_params(V, 8, C, 2, seed=0)
    assert {"wte", "wpe", "lnf_gamma", "lnf_beta"} <= set(params) and "h1.W_fc" in params and "h2.Wq" not in params
    idx, y = rng.integers(0, V, (B, T)), rng.integers(0, V, (B, T))
    loss, cache = at.gpt_forward(params, idx, y, N_HEAD)
    assert abs(loss - np.log(V)) < 0.05 and cache["idx"] is idx and cache["n_head"] == N_HEAD
    h = cache["h1"]
    logits = at.layernorm(h, params["lnf_gamma"], params["lnf_beta"]) @ params["wte"].T
    logp = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))
    assert np.isclose(loss, -np.mean(logp[np.arange(B)[:, None], np.arange(T), y]))
    assert np.allclose(cache["x"], params["wte"][idx] + params["wpe"][:T])
