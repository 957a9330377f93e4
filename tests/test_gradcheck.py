"""The lab assistant: verdicts, diagnosis, reports, and speed on a large network."""
import numpy as np
import pytest

from backprop_ninja import check_gradients, data, nets


def true_grads(params, cache, y):
    """The seed network's backward pass, written here for the tests only (never shipped)."""
    N = len(y)
    dz2 = np.exp(cache["logp"])
    dz2[np.arange(N), y] -= 1
    dz2 /= N
    dh = dz2 @ params["W2"].T
    dz1 = dh * (1 - cache["h"] ** 2)
    return {"W1": cache["X"].T @ dz1, "b1": dz1.sum(0), "W2": cache["h"].T @ dz2, "b2": dz2.sum(0)}


@pytest.fixture
def seed():
    params, X, y = data.seed_network()
    _, cache = nets.mlp_tanh_forward(params, X, y)
    return params, true_grads(params, cache, y), nets.loss_of(nets.mlp_tanh_forward, X, y)


def test_true_gradients_of_the_seed_network_pass(seed):
    params, grads, loss = seed
    report = check_gradients(loss, params, grads)
    assert report.passed == {"W1": True, "b1": True, "W2": True, "b2": True}
    assert all(row.max_error < 1e-8 for row in report.rows)


@pytest.mark.parametrize("name, bug, words", [
    ("W2", lambda g: g * 4, "factor of N"),
    ("W1", lambda g: g / 4, "divided by N twice"),
    ("b1", lambda g: -g, "sign"),
    ("W1", lambda g: g.T, "transpose"),
    ("b2", lambda g: np.tile(g, (4, 1)) / 4, "axis"),
    ("W2", lambda g: g + 0.01 * np.arange(g.size).reshape(g.shape), "entries are off"),
])
def test_each_planted_bug_is_named_on_its_tensor(seed, name, bug, words):
    params, grads, loss = seed
    grads = dict(grads, **{name: bug(grads[name])})
    report = check_gradients(loss, params, grads)
    assert report.passed == {k: k != name for k in params}
    row = next(r for r in report.rows if r.name == name)
    assert words in row.hint
    assert all(not r.hint for r in report.rows if r.name != name)


def test_missing_and_non_numeric_gradients_are_reported_not_raised(seed):
    params, grads, loss = seed
    report = check_gradients(loss, params, {"W1": "oops", "W2": grads["W2"], "b2": grads["b2"]})
    assert report.passed == {"W1": False, "b1": False, "W2": True, "b2": True}
    assert "missing" in str(report) and "not numeric" in str(report)


def test_report_renders_as_text_and_html(seed):
    params, grads, loss = seed
    report = check_gradients(loss, params, dict(grads, b1=-grads["b1"]))
    text, html = str(report), report._repr_html_()
    assert text.count("✓") == 3 and text.count("✗") == 1
    assert html.count("#d9f2d9") == 3 and html.count("#f8d0d0") == 1 and "sign" in html


def test_params_are_left_untouched(seed):
    params, grads, loss = seed
    before = {k: v.copy() for k, v in params.items()}
    check_gradients(loss, params, grads)
    assert all(np.array_equal(before[k], params[k]) for k in params)


def test_large_network_is_checked_by_directions_and_the_bad_tensor_named():
    params, X, y = data.classification(8, [784, 1000, 10], seed=3)
    _, cache = nets.mlp_tanh_forward(params, X, y)
    grads = true_grads(params, cache, y)
    assert sum(p.size for p in params.values()) > 785_000
    calls = []

    def loss(p):
        calls.append(1)
        return nets.mlp_tanh_forward(p, X, y)[0]

    good = check_gradients(loss, params, grads)
    assert good.all_passed
    assert len(calls) < 100, "a large tensor must cost a few forward passes, not one per element"
    bad = check_gradients(loss, params, dict(grads, W1=grads["W1"] * 2))
    assert bad.passed == {"W1": False, "b1": True, "W2": True, "b2": True}
    assert "2× too large" in bad.rows[0].hint


def test_lesson_06_mistakes_are_named_from_the_numbers_alone():
    """A batchnorm dx without the mean's path, and an embedding's dC that counts a repeated row once."""
    rng = np.random.default_rng(0)
    x, gamma, beta, dout = rng.normal(size=(5, 3)), rng.normal(1, 0.5, 3), rng.normal(size=3), rng.normal(size=(5, 3))
    out, cache = nets.batchnorm_forward(x, gamma, beta)
    dxhat = dout * gamma
    no_mean_path = (dxhat - cache["xhat"] * (dxhat * cache["xhat"]).mean(axis=0)) / cache["std"]
    report = check_gradients(nets.layer_loss(nets.batchnorm_forward, dout), {"x": x, "gamma": gamma, "beta": beta},
                             {"x": no_mean_path, "gamma": (dout * cache["xhat"]).sum(0), "beta": dout.sum(0)})
    assert report.passed == {"x": False, "gamma": True, "beta": True}
    assert "batch mean" in report.rows[0].hint

    idx, C, demb = np.array([[0, 2, 0], [1, 0, 3]]), rng.normal(size=(5, 2)), rng.normal(size=(2, 3, 2))
    counted_once = np.zeros_like(C)
    counted_once[idx] += demb
    report = check_gradients(nets.layer_loss(nets.embedding_forward, demb, idx), {"C": C}, {"C": counted_once})
    assert not report.all_passed and "row(s) 0 are off" in report.rows[0].hint
