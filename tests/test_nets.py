"""The course networks: cache keys and shapes of the contract, and no backward pass shipped."""
import ast
from pathlib import Path

import numpy as np
import pytest

import backprop_ninja
from backprop_ninja import data, nets


@pytest.mark.parametrize("forward, sizes, keys", [
    (nets.mlp_tanh_forward, [3, 5, 3], ["X", "z1", "h", "z2", "logp"]),
    (nets.mlp_relu_forward, [2, 3, 2], ["X", "z1", "h", "z2", "logp"]),
    (nets.mlp3_forward, [4, 6, 5, 3], ["X", "z1", "h1", "z2", "h2", "z3", "logp"]),
])
def test_forward_returns_loss_and_contract_cache(forward, sizes, keys):
    params, X, y = data.classification(7, sizes, seed=1)
    loss, cache = forward(params, X, y)
    assert list(cache) == keys
    assert cache["logp"].shape == (7, sizes[-1])
    assert np.allclose(np.exp(cache["logp"]).sum(axis=1), 1)
    assert np.isclose(loss, -cache["logp"][np.arange(7), y].mean())


def test_seed_network_has_the_lessons_shapes():
    params, X, y = data.seed_network()
    assert X.shape == (4, 3) and y.shape == (4,)
    assert {k: v.shape for k, v in params.items()} == {"W1": (3, 5), "b1": (5,), "W2": (5, 3), "b2": (3,)}


def test_log_softmax_is_finite_for_huge_logits():
    z = np.array([[1000.0, -1000.0, 0.0]])
    assert np.all(np.isfinite(nets.log_softmax(z)))


def test_relu_network_uses_the_relu():
    params, X, y = data.classification(5, [2, 8, 2], seed=2)
    _, cache = nets.mlp_relu_forward(params, X, y)
    assert np.array_equal(cache["h"], np.maximum(cache["z1"], 0))


def test_the_package_ships_no_backward_pass():
    """No function takes a network's (params, cache) to return its gradients; the trace's backward
    works only on its own fixed 2→3→2 weights, scalar by scalar. (The lab assistant's check_backward
    takes the student's backward function and returns a report; measurements come from finite differences.)"""
    offenders = []
    for path in Path(backprop_ninja.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef):
                args = {a.arg for a in node.args.args}
                if ("cache" in args or ("backward" in node.name and "params" in args)) and not node.name.startswith("check_"):
                    offenders.append(f"{path.name}:{node.name}")
    assert not offenders


def test_xor_is_balanced_and_labelled_by_sign():
    X, y = data.xor(200)
    assert X.shape == (200, 2) and 80 < y.sum() < 120
    assert np.mean((np.sign(X[:, 0]) != np.sign(X[:, 1])) == y) > 0.95


def test_xor_spreads_over_the_whole_square():
    """No clusters: points everywhere in [-1, 1]², right up to the axes where the label flips."""
    X, _ = data.xor(200, seed=3)
    assert np.all(np.abs(X) <= 1) and np.all(X.min(axis=0) < -0.9) and np.all(X.max(axis=0) > 0.9)
    assert np.sum(np.min(np.abs(X), axis=1) < 0.1) > 10


@pytest.mark.parametrize("forward, axis", [(nets.batchnorm_forward, 0), (nets.layernorm_forward, 1)])
def test_norms_standardise_over_their_axis_with_the_biased_variance(forward, axis):
    rng = np.random.default_rng(3)
    x, gamma, beta = rng.normal(2.0, 3.0, (6, 4)), rng.normal(size=4), rng.normal(size=4)
    out, cache = forward(x, gamma, beta)
    assert list(cache) == ["x", "gamma", "beta", "mu", "var", "std", "xhat"]
    assert np.allclose(cache["xhat"].mean(axis=axis), 0) and np.allclose(cache["xhat"].std(axis=axis), 1, atol=1e-4)
    assert np.allclose(cache["var"], x.var(axis=axis, keepdims=True))      # numpy's var divides by n
    assert cache["std"].shape == ((1, 4) if axis == 0 else (6, 1))
    assert np.allclose(out, gamma * cache["xhat"] + beta)


def test_embedding_looks_up_rows_and_the_bn_network_caches_its_layers():
    C = np.arange(10.0).reshape(5, 2)
    out, cache = nets.embedding_forward(np.array([[0, 4], [4, 1]]), C)
    assert out.shape == (2, 2, 2) and np.array_equal(out[1, 0], C[4]) and set(cache) == {"idx", "C"}
    params = nets.init_bn_params(8, 3, 4, 6, seed=0)
    X, y = data.sequences(50, seed=0)
    loss, cache = nets.mlp_bn_forward(params, X, y)
    assert list(cache) == ["X", "emb", "z1", "mu", "var", "std", "xhat", "bn", "h", "z2", "logp"]
    assert cache["emb"].shape == (50, 3, 4) and cache["std"].shape == (1, 6)
    assert np.isclose(loss, -cache["logp"][np.arange(50), y].mean())


def test_sequences_follow_the_rule_four_times_in_five():
    X, y = data.sequences(5000, vocab=8, context=3, seed=1)
    assert X.shape == (5000, 3) and np.array_equal(X[1:, :2], X[:-1, 1:]) and np.array_equal(X[1:, 2], y[:-1])
    follows = np.mean(y == (X[:, 1] + X[:, 2]) % 8)
    assert abs(follows - (0.8 + 0.2 / 8)) < 0.02
