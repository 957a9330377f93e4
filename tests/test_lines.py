"""The first wrong line: for every mistake the course names, in every network, the line that holds it.

Each student below returns the intermediates of their backward pass (dz2, dh, dz1, …) and makes one classic
mistake in one line; `first_wrong_line` must name that line, say why in the lessons' words, call every
line above it right and every line below it right but fed a wrong input, and draw it.
"""
import base64

import numpy as np
import pytest

from backprop_ninja import nets
from backprop_ninja.lines import INHERITS, HERE_OR_ABOVE, NOT_RETURNED, RIGHT, WRONG, first_wrong_line
from backprop_ninja.probe import NETWORKS

TOP = {"missing_over_n": ("missing /N", lambda p, Y, N: p - Y),
       "over_n_twice": ("divided by N twice", lambda p, Y, N: (p - Y) / N ** 2),
       "p_minus_1": ("p − 1 for every class", lambda p, Y, N: (p - 1) / N),
       "one_hot_off": ("one-hot off by one", lambda p, Y, N: (p - np.roll(Y, 1, axis=1)) / N),
       "sign": ("the sign is flipped", lambda p, Y, N: (Y - p) / N)}
STEPS = {"tanh_missing": ("missing tanh′", lambda dh, z, h: dh),
         "tanh_of_z": ("tanh′ written with", lambda dh, z, h: dh * (1 - z ** 2)),
         "relu_no_mask": ("missing ReLU mask", lambda dh, z, h: dh),
         "relu_flipped": ("the ReLU mask is flipped", lambda dh, z, h: dh * (z <= 0)),
         "relu_times_z": ("instead of by the 0/1 mask", lambda dh, z, h: dh * np.maximum(z, 0))}
RIGHT_STEP = {"tanh": lambda dh, z, h: dh * (1 - h ** 2), "relu": lambda dh, z, h: dh * (z > 0)}
SIZES = {"mlp_tanh": [4, 6, 3], "mlp_relu": [4, 6, 3], "mlp3": [4, 6, 5, 3], "deep_tanh": [3, 5, 4, 6, 3]}


def top(mistake, cache, y):
    p = np.exp(cache["logp"])
    Y, N = np.eye(p.shape[1])[y], len(y)
    return TOP.get(mistake, (None, lambda p, Y, N: (p - Y) / N))[1](p, Y, N)


def mlp_student(network, mistake=None, at=None):
    """A backward pass of any depth returning its intermediates, with `mistake` in layer `at`."""
    net = NETWORKS[network]

    def backward(params, cache, y):
        L = len(params) // 2
        names = net.names(L)
        dz = top(mistake, cache, y)
        out = {f"dz{L}": dz}
        for i in range(L, 0, -1):
            below = cache["X"] if i == 1 else cache[names[f"h{i - 1}"]]
            here = i == at
            inp = cache[f"z{i - 1}"] if here and mistake == "z_for_h" else below
            out[f"W{i}"] = dz.T @ inp if here and mistake == "transpose" else inp.T @ dz
            out[f"b{i}"] = (dz.mean(axis=0) if here and mistake == "bias_mean" else
                            dz.sum(axis=1) if here and mistake == "bias_axis" else dz.sum(axis=0))
            if i == 1:
                break
            h, z = names[f"h{i - 1}"], cache[f"z{i - 1}"]
            dh = dz @ params[f"W{i}"].T
            step = STEPS[mistake][1] if i - 1 == at and mistake in STEPS else RIGHT_STEP[net.act]
            dz = step(dh, z, cache[h])
            out[f"d{h}"], out[f"dz{i - 1}"] = dh, dz
        return out
    return backward


