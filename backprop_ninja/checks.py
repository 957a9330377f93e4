"""The notebooks' visible tests and the network-aware lab assistant.

    visible_test("softmax", softmax, "random")     # in a graded test cell, before its hidden part
    check_backward(mlp_tanh_backward, "mlp_tanh", params, X, y)   # in a check cell: the whole table

A visible test runs the student's function on fixed data chosen to expose the classic mistakes
(coordinates that interact and a step other than the default for central differences, N > 1 and
N ≠ K for softmax, inputs checked for changes, sizes that tell every axis and transpose apart) and
judges it with the grader's own rules (`judging`): it raises with the diagnosis when the answer is
wrong or unanswered, so Validate fails exactly where the grade would. The grader then repeats the
test on fresh data it draws itself.
"""

import copy
import functools

import numpy as np

from . import data, nets
from .diagnose import diagnose
from .functions import draw, make
from .gradcheck import EPS, Report, backwards, check_tensor, round_off
from .judging import RULES, TRAIN_RUNS, xor_run
from .mistakes import network_mistakes, for_key, where
from .networks import Probe, network

# taken at import, before any student code runs: a notebook that patches numpy's or IPython's names
# (or this module's public ones) does not change what a visible test concludes
_Failure, _float64, _asarray, _print = AssertionError, np.float64, np.asarray, print

WHAT = {   # what each part's visible data checks, for the line printed when it passes
    "values": "functions whose coordinates interact, two shapes",
    "eps": "a step eps = 1e-2, not the default",
    "random": "the lesson's worked example (N = 1) and a batch of N = 4, K = 3",
    "extreme": "logits of magnitude 1000",
    "unchanged": "inputs left as they were",
    "train": f"{TRAIN_RUNS} networks trained for 3000 steps on XOR",
}


def _logits(seed, extreme=False):
    rng = np.random.default_rng(seed)
    z = rng.normal(0.0, 3.0, (4, 3))
    if extreme:
        z = rng.choice([-1000.0, 1000.0], size=(4, 3)) + rng.normal(0.0, 1.0, (4, 3))
    return {"z": z, "y": np.array([0, 2, 1, 2])}


def _softmax_calls(part, with_labels):
    worked = {"z": np.array([[2.0, 1.0, 0.0]]), "y": np.array([0])}
    calls = [_logits(10, extreme=True), _logits(11, extreme=True)] if part == "extreme" else [worked, _logits(12)]
    return [c if with_labels else {"z": c["z"]} for c in calls]


def _central_difference_calls(part):
    rng = np.random.default_rng(20)
    eps = 1e-2 if part == "eps" else 1e-5
    return [{"f": draw(rng, shape), "x": rng.uniform(-1.5, 1.5, shape), "eps": np.array(eps)}
            for shape in [(4,), (2, 3)]]


SIZES = {"mlp_tanh": [4, 6, 3], "mlp_relu": [4, 6, 3], "mlp3": [4, 6, 5, 3]}


def _mlp_calls(net, part):
    if part == "train":
        return [xor_run(seed) for seed in range(TRAIN_RUNS)]
    calls, seed = [], 30
    for N in (1, 7):
        while True:   # the first seed whose pre-activations stay off ReLU's kink
            params, X, y = data.classification(N, SIZES[net.name], seed=seed)
            seed += 1
            _, cache = net.forward(params, X, y)
            if min(np.abs(cache[k]).min() for k in cache if k.startswith("z")) > 1e-3:
                calls.append({"params": params, "cache": cache, "y": y})
                break
    return calls


def visible_calls(name, part):
    """The fixed data of a visible test: the same kinds of call the grader draws afresh."""
    if name == "central_difference":
        return _central_difference_calls(part)
    if name in ("softmax", "nll_loss", "softmax_nll_backward"):
        return _softmax_calls(part, with_labels=name != "softmax")
    return _mlp_calls(RULES[name].net, part)


def visible_test(name, student_fn, part):
    """Judge student_fn on the fixed data of this part: raises AssertionError with the diagnosis if wrong."""
    calls = visible_calls(name, part)
    outputs, afters = zip(*(_run(student_fn, call) for call in calls))
    message = RULES[name].judge(part, list(calls), list(outputs), list(afters))
    if message:
        raise _Failure(message)
    _print(f"{name}, visible test ({WHAT.get(part, f'd{part} with N = 1 and N = 7')}) ✓ — the grade repeats it on fresh data")


