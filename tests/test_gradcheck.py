"""The lab assistant: verdicts, diagnosis, reports, and speed on a large network."""
import numpy as np
import pytest

from backprop_ninja import check_backward, check_gradients, data, nets
from ninja_runner.runner import train_xor
from backprop_ninja.gradcheck import EPS, round_off


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
    assert all(row.max_error < 1e-7 for row in report.rows)


def test_rows_run_from_the_loss_backwards_and_the_first_red_one_is_marked(seed):
    params, grads, loss = seed
    report = check_gradients(loss, params, dict(grads, W1=-grads["W1"], b2=2 * grads["b2"]))
    assert [r.name for r in report.rows] == ["W2", "b2", "W1", "b1"]
    assert report.first_failure == "b2"
    lines = str(report).splitlines()
    assert [ln for ln in lines if "start here" in ln] == [next(ln for ln in lines if " b2 " in ln)]
    assert report._repr_html_().count("start here") == 1


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
    assert "2× too large" in next(r.hint for r in bad.rows if r.name == "W1")


def deep_tanh_grads(params, cache, y):
    """Backward pass of deep_forward's tanh MLP, for the tests only (never shipped)."""
    N = len(y)
    dz = np.exp(cache["logp"])
    dz[np.arange(N), y] -= 1
    dz /= N
    grads = {}
    for i in range(len(params) // 2, 0, -1):
        below = cache["X"] if i == 1 else cache[f"h{i - 1}"]
        grads[f"W{i}"], grads[f"b{i}"] = below.T @ dz, dz.sum(axis=0)
        if i > 1:
            dz = (dz @ params[f"W{i}"].T) * (1 - below ** 2)
    return grads


def deep_net(weight, loss_scale=1.0):
    """An 8-layer tanh MLP whose weights are scaled down: the gradients fade towards W1."""
    params, X, y = data.classification(6, [4] + [5] * 7 + [3], seed=0)
    params = {k: v * weight if k.startswith("W") else v for k, v in params.items()}
    _, cache = nets.deep_forward(params, X, y)
    grads = {k: loss_scale * g for k, g in deep_tanh_grads(params, cache, y).items()}
    return params, grads, lambda p: loss_scale * nets.deep_forward(p, X, y)[0]


DEEP = {   # weight scale, loss scale -> the scale of the smallest gradients; the tensors too small to judge
    "dW1 near 1e-5": (0.3, 1.0, set()),
    "dW1 near 1e-8 in a loss near 1": (0.1, 1.0, {"W1", "b1", "W2"}),   # a 1 % error there may hide in the round-off
    "every gradient near 1e-8 (loss × 1e-7)": (1.0, 1e-7, set()),   # round-off scales with the loss
}


def verdicts(report):
    return {r.name: "too small" if r.too_small else "right" if r.passed else "wrong" for r in report.rows}


@pytest.mark.parametrize("case", DEEP)
def test_deep_small_gradients_are_judged_at_their_own_scale(case):
    weight, loss_scale, small = DEEP[case]
    params, grads, loss = deep_net(weight, loss_scale)
    assert 1e-9 < min(np.abs(g).max() for g in grads.values()) < 3e-5
    right = {k: "too small" if k in small else "right" for k in params}
    assert verdicts(check_gradients(loss, params, grads)) == right
    for name in params:
        for bug in (lambda g: -g, np.zeros_like, lambda g: 2 * g):
            report = check_gradients(loss, params, dict(grads, **{name: bug(grads[name])}))
            assert verdicts(report) == dict(right, **{name: "wrong"}), (name, str(report))
            assert report.first_failure == name


@pytest.mark.parametrize("case", DEEP)
def test_one_entry_off_by_one_percent_never_passes(case):
    params, grads, loss = deep_net(*DEEP[case][:2])
    for name in params:
        off = grads[name].copy()
        off.flat[np.argmax(np.abs(off))] *= 1.01
        row = {r.name: r for r in check_gradients(loss, params, dict(grads, **{name: off})).rows}[name]
        assert not row.passed, (case, name, row)


def test_a_gradient_below_the_round_off_is_said_too_small_to_judge_and_never_passes():
    params, grads, loss = deep_net(0.05)   # dW1 near 1e-10: below what central differences resolve
    report = check_gradients(loss, params, grads)
    small = {r.name for r in report.rows if r.too_small}
    assert {"W1", "b1"} <= small and "W8" not in small
    assert all("too small to judge" in r.hint and not r.passed for r in report.rows if r.too_small)
    assert not report.all_passed and report.first_failure is None   # nothing found wrong, not all confirmed
    assert "?" in str(report) and "✓" in str(report)


def test_the_round_off_of_a_confident_loss_is_measured_in_its_terms():
    """log-sum-exp of logits 30 apart: the loss is 1e-9 but rounded where its terms are near 1, a staircase
    whose steps are ε_mach, not ε_mach·L. The right gradient (entries near 1e-9) is no longer failed for
    round-off ("off by 2e-12", as with the assumed ε_mach·L): too small to judge; a sign flip is wrong."""
    z, y = np.array([[30.0, 10, 0], [25, 0, 3]]), np.array([0, 0])
    loss = lambda q: nets.nll(nets.log_softmax(q["z"]), y)
    assert loss({"z": z}) < 1e-8
    moved = z.copy()
    assert round_off(lambda: loss({"z": moved}), moved) > 1e4 * np.finfo(float).eps * loss({"z": z}) / EPS
    p = np.exp(z - z.max(axis=1, keepdims=True))
    dz = (p / p.sum(axis=1, keepdims=True) - np.eye(3)[y]) / len(y)
    assert verdicts(check_gradients(loss, {"z": z}, {"z": dz})) == {"z": "too small"}
    assert verdicts(check_gradients(loss, {"z": z}, {"z": -dz})) == {"z": "wrong"}


def seed_backward(bug=None):
    """The seed network's backward pass returning its intermediates too; `bug` plants a mistake in dh."""
    def backward(params, cache, y):
        N = len(y)
        dz2 = np.exp(cache["logp"])
        dz2[np.arange(N), y] -= 1
        dz2 /= N
        dh = dz2 @ (params["W2"].T if bug is None else params["W2"].T[::-1])
        dz1 = dh * (1 - cache["h"] ** 2)
        return {"W1": cache["X"].T @ dz1, "b1": dz1.sum(0), "W2": cache["h"].T @ dz2, "b2": dz2.sum(0),
                "dz2": dz2, "dh": dh, "dz1": dz1}
    return backward


def test_intermediates_are_checked_in_the_order_a_backward_pass_computes_them():
    params, X, y = data.seed_network()
    good = check_backward(seed_backward(), "mlp_tanh", params, X, y)
    assert [r.name for r in good.rows] == ["dz2", "W2", "b2", "dh", "dz1", "W1", "b1"] and good.all_passed
    bad = check_backward(seed_backward(bug="dh"), "mlp_tanh", params, X, y)
    assert bad.first_failure == "dh"
    assert bad.passed == {"dz2": True, "W2": True, "b2": True, "dh": False, "dz1": False, "W1": False, "b1": False}


def test_intermediates_can_be_passed_in_rather_than_returned():
    params, X, y = data.seed_network()
    _, cache = nets.mlp_tanh_forward(params, X, y)
    full = seed_backward()(params, cache, y)
    only_params = lambda p, c, yy: {k: full[k] for k in params}
    report = check_backward(only_params, "mlp_tanh", params, X, y, intermediates={"dh": -full["dh"]})
    assert [r.name for r in report.rows] == ["W2", "b2", "dh", "W1", "b1"]
    assert report.first_failure == "dh" and "sign" in next(r.hint for r in report.rows if r.name == "dh")


def test_a_misshapen_gradient_stops_training_with_its_name():
    transposed = lambda p, c, yy: {k: g.T for k, g in true_grads(p, c, yy).items()}
    with pytest.raises(ValueError, match=r"dW2 has shape \(2, 8\), but W2 has shape \(8, 2\) \(transpose"):
        train_xor(transposed, seed=0, steps=10, lr=0.5)


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


def test_an_entry_whose_finite_difference_straddles_a_kink_is_said_to_be_at_a_kink_and_never_passes():
    """ReLU at z[0] = 0: the central difference averages its slopes 0 and 1. A value between them cannot be
    judged there; one outside them (or any other entry off) is wrong."""
    loss = lambda p: float(nets.relu(p["z"]).sum() + (p["z"] ** 2).sum())
    z = np.array([0.0, 1.0, -1.0])
    for subgradient in (0.0, 1.0, 0.3):
        report = check_gradients(loss, {"z": z}, {"z": np.array([subgradient, 3.0, -2.0])})
        (row,) = report.rows
        assert row.at_kink and not row.passed and not row.too_small
        assert "kink" in row.hint and "(0,)" in row.hint
        assert report.first_failure is None and "~" in str(report) and "#fbeec8" in report._repr_html_()
    for wrong in ([-1.0, 3.0, -2.0], [0.0, 3.3, -2.0], [2.0, 3.0, -2.0]):
        (row,) = check_gradients(loss, {"z": z}, {"z": np.array(wrong)}).rows
        assert not row.at_kink and not row.passed, wrong


def test_a_sharply_curved_smooth_loss_is_no_kink():
    """exp(300·z): its one-sided slopes differ by f″·eps, 0.3 % of the slope, so a 0.1 % error lies between
    them; but the slope bends evenly (its changes differ by f‴·eps², 1e-5 of it): wrong, not at a kink."""
    loss = lambda p: float(np.exp(300 * p["z"]).sum())
    z = np.array([0.01, -0.02])
    right = 300 * np.exp(300 * z)
    assert check_gradients(loss, {"z": z}, {"z": right}).all_passed
    for factor in (1.01, 1.001):
        (row,) = check_gradients(loss, {"z": z}, {"z": right * [factor, 1.0]}).rows
        assert not row.at_kink and not row.passed, factor