def mlp_cases():
    for network, sizes in SIZES.items():
        L, act = len(sizes) - 1, NETWORKS[network].act
        for mistake, (words, _) in TOP.items():
            yield network, mistake, None, f"dz{L}", words
        for at in (1, L):
            yield network, "bias_mean", at, f"b{at}", "N× too small"
            yield network, "transpose", at, f"W{at}", "transpose"
        yield network, "bias_axis", 1, "b1", "axis"
        for j in range(1, L):
            for mistake, (words, _) in STEPS.items():
                if mistake.startswith(act):
                    yield network, mistake, j, f"dz{j}", words
            yield network, "z_for_h", j + 1, f"W{j + 1}", "instead of"


def point(network, seed=0):
    rng = np.random.default_rng(seed)
    sizes = SIZES[network]
    params = nets.init_params(sizes, seed=seed + 1, relu=NETWORKS[network].act == "relu")
    params = {k: v + 0.3 * rng.standard_normal(v.shape) for k, v in params.items()}   # no zero bias: no kink
    return params, rng.standard_normal((5, sizes[0])), rng.integers(0, sizes[-1], 5)


def assert_found(lines, line, words, also=()):
    """`line` is the first wrong line, for the reason `words`; the lines `also` hold the same mistake."""
    order = [r.key for r in lines.rows]
    assert lines.first == line, str(lines)
    row = lines.rows[order.index(line)]
    assert row.status == WRONG and words in row.hint, str(lines)
    assert all(r.status == RIGHT for r in lines.rows[:order.index(line)]), str(lines)   # above it: right
    assert all(r.status in (RIGHT, INHERITS) or r.key in also and r.status == WRONG
               for r in lines.rows[order.index(line) + 1:]), str(lines)


@pytest.mark.parametrize("network, mistake, at, line, words", list(mlp_cases()))
def test_the_first_wrong_line_of_a_network_is_the_line_with_the_mistake(network, mistake, at, line, words):
    params, X, y = point(network)
    assert_found(first_wrong_line(mlp_student(network, mistake, at), network, params, X, y), line, words)


@pytest.mark.parametrize("network", SIZES)
def test_a_right_backward_pass_has_every_line_right(network):
    params, X, y = point(network, seed=3)
    lines = first_wrong_line(mlp_student(network), network, params, X, y)
    assert lines.first is None and set(lines.status.values()) == {RIGHT}, str(lines)
    assert str(lines).startswith("every line is right")


def test_a_mistake_below_lines_not_returned_is_this_line_or_above():
    params, X, y = point("mlp3")
    only_params = lambda p, c, y: {k: v for k, v in mlp_student("mlp3", "tanh_missing", 1)(p, c, y).items() if k in p}
    lines = first_wrong_line(only_params, "mlp3", params, X, y)
    assert lines.status["dz2"] == lines.status["dz1"] == NOT_RETURNED
    assert lines.first == "W1" and lines.status["W1"] == HERE_OR_ABOVE and lines.status["W2"] == RIGHT
    assert "this one or above it" in str(lines)


def test_the_graph_computes_the_networks_own_forward_pass():
    from backprop_ninja.lines import network_graph
    for network in [*SIZES, "mlp_bn"]:
        params, X, y = bn_point() if network == "mlp_bn" else point(network)
        forward, graph = network_graph(network, params, X, y)
        loss, cache = forward(params, X, y)
        assert graph.values["loss"] == loss
        assert all(np.array_equal(graph.values[k], v) for k, v in cache.items() if k in graph.values)


# Lesson 06's network: the lesson's mistakes, each in its own line.

