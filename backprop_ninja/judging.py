"""How a graded function's answers are judged: one set of rules for the notebook's visible tests and the grader.

`RULES[name].judge(part, calls, outputs, afters)` is a `Verdict`: passed, or which mistake (an id), on which
tensor, in the lessons' words, with what was measured. A call is a dict of the function's arguments; an output is what the function
returned (arrays, or a dict of arrays) or a string saying what went wrong; an after is the call's
inputs as the function left them. The visible tests (`checks`) judge fixed data in the student's
kernel; the grader judges fresh data it draws, out of the student's reach, with these same rules.

Expected values come from the course's forward passes, through finite differences for gradients;
the named mistakes come from `mistakes`, measured too. Nothing here knows a backward pass.
"""

from collections.abc import Mapping

import numpy as np

from . import data, mistakes, nets, scale, trace
from .diagnose import diagnose, diagnose_directional
from .functions import make
from .gradcheck import agreement, directional_derivatives, numerical_gradient, round_off
from .networks import NETWORKS, Probe
from .verdict import PASSED, Mistake, Verdict, failed, id_of


def _within(got, expected, atol, rtol):
    return got.shape == expected.shape and bool((np.abs(got - expected) <= atol + rtol * np.abs(expected)).all())


def _same(before, after):
    return isinstance(after, np.ndarray) and before.shape == after.shape and bool((before == after).all())


def changed_arrays(before, after, path=""):
    """The names (x, params['W1']) of the arrays in `before` (nested dicts) that `after` does not hold unchanged."""
    if isinstance(before, dict):
        after = after if isinstance(after, dict) else {}
        return [name for key in before
                for name in changed_arrays(before[key], after.get(key), f"{path}[{key!r}]" if path else key)]
    return [] if _same(np.asarray(before), after) else [path]


def _judge_unchanged(calls, outputs, afters, groups=None, advice="work on a copy"):
    """The one rule of every 'unchanged' test: passed if each call's inputs (those named in `groups`, nested dicts
    included; default: every input) are exactly as they were after the student's function ran."""
    for call, got, after in zip(calls, outputs, afters):
        if isinstance(got, str):
            return _describe(got)
        names = groups or list(after)
        changed = changed_arrays({k: call[k] for k in names}, {k: after.get(k) for k in names})
        if changed:
            return Verdict("modified-input", f"the function modified {'its input ' if groups is None else ''}"
                           f"{', '.join(changed)} in place; {advice}", ", ".join(changed))
    return PASSED


class NumericalGradients(Mapping):
    """Central-difference gradients of loss() by each array of `params` (perturbed in place), each
    measured when it is first read: a test about one tensor pays for that tensor's alone."""

    def __init__(self, loss, params):
        self.loss, self.params, self._measured = loss, params, {}

    def __getitem__(self, name):
        if name not in self._measured:
            self._measured[name] = numerical_gradient(self.loss, self.params[name])
        return self._measured[name]

    def __iter__(self):
        return iter(self.params)

    def __len__(self):
        return len(self.params)


def _describe(error, before=""):
    """The verdict on a function that gave no answer (`error`, a `Mistake` from `checks.outcome`), in the lessons'
    words when they have some."""
    said, hint = error.rstrip().rstrip(":"), mistakes.ERRORS.get(id_of(error, "raised"))
    return Verdict(id_of(error, "raised"), before + (f"{said}: {hint}" if hint else said))


# The training test: this many XOR networks, each to this accuracy (measured over 50 seeds per
# calibration case: benchmarks/xor_training.py), by plain full-batch gradient descent.
TRAIN_RUNS, TRAIN_ACCURACY = 3, 0.95
XOR_STEPS, XOR_LR = 3000, 0.5


def xor_run(seed):
    """(params, X, y) of one run of the training test: 200 XOR points over the square, a He-initialised 2→8→2 net."""
    X, y = data.xor(200, seed=seed)
    return nets.init_params([2, 8, 2], seed=seed + 1, relu=True), X, y


def xor_call(seed):
    """A training test's call: only the seed travels; the kernel's trainer rebuilds the run from it."""
    return {"train": np.array("xor"), "seed": np.array(seed), "steps": np.array(XOR_STEPS), "lr": np.array(XOR_LR)}


