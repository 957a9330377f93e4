"""How a graded function's answers are judged: one set of rules for the notebook's visible tests and the grader.

`RULES[name].judge(part, calls, outputs, afters)` is '' when the answers are right, else what is wrong in
the lessons' words. A call is a dict of the function's arguments; an output is what the function
returned (arrays, or a dict of arrays) or a string saying what went wrong; an after is the call's
inputs as the function left them. The visible tests (`checks`) judge fixed data in the student's
kernel; the grader judges fresh data it draws, out of the student's reach, with these same rules.

Expected values come from the course's forward passes, through finite differences for gradients;
the named mistakes come from `mistakes`.
"""

import numpy as np

from . import data, mistakes, nets
from .diagnose import diagnose
from .functions import make
from .gradcheck import agreement, numerical_gradient, round_off
from .networks import NETWORKS, Probe


def _within(got, expected, atol, rtol):
    return got.shape == expected.shape and bool((np.abs(got - expected) <= atol + rtol * np.abs(expected)).all())


def _same(before, after):
    return isinstance(after, np.ndarray) and before.shape == after.shape and bool((before == after).all())


def _describe(error):
    """What a function's exception means, in the lessons' words when they have some."""
    error = error.rstrip().rstrip(":")
    hint = mistakes.explain_error(error)
    return f"{error}: {hint}" if hint else error


# The training test: this many XOR networks, each to this accuracy (measured over 50 seeds per
# calibration case: benchmarks/xor_training.py).
TRAIN_RUNS, TRAIN_ACCURACY = 3, 0.95


def xor_run(seed):
    """One training run of the training test: 200 XOR points over the square, a He-initialised 2→8→2 net."""
    X, y = data.xor(200, seed=seed)
    return {"params": nets.init_params([2, 8, 2], seed=seed + 1, relu=True), "X": X, "y": y,
            "steps": np.array(3000), "lr": np.array(0.5)}


class Rules:
    """A graded function: its reference, its named mistakes, its verdict."""
    atol, rtol = 1e-6, 1e-6
    gradient = False    # judged by the lab assistant's relative measure against finite differences
    non_finite = "has NaN or inf values (an unstable exp or log?)"

    def reference(self, call):
        raise NotImplementedError

    def hypotheses(self, call, key):
        return ()

    def noise(self, call):
        """Round-off of the finite differences behind a gradient's reference."""
        return 0.0

    def where(self, call, key):
        return ""

    def judge(self, part, calls, outputs, afters):
        """'' if the answers are right for this part, else what is wrong."""
        for call, got, after in zip(calls, outputs, afters):
            if isinstance(got, str):
                return _describe(got)
            if part == "unchanged":
                changed = [name for name in after if not _same(call[name], after[name])]
                if changed:
                    return f"the function modified its input {', '.join(changed)} in place; work on a copy"
                continue
            message = self.judge_one(part, call, got)
            if message:
                return message
        return ""

    def judge_one(self, part, call, got):
        expected = self.reference(call)
        if isinstance(expected, dict) != isinstance(got, dict):
            kind = "a dict of gradients" if isinstance(expected, dict) else "an array"
            return f"expected {kind}, got {'a dict' if isinstance(got, dict) else 'an array'}"
        if isinstance(expected, dict):
            key = part if part in expected else None
            pairs = [(key, got.get(key), expected[key])] if key else [(k, got.get(k), v) for k, v in expected.items()]
        else:
            pairs = [(None, got, np.asarray(expected, dtype=np.float64))]
        for key, g, e in pairs:
            label = (key if key.startswith("d") else f"d{key}") if key else "the result"
            if g is None:
                return f"{label} is missing from the returned dict"
            if g.shape != e.shape:
                return f"{label}: wrong shape {g.shape}, expected {e.shape}. " + diagnose(g, e)
            if not np.all(np.isfinite(g)):
                return f"{label} {self.non_finite}"
            if self.gradient:
                agree = agreement(g, e, self.noise(call))
                wrong, error = not agree.passed, agree.max_error
                measure = "relative error"
            else:
                wrong, error = not _within(g, e, self.atol, self.rtol), float(np.max(np.abs(g - e)))
                measure = "max error"
            if wrong:
                hint = diagnose(g, e, self.hypotheses(call, key), self.where(call, key))
                return f"{label} is wrong, {measure} {error:.2e}: {hint}"
        return ""