def bn_student(mistake=None):
    def backward(params, cache, y):
        X, emb, z1, xhat, std, bn, h = (cache[k] for k in ("X", "emb", "z1", "xhat", "std", "bn", "h"))
        N, D = z1.shape
        dz2 = top(mistake, cache, y)
        dh = dz2 @ params["W2"].T
        dbn = dh if mistake == "tanh_missing" else dh * (1 - bn ** 2) if mistake == "tanh_of_z" else dh * (1 - h ** 2)
        inp = xhat if mistake != "dgamma_x" else z1
        dgamma, dbeta = (dbn * inp).sum(axis=0), dbn.sum(axis=0)
        if mistake == "shared_means":
            dgamma, dbeta = dgamma / N, dbeta / N
        g = dbn if mistake == "gamma_missing" else dbn * params["gamma"]
        mean = lambda a: a.mean(axis=1, keepdims=True) if mistake == "axis" else a.sum(axis=0) / (
            D if mistake == "count" else N)
        spread = mean(g * xhat) * N / (N - 1) if mistake == "n_minus_1" else mean(g * xhat)
        dz1 = (g - (0 if mistake == "mean_path" else mean(g)) - (0 if mistake == "var_path" else xhat * spread)) / std
        demb = (dz1 @ params["W1"].T).reshape(emb.shape)
        dC = np.zeros_like(params["C"])
        if mistake == "counted_once":
            dC[X] = demb
        else:
            np.add.at(dC, X, demb)
        W2 = (bn if mistake == "z_for_h" else h).T @ dz2
        return {"C": dC, "W1": emb.reshape(N, -1).T @ dz1, "gamma": dgamma, "beta": dbeta, "W2": W2,
                "b2": dz2.sum(axis=0), "dz2": dz2, "dh": dh, "dbn": dbn, "dz1": dz1, "demb": demb}
    return backward


BN_CASES = [(m, "dz2", words) for m, (words, _) in TOP.items()] + [
    ("tanh_missing", "dbn", "missing tanh′"), ("tanh_of_z", "dbn", "tanh′ written with bn"),
    ("dgamma_x", "gamma", "dgamma multiplies dout by x"), ("shared_means", "gamma", "means over the batch"),
    ("gamma_missing", "dz1", "gamma is missing"), ("mean_path", "dz1", "the mean's path is missing"),
    ("var_path", "dz1", "the variance's path is missing"), ("n_minus_1", "dz1", "n − 1"),
    ("axis", "dz1", "the sums over the wrong axis"), ("count", "dz1", "divide by the size of the other axis"),
    ("counted_once", "C", "counted once"), ("z_for_h", "W2", "uses bn instead of h")]


def bn_point(seed=9):
    rng = np.random.default_rng(seed)
    params = nets.init_bn_params(5, 3, 2, 4, seed=10)
    params.update(gamma=rng.normal(1.0, 0.5, 4), beta=rng.normal(0.0, 1.0, 4), W2=rng.standard_normal((4, 5)))
    return params, rng.integers(0, 5, size=(6, 3)), rng.integers(0, 5, size=6)


@pytest.mark.parametrize("mistake, line, words", BN_CASES)
def test_the_first_wrong_line_of_lesson_06s_network_is_the_line_with_the_mistake(mistake, line, words):
    params, X, y = bn_point()
    also = ("beta",) if mistake == "shared_means" else ()
    assert_found(first_wrong_line(bn_student(mistake), "mlp_bn", params, X, y), line, words, also)


def test_lesson_06s_right_backward_pass_has_every_line_right():
    params, X, y = bn_point()
    lines = first_wrong_line(bn_student(), "mlp_bn", params, X, y)
    assert set(lines.status.values()) == {RIGHT}, str(lines)
    assert [r.key for r in lines.rows] == ["dz2", "W2", "b2", "dh", "dbn", "gamma", "beta", "dz1", "W1", "demb", "C"]


# The picture

def test_the_graph_frames_the_first_wrong_line_and_colours_every_line():
    params, X, y = point("mlp3")
    lines = first_wrong_line(mlp_student("mlp3", "tanh_missing", 2), "mlp3", params, X, y)
    boxes = {t.get_text(): t.get_bbox_patch() for t in lines.figure().axes[0].texts if t.get_bbox_patch()}
    assert {r.key for r in lines.rows} <= boxes.keys()
    assert [k for k, b in boxes.items() if b.get_linewidth() > 1] == ["dz2"]
    colours = {k: b.get_facecolor() for k, b in boxes.items()}
    assert colours["dz2"] != colours["dh2"] != colours["dz1"] and colours["dz3"] == colours["dh2"]