# The capstone of lesson 06, as the lesson trains it: vocabulary, context, embedding and hidden sizes;
# data set size, steps, learning rate and batch; the loss the lesson states and the hidden test's bar.
CAPSTONE = {"sizes": (8, 3, 4, 32), "n": 8000, "steps": 3000, "lr": 0.5, "batch": 64,
            "loss": 0.82, "pass_loss": 0.95}


def capstone_run(seed):
    """(params, X, y) of one run of lesson 06's training test: a fresh network and a fresh sequence."""
    X, y = data.sequences(CAPSTONE["n"], seed=seed)
    return nets.init_bn_params(*CAPSTONE["sizes"], seed=seed + 1), X, y


def capstone_call(seed):
    return {"train": np.array("sequences"), "seed": np.array(seed),
            **{k: np.array(CAPSTONE[k]) for k in ("steps", "lr", "batch")}}


class Rules:
    """A graded function: its reference, its named mistakes, its verdict."""
    atol, rtol = 1e-6, 1e-6
    gradient = False    # judged by the lab assistant's relative measure against finite differences
    non_finite = "has NaN or inf values (an unstable exp or log?)"

    def reference(self, call):
        raise NotImplementedError

    def tolerance(self, call, expected):
        """The absolute error a right answer may show on `expected`."""
        return self.atol

    def hypotheses(self, call, key):
        return ()

    def noise(self, call, key):
        """Round-off of the finite differences behind a gradient's reference (of tensor `key`)."""
        return 0.0

    def where(self, call, key):
        return ""

    def label(self, key):
        """How a verdict names the returned tensor `key`: a gradient's name."""
        return (key if key.startswith("d") else f"d{key}") if key else "the result"

    def judge(self, part, calls, outputs, afters):
        """The verdict on the answers of this part: the first call's that fails, else passed."""
        for call, got, after in zip(calls, outputs, afters):
            if isinstance(got, str):
                return _describe(got)
            if part == "unchanged":
                return _judge_unchanged(calls, outputs, afters)
            verdict = self.judge_one(part, call, got)
            if not verdict.passed:
                return verdict
        return PASSED

    def judge_one(self, part, call, got):
        expected = self.reference(call)
        if isinstance(expected, Mapping) != isinstance(got, dict):
            kind = "a dict of gradients" if isinstance(expected, Mapping) else "an array"
            return Verdict("wrong-type", f"expected {kind}, got {'a dict' if isinstance(got, dict) else 'an array'}")
        if isinstance(expected, Mapping):
            key = part if part in expected else None
            pairs = [(key, got.get(key), expected[key])] if key else [(k, got.get(k), v) for k, v in expected.items()]
        else:
            pairs = [(None, got, np.asarray(expected, dtype=np.float64))]
        for key, g, e in pairs:
            label = self.label(key)
            if g is None:
                return Verdict("missing", f"{label} is missing from the returned dict", label)
            if g.shape != e.shape:
                hint = diagnose(g, e)
                return failed(f"{label}: wrong shape {g.shape}, expected {e.shape}. {hint}", label, mistake=hint.id)
            if not np.all(np.isfinite(g)):
                return Verdict("not-finite", f"{label} {self.non_finite}", label)
            if self.gradient:
                agree = agreement(g, e, self.noise(call, key))   # too small to judge is not wrong: not failed here
                wrong, error = agree.wrong, agree.max_error
                measure = "relative error"
            else:
                wrong, error = not _within(g, e, self.tolerance(call, e), self.rtol), float(np.max(np.abs(g - e)))
                measure = "max error"
            if wrong:
                hint = diagnose(g, e, self.hypotheses(call, key), self.where(call, key))
                return failed(f"{label} is wrong, {measure} {error:.2e}: {hint}", label, {measure: error},
                              id_of(hint))
        return PASSED


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
    """dL/dz; its parts "random" and "extreme" also hold a scale call: a million logits, which a
    derivation answers in milliseconds and finite differences (two losses an entry) not in hours."""
    gradient = True
    SCALE_SIZES = (256, 4096)   # N, K: np.eye(K) fits; finite differences even a column at a time take minutes

    def scale_calls(self, rng, part):
        """The scale call of a part, with the directions the referee keeps to itself."""
        if part == "unchanged":
            return []
        big = scale.logits_recipe(rng, *self.SCALE_SIZES, extreme=part == "extreme")
        return [{**big, "_directions": np.array(int(rng.integers(2**31)))}]

    def reference(self, call):
        z, y = call["z"].copy(), call["y"]
        return numerical_gradient(lambda: nets.nll(nets.log_softmax(z), y), z)

    def noise(self, call, key):
        """The finite differences' round-off, or a right answer's computed in float32 (a style the course
        accepts): p − Y subtracts probabilities near 1 from the one-hot's 1, and float32 keeps ε₃₂ of them."""
        z, y = call["z"].copy(), call["y"]
        float32 = np.finfo(np.float32).eps / len(y)
        return max(round_off(lambda: nets.nll(nets.log_softmax(z), y), z), float(float32))

    def hypotheses(self, call, key):
        return mistakes.softmax_nll_backward(call["z"], call["y"])

    def judge_one(self, part, call, got):
        if "network" not in call:
            return super().judge_one(part, call, got)
        z, y = scale.arguments(call)
        return along_directions(lambda: nets.nll(nets.log_softmax(z), y), z, None if isinstance(got, dict) else got,
                                "dz", call, scale.LOGITS_STEP)