def _run(student_fn, call):
    """(what the function returned, or what went wrong; its inputs as it left them)."""
    inputs = copy.deepcopy(call)
    args = [make(v) if k == "f" else float(v) if k == "eps" else v for k, v in inputs.items()]
    try:
        out = train(student_fn, *args) if "steps" in call else student_fn(*args)
    except Exception as error:  # noqa: BLE001 — any failure of the student's code is their answer
        return f"raised {type(error).__name__}: {error}"[:500], _after(inputs)
    if out is None:
        return "returned None: is a return statement missing?", _after(inputs)
    try:
        if isinstance(out, dict):
            return {str(k): _asarray(v, dtype=_float64) for k, v in out.items()}, _after(inputs)
        return _asarray(out, dtype=_float64), _after(inputs)
    except (TypeError, ValueError) as error:
        return f"returned something that is not an array of numbers ({error})"[:500], _after(inputs)


def check_shapes(grads, params):
    """Raise a ValueError naming the first gradient that is missing or shaped unlike its parameter."""
    for name in backwards(params):
        if not isinstance(grads, dict) or name not in grads:
            raise ValueError(f"the backward pass returned no gradient for {name}: return a dict with the keys of params")
        shape = np.shape(grads[name])
        if shape != params[name].shape:
            hint = diagnose(np.zeros(shape), np.zeros(params[name].shape))
            raise ValueError(f"d{name} has shape {shape}, but {name} has shape {params[name].shape} ({hint})")


def train(backward, params, X, y, steps, lr):
    """Full-batch gradient descent on the ReLU MLP with a backward pass; the trained parameters."""
    for step in range(int(steps)):
        _, cache = nets.mlp_relu_forward(params, X, y)
        grads = backward(params, cache, y)
        if step == 0:
            check_shapes(grads, params)
        params = {name: params[name] - float(lr) * grads[name] for name in params}
    return params


def check_backward(backward_fn, network_name, params, X, y, intermediates=None):
    """The lab assistant for a course network: every tensor of backward_fn's answer against finite differences.

    `network_name` is one of "mlp_tanh", "mlp_relu", "mlp3", "deep_tanh". Rows run from the loss
    backwards: the gradients of the parameters and of any intermediates (dz2, dh, dz1, …) that
    backward_fn returns in its dict, or that are passed in `intermediates`, each measured by
    perturbing that cached intermediate and recomputing the rest of the forward pass. A wrong tensor
    is named with the mistakes the grader knows for this network."""
    net = network(network_name)
    params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    _, cache = net.forward(params, X, y)
    answer = backward_fn({k: v.copy() for k, v in params.items()}, copy.deepcopy(cache), y)
    answer = {**(answer if isinstance(answer, dict) else {}), **(intermediates or {})}
    probe = Probe(net, params, X, y)
    named = functools.cache(lambda: network_mistakes(probe))   # measured only if a row is red
    nodes = {f"d{course}": node for node, course in probe.names.items()}
    rows = []
    for key in _order(probe, answer):   # each row is checked before the loop moves on: no late binding
        if key in params:
            theta = params[key].copy()
            loss = lambda: net.forward({**params, key: theta}, X, y)[0]
        else:
            theta = probe.values[nodes[key]].copy()
            loss = lambda: probe.loss_of(nodes[key])(theta)
        rows.append(check_tensor(loss, key, theta, answer.get(key), round_off(probe.loss),
                                 lambda: for_key(named(), key, theta.shape), where(probe.names, probe.depth, key)))
    return Report(rows)


def _order(probe, answer):
    """dzL, WL, bL, dh(L−1), dz(L−1), W(L−1), …: the order a backward pass computes them in."""
    keys = []
    for i in range(probe.depth, 0, -1):
        if i < probe.depth:
            keys.append(f"d{probe.names[f'h{i}']}")
        keys += [f"dz{i}", f"W{i}", f"b{i}"]
    return [k for k in keys if k in answer or not k.startswith("d")]


def _after(inputs):
    """The inputs a function must leave unchanged, as it left them (a function f and the step eps are not arrays)."""
    return {k: v for k, v in inputs.items() if k not in ("f", "eps", "steps", "lr")}