def test_the_picture_is_a_png_the_feedback_keeps_and_the_widget_opens_on_the_first_wrong_line():
    params, X, y = point("mlp_tanh")
    lines = first_wrong_line(mlp_student("mlp_tanh", "sign"), "mlp_tanh", params, X, y)
    bundle = lines._repr_mimebundle_()
    png = bundle["image/png"]
    assert png.startswith(b"\x89PNG") and len(base64.b64encode(png)) < 256 * 1024   # outputs.max_image_bytes
    assert "data:image/png;base64," in bundle["text/html"] and "the first wrong line" in bundle["text/html"]
    assert bundle["text/plain"].startswith("the first wrong line: dz2 = (p − Y)/N")
    widget = lines.explore()
    picker, view = widget.children
    assert picker.value == "dz2" and "dz2 = (p − Y)/N" in view.value
    picker.value = "W1"
    assert "dW1 = Xᵀ · dz1" in view.value and "inherits" not in view.value and "input from a line above" in view.value


@pytest.mark.parametrize("answer", [None, "dW", {"W2": "x", "dz2": object(), "dh": [[1, 2]]}, {"dz2": np.full((5, 3), np.nan)}])
def test_an_answer_that_is_no_gradient_gets_a_verdict_not_an_exception(answer):
    params, X, y = point("mlp_tanh")
    lines = first_wrong_line(lambda p, c, y: answer, "mlp_tanh", params, X, y)
    assert lines.first in ("dz2", "W2") and lines.status["W1"] == WRONG, str(lines)
    assert lines.figure() and str(lines)


# The lab assistant's layer check (lesson 06's check cells)

def test_check_layer_judges_each_input_and_says_when_the_cache_was_modified():
    from backprop_ninja import check_layer
    rng = np.random.default_rng(6)
    x, gamma, beta = rng.normal(2.0, 3.0, (4, 3)), rng.normal(1.0, 0.5, 3), rng.normal(0.0, 1.0, 3)
    dout = rng.standard_normal((4, 3))

    def backward(dout, cache, forget_gamma=False, in_place=False):
        xhat, std, g = cache["xhat"], cache["std"], dout * (1.0 if forget_gamma else cache["gamma"])
        dx = (g - g.mean(axis=0) - xhat * (g * xhat).mean(axis=0)) / std
        if in_place:
            cache["xhat"] *= 2
        return {"x": dx, "gamma": (dout * xhat).sum(axis=0), "beta": dout.sum(axis=0)}

    inputs = {"x": x, "gamma": gamma, "beta": beta}
    right = check_layer(backward, nets.batchnorm_forward, inputs, dout)
    assert right.all_passed and [r.name for r in right.rows] == ["x", "gamma", "beta", "inputs unchanged"]
    wrong = check_layer(lambda d, c: backward(d, c, forget_gamma=True), nets.batchnorm_forward, inputs, dout)
    assert wrong.passed == {"x": False, "gamma": True, "beta": True, "inputs unchanged": True}
    spoilt = check_layer(lambda d, c: backward(d, c, in_place=True), nets.batchnorm_forward, inputs, dout)
    assert not spoilt.passed["inputs unchanged"] and "xhat" in str(spoilt) and spoilt.passed["x"]
    assert not check_layer(lambda d, c: None, nets.batchnorm_forward, inputs, dout).passed["x"]


def test_check_backward_checks_lesson_06s_network_and_names_its_mistakes():
    from backprop_ninja import check_backward
    params, X, y = bn_point()
    report = check_backward(bn_student("tanh_missing"), "mlp_bn", params, X, y)
    assert [r.name for r in report.rows] == ["dz2", "W2", "b2", "dh", "dbn", "gamma", "beta", "dz1", "W1", "demb", "C"]
    assert report.first_failure == "dbn" and report.passed["dh"]
    assert "missing tanh′ on the batchnorm's output" in next(r.hint for r in report.rows if r.name == "W1")
    assert check_backward(bn_student(), "mlp_bn", params, X, y).all_passed