class MLPBackward(Rules):
    """Backward pass of a course network; one test part per tensor, plus 'unchanged' and 'train'.

    A tensor's part also holds a "scale" call: a network of over a million parameters whose hidden
    layer next to the tensor is 50,000 units wide (`scale_sizes`), judged along random directions. A
    derivation answers in milliseconds (loops in seconds); finite differences need 100,000 forward
    passes even for that layer's bias, and run out of time (the output bias, a few numbers, is the one
    tensor they can afford: README). The training test's calls carry only a seed: the kernel's trainer
    and the judge rebuild the run (`xor_run`) from it."""
    gradient = True
    SCALE_SIZES = {"mlp_tanh": [16, 16, 10], "mlp_relu": [16, 16, 10], "mlp3": [16, 16, 16, 10]}
    SCALE_WIDTH = 50_000

    def __init__(self, network):
        self.net = NETWORKS[network]

    def scale_sizes(self, part):
        """The scale network for tensor `part` (W_i or b_i): hidden layer i made SCALE_WIDTH units wide,
        or the last hidden layer for the output layer's tensors (the classes stay few: np.eye(K) must fit)."""
        sizes = list(self.SCALE_SIZES[self.net.name])
        sizes[min(int(part[1:]), len(sizes) - 2)] = self.SCALE_WIDTH
        return sizes

    def reference(self, call):
        params, X, y = {k: v.copy() for k, v in call["params"].items()}, call["cache"]["X"], call["y"]
        return NumericalGradients(lambda: self.net.forward(params, X, y)[0], params)

    def noise(self, call, key):
        params = {k: v.copy() for k, v in call["params"].items()}
        return round_off(lambda: self.net.forward(params, call["cache"]["X"], call["y"])[0], params[key])

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
            return _judge_unchanged(calls, outputs, afters, ("params", "cache"))
        return super().judge(part, calls, outputs, afters)

    def _judge_training(self, calls, outputs):
        """The training test: each XOR network trained with the backward pass, then dW1 on the large
        network (finite differences train a small network well; they cannot answer that)."""
        networks = sum("train" in call for call in calls)
        for i, (call, trained) in enumerate((c, o) for c, o in zip(calls, outputs) if "train" in c):
            if isinstance(trained, str):
                return _describe(trained, "training failed: ")
            params, X, y = xor_run(int(call["seed"]))
            if not isinstance(trained, dict) or set(trained) != set(params):
                return Verdict("not-trained", "training did not return the parameters W1, b1, W2, b2")
            accuracy = float(np.mean(nets.predict(trained, X) == y))
            if not accuracy >= TRAIN_ACCURACY:
                return Verdict("does-not-learn", f"{int(call['steps'])} steps of gradient descent with your backward "
                               f"pass reach {accuracy:.1%} accuracy on XOR (network {i + 1} of {networks}); a right "
                               f"backward pass reaches {TRAIN_ACCURACY:.0%} on every network", "",
                               {"accuracy": accuracy})
        for call, got in zip(calls, outputs):
            if "network" in call:
                verdict = _describe(got) if isinstance(got, str) else self._judge_at_scale(str(call["keep"]), call, got)
                if not verdict.passed:
                    return verdict
        return PASSED

    def judge_one(self, part, call, got):
        return self._judge_at_scale(part, call, got) if "network" in call else super().judge_one(part, call, got)

    def _judge_at_scale(self, part, call, got):
        """The part's tensor on the large network, along random directions and its own (cheap for the referee)."""
        params, cache, y = scale.network(call)
        g = got.get(part) if isinstance(got, dict) else None
        loss = lambda: self.net.forward(params, cache["X"], y)[0]
        return along_directions(loss, params[part], g, f"d{part}", call, scale.STEP)