class CentralDifference(Rules):
    atol, rtol = 1e-6, 1e-7

    def reference(self, call):
        """The central-difference formula itself, coordinate by coordinate, with the call's eps."""
        return self._central(call, float(call["eps"]))

    def _central(self, call, eps):
        f, x = make(call["f"]), call["x"].copy()
        return numerical_gradient(lambda: f(x), x, eps)

    def hypotheses(self, call, key):
        return mistakes.central_difference(make(call["f"]), call["x"], float(call["eps"]),
                                           lambda eps: self._central(call, eps))


class Softmax(Rules):
    non_finite = "has NaN or inf values: subtract each row's max before np.exp, so no exponent overflows"

    def reference(self, call):
        return np.exp(nets.log_softmax(call["z"]))

    def hypotheses(self, call, key):
        return mistakes.softmax(call["z"])


class NLLLoss(Rules):
    non_finite = ("is not finite: compute log p with the log-sum-exp trick (z − max − log Σ exp(z − max)), "
                  "not np.log(softmax(z)), whose probabilities underflow to 0")

    def reference(self, call):
        return nets.nll(nets.log_softmax(call["z"]), call["y"])

    def hypotheses(self, call, key):
        return mistakes.nll_loss(self.reference(call), len(call["y"]))


class SoftmaxNLLBackward(Rules):
    gradient = True

    def reference(self, call):
        z, y = call["z"].copy(), call["y"]
        return numerical_gradient(lambda: nets.nll(nets.log_softmax(z), y), z)

    def noise(self, call):
        return round_off(nets.nll(nets.log_softmax(call["z"]), call["y"]))

    def hypotheses(self, call, key):
        return mistakes.softmax_nll_backward(call["z"], call["y"])


class MLPBackward(Rules):
    """Backward pass of a course network; one test part per tensor, plus 'unchanged' and 'train'."""
    gradient = True

    def __init__(self, network):
        self.net = NETWORKS[network]

    def reference(self, call):
        params, X, y = {k: v.copy() for k, v in call["params"].items()}, call["cache"]["X"], call["y"]
        loss = lambda: self.net.forward(params, X, y)[0]
        return {name: numerical_gradient(loss, params[name]) for name in params}

    def noise(self, call):
        return round_off(self.net.forward(call["params"], call["cache"]["X"], call["y"])[0])

    def hypotheses(self, call, key):
        named = mistakes.network_mistakes(Probe(self.net, call["params"], call["cache"]["X"], call["y"]))
        return mistakes.for_key(named, key, call["params"][key].shape)

    def where(self, call, key):
        depth = len(call["params"]) // 2
        return mistakes.where(self.net.names(depth), depth, key)

    def judge(self, part, calls, outputs, afters):
        if part == "train":
            return self._judge_training(calls, outputs)
        if part == "unchanged":
            for i, (call, got, after) in enumerate(zip(calls, outputs, afters)):
                if isinstance(got, str):
                    return _describe(got)
                for group in ("params", "cache"):
                    changed = [k for k in call[group] if not _same(call[group][k], after[group].get(k))]
                    if changed:
                        return f"the function modified {group}[{', '.join(map(repr, changed))}] in place; work on copies"
            return ""
        return super().judge(part, calls, outputs, afters)

    def _judge_training(self, calls, outputs):
        for i, (call, trained) in enumerate(zip(calls, outputs)):
            if isinstance(trained, str):
                return f"training failed: {_describe(trained)}"
            if not isinstance(trained, dict) or set(trained) != set(call["params"]):
                return "training did not return the parameters W1, b1, W2, b2"
            accuracy = float(np.mean(nets.predict(trained, call["X"]) == call["y"]))
            if not accuracy >= TRAIN_ACCURACY:
                return (f"{int(call['steps'])} steps of gradient descent with your backward pass reach "
                        f"{accuracy:.1%} accuracy on XOR (network {i + 1} of {len(calls)}); a right backward "
                        f"pass reaches {TRAIN_ACCURACY:.0%} on every network")
        return ""

RULES = {
    "central_difference": CentralDifference(),
    "softmax": Softmax(),
    "nll_loss": NLLLoss(),
    "softmax_nll_backward": SoftmaxNLLBackward(),
    "mlp_tanh_backward": MLPBackward("mlp_tanh"),
    "mlp_relu_backward": MLPBackward("mlp_relu"),
    "mlp3_backward": MLPBackward("mlp3"),
}