def along_directions(loss, theta, g, label, call, step):
    """Passed if g agrees with central differences of loss() by theta (perturbed in place), of length `step`,
    along three random directions (from the call's `_directions`, which stay with the referee) and g's own;
    else what is wrong. A scale call's verdict: two forward passes a direction, whatever theta's size."""
    where = scale.where(call)
    if g is None or g.shape != theta.shape:
        return Verdict("wrong-shape", f"{label} {where}: missing or wrongly shaped (expected {theta.shape})", label)
    if not np.all(np.isfinite(g)):
        return Verdict("not-finite", f"{label} {where} has NaN or inf values", label)
    rng = np.random.default_rng(int(call["_directions"]))
    directions = rng.standard_normal((3,) + theta.shape)
    if np.any(g):
        directions = np.concatenate([directions, g[None]])
    directions /= np.sqrt((directions ** 2).sum(axis=tuple(range(1, directions.ndim)), keepdims=True))
    numeric = directional_derivatives(loss, theta, directions, eps=step / np.sqrt(theta.size))
    analytic = np.tensordot(directions, g, axes=g.ndim)
    if np.all(np.abs(analytic - numeric) <= 1e-7 + 1e-4 * np.abs(numeric)):
        return PASSED
    hint = diagnose_directional(analytic, numeric)
    return failed(f"{label} is wrong {where}: {hint}", label, mistake=hint.id)


class TraceByHand(Rules):
    """Numbers computed on paper for lesson 04's hand trace, against finite differences of its loss.

    The trace is one fixed network whose every number the lesson prints, so it is the lesson's check
    only, never graded (a hidden test could only grade copying). Its call carries no argument."""
    atol, rtol = 2e-6, 0.0   # at least six decimals, as the lesson says: rounded to 5 they are off by up to 3.5e-6

    def reference(self, call):
        numeric = trace.numerical_node_grads()
        return {**numeric, "dW1_dead_row": trace.numerical_grads()["W1"][0]}

    def hypotheses(self, call, key):
        right = self.reference(call)
        unmasked = {**right, "dz1": right["dh"], "dW1_dead_row": right["dh"][0] * np.array(trace.X)}
        return [(Mistake("sign-flipped", "the sign is flipped: dz2 = p − y, not y − p"), -right[key]),
                (Mistake("missing-mask", "no ReLU mask: the dead neuron (z1 < 0) passes no gradient, so its dz1 and "
                         "its dW1 row are 0"), unmasked[key])]


class GradientDescent(Rules):
    """The student's training loop, driven by a backward pass the test chooses: the gradient of
    ½·decay·Σ‖θ‖² (`functions.weight_decay`), so that `steps` updates θ ← θ − lr·decay·θ leave exactly
    θ·(1 − lr·decay)^steps. The test never touches the student's own backward pass.

    Part 'logs' judges the lines it prints (`checks.log_rows`) when log_every > 0: `iter s` at s = 0,
    log_every, … below steps, with the loss (to 4 decimals) and accuracy (to 3) of the parameters after s
    updates, then `final` with those after all of them."""
    atol, rtol = 1e-9, 1e-9
    log_atol = {"loss": 1e-4, "acc": 1e-3}   # printed to 4 and 3 decimals, off by at most half the last one

    def reference(self, call, steps=None, sign=-1.0):
        decay, lr = float(call["backward"]), float(call["lr"])
        steps = int(call["steps"]) if steps is None else steps
        return {k: v * (1 + sign * lr * decay) ** steps for k, v in call["params"].items()}

    def label(self, key):
        return key   # the loop returns parameters, not gradients

    def log(self, call, late=0):
        """The right log's rows (step, loss, accuracy), final line step −1; late=1: each iter line one update late."""
        every, steps = int(call["log_every"]), int(call["steps"])

        def row(step, updates):
            params = self.reference(call, updates)
            loss = nets.mlp_relu_forward(params, call["X"], call["y"])[0]
            return [step, loss, float(np.mean(nets.predict(params, call["X"]) == call["y"]))]

        return np.array([row(s, s + late) for s in range(0, steps, every)] + [row(-1, steps)])

    def _judge_log(self, call, rows):
        every, steps = int(call["log_every"]), int(call["steps"])
        setting = f"with log_every = {every} and steps = {steps}"
        expected, late = self.log(call), self.log(call, late=1)
        if rows.ndim != 2 or rows.shape[1] != 3:
            return Verdict("log-unreadable", "the log could not be read")
        want = [int(s) for s in expected[:-1, 0]]
        if not len(rows):
            return Verdict("log-missing", f"printed no log line {setting}: expected `iter <step> loss <loss> acc "
                           f"<accuracy>` at steps {want}, then `final loss <loss> acc <accuracy>`")
        logged = [int(s) for s in rows[rows[:, 0] >= 0, 0]]
        if logged != want:
            return Verdict("log-wrong-steps", f"logged steps {logged} {setting}, expected {want}: a line at step 0 "
                           "and every log_every steps after it")
        if len(rows) != len(expected) or rows[-1, 0] >= 0:
            return Verdict("log-final-line", f"{setting}: expected one line `final loss <loss> acc <accuracy>`, "
                           "after the loop and last")
        for (step, loss, acc), (_, right_loss, right_acc), (_, late_loss, _) in zip(rows, expected, late):
            line = "final" if step < 0 else f"iter {int(step)}"
            if not abs(loss - right_loss) <= self.log_atol["loss"]:
                late_by_one = step >= 0 and abs(loss - late_loss) <= self.log_atol["loss"]
                hint = ("the loss after that step's update? log the loss of the step's forward pass, before the "
                        "update (iter 0 is the network you were given)" if late_by_one
                        else "the loss mlp_relu_forward returns for the parameters of that line")
                return Verdict("log-after-update" if late_by_one else "log-wrong-loss",
                               f"{line} printed loss {loss:.4f}, expected {right_loss:.4f}: {hint}")
            if not abs(acc - right_acc) <= self.log_atol["acc"]:
                percent = abs(acc - 100 * right_acc) <= 100 * self.log_atol["acc"]
                hint = ("a percentage? acc is a fraction, np.mean(predict(params, X) == y)" if percent
                        else "acc is np.mean(predict(params, X) == y) for the parameters of that line")
                return Verdict("log-percentage" if percent else "log-wrong-accuracy",
                               f"{line} printed acc {acc:.3f}, expected {right_acc:.3f}: {hint}")
        return PASSED

    def judge(self, part, calls, outputs, afters):
        if part == "logs":
            for call, rows in zip(calls, outputs):
                verdict = _describe(rows) if isinstance(rows, str) else self._judge_log(call, rows)
                if not verdict.passed:
                    return verdict
            return PASSED
        if part == "unchanged":
            return _judge_unchanged(calls, outputs, afters, ("params",), "build a new dict")
        return super().judge(part, calls, outputs, afters)

    def hypotheses(self, call, key):
        steps = int(call["steps"])
        return [(mistake, grads[key]) for mistake, grads in [
            (Mistake("uphill", "steps uphill: the update is θ − lr·grad, not θ + lr·grad"), self.reference(call, sign=1.0)),
            (Mistake("step-too-few", "one step too few: range(steps) makes exactly `steps` updates"),
             self.reference(call, steps - 1)),
            (Mistake("step-too-many", "one step too many: range(steps) makes exactly `steps` updates"),
             self.reference(call, steps + 1)),
            (Mistake("stale-gradient", "computes the gradient once, before the loop: recompute it from the new "
                     "params at every step"),
             {k: v * (1 - steps * float(call["lr"]) * float(call["backward"])) for k, v in call["params"].items()}),
        ]]


# Lesson 06: batchnorm, layernorm, the embedding, and the network built from them.

class LayerBackward(Rules):
    """A layer's backward(dout, cache): one test part per returned gradient, plus 'unchanged'.

    The reference is the gradient of Σ out·dout, by finite differences of the layer's forward."""
    atol, rtol = 1e-6, 1e-5
    inputs = ()   # the names, in the cache, of the inputs the layer is differentiated by

    def layer(self, arrays):
        """out of the layer's forward pass on the arrays kept in its cache."""
        raise NotImplementedError

    def reference(self, call):
        arrays = {k: (v.copy() if k in self.inputs else v) for k, v in call["cache"].items()}
        loss = lambda: float(np.sum(self.layer(arrays) * call["dout"]))
        return NumericalGradients(loss, {name: arrays[name] for name in self.inputs})

    def judge(self, part, calls, outputs, afters):
        if part == "unchanged":
            return _judge_unchanged(calls, outputs, afters, ("dout", "cache"))
        return super().judge(part, calls, outputs, afters)


class NormBackward(LayerBackward):
    """batchnorm_backward or layernorm_backward: x is normalised over `axis`."""
    inputs = ("x", "gamma", "beta")

    def __init__(self, axis):
        self.axis = axis
        self.forward = nets.batchnorm_forward if axis == 0 else nets.layernorm_forward

    def layer(self, arrays):
        return self.forward(arrays["x"], arrays["gamma"], arrays["beta"])[0]

    def tolerance(self, call, expected):
        """Or a right answer computed in float32: 8 ε₃₂ of the largest term its sums cancel, |dout·γ|/std
        (of order 1 where dx is of order 1e-7: layernorm over two features makes xhat = ±1 whatever x is)."""
        kept = call["cache"]
        terms = float(np.abs(call["dout"] * kept["gamma"]).max() / kept["std"].min())
        return max(self.atol, 8 * float(np.finfo(np.float32).eps) * max(terms, float(np.abs(expected).max())))

    def hypotheses(self, call, key):
        kept = call["cache"]
        return mistakes.for_key(mistakes.normalization(call["dout"], kept["x"], kept["gamma"], self.axis),
                                key, kept[key].shape)


class EmbeddingBackward(LayerBackward):
    """embedding_backward: every call looks up some row of C more than once."""
    inputs = ("C",)

    def layer(self, arrays):
        return nets.embedding_forward(arrays["idx"], arrays["C"])[0]

    def hypotheses(self, call, key):
        kept = call["cache"]
        return mistakes.for_key(mistakes.embedding(call["dout"], kept["idx"], kept["C"]), key, kept["C"].shape)


class MLPBNBackward(Rules):
    """mlp_bn_backward: embedding → linear → batchnorm → tanh → linear → softmax + NLL; plus 'unchanged', 'train'."""
    atol, rtol = 1e-6, 1e-5

    def reference(self, call):
        params, X, y = {k: v.copy() for k, v in call["params"].items()}, call["cache"]["X"], call["y"]
        return NumericalGradients(lambda: nets.mlp_bn_forward(params, X, y)[0], params)

    def hypotheses(self, call, key):
        return mistakes.mlp_bn(call["params"], call["cache"]["X"], call["y"], key)

    def judge(self, part, calls, outputs, afters):
        if part == "unchanged":
            return _judge_unchanged(calls, outputs, afters, ("params", "cache"))
        if part != "train":
            return super().judge(part, calls, outputs, afters)
        (call,), (trained,) = calls, outputs
        if isinstance(trained, str):
            return _describe(trained, "training failed: ")
        params, X, y = capstone_run(int(call["seed"]))
        if not isinstance(trained, dict) or set(trained) != set(params):
            return Verdict("not-trained", f"training did not return the parameters {', '.join(params)}")
        loss = float(nets.mlp_bn_forward(trained, X, y)[0])
        if not loss <= CAPSTONE["pass_loss"]:
            return Verdict("does-not-learn", f"{int(call['steps'])} steps of minibatch gradient descent with your "
                           f"backward pass end at loss {loss:.3f} on the training set; a right backward pass reaches "
                           f"{CAPSTONE['loss']} (at most {CAPSTONE['pass_loss']}), from log {CAPSTONE['sizes'][0]} = "
                           f"{np.log(CAPSTONE['sizes'][0]):.2f}", "", {"loss": loss} if np.isfinite(loss) else {})
        return PASSED


RULES = {
    "central_difference": CentralDifference(),
    "softmax": Softmax(),
    "nll_loss": NLLLoss(),
    "softmax_nll_backward": SoftmaxNLLBackward(),
    "mlp_tanh_backward": MLPBackward("mlp_tanh"),
    "mlp_relu_backward": MLPBackward("mlp_relu"),
    "mlp3_backward": MLPBackward("mlp3"),
    "trace_by_hand": TraceByHand(),
    "gradient_descent": GradientDescent(),
    "batchnorm_backward": NormBackward(axis=0),
    "layernorm_backward": NormBackward(axis=1),
    "embedding_backward": EmbeddingBackward(),
    "mlp_bn_backward": MLPBNBackward(),
}
