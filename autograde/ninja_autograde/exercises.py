"""What each hidden test feeds a graded function; the judging rules are the student package's own.

Runs in the grader's process (the referee) or in a judge process, never in the student's
kernel. Every test draws its data from the generator it is given (keyed per student and test
by the referee), so no answer can be tuned to it, and calls the student's function at least
twice with different shapes, so an answer that replays its first result fails. Each backward
test of a network also calls it once on a network of a million parameters (`ninja_hidden.scale`),
which a derivation answers in milliseconds and finite differences not within the cell's timeout.
How the answers are judged (`backprop_ninja.judging`: references from the course's forward passes
through finite differences, the named mistakes of `backprop_ninja.mistakes`) is exactly what the
notebook's visible tests use on their fixed data, so Validate and the grade agree.
"""

import numpy as np

from backprop_ninja import data, functions, judging, nets, trace
from backprop_ninja.diagnose import diagnose_directional
from backprop_ninja.gradcheck import directional_derivatives, numerical_gradient
from backprop_ninja.judging import TRAIN_RUNS, Rules, _same, xor_run

from ninja_hidden import scale


def _logits(rng, extreme):
    N, K = int(rng.integers(2, 8)), int(rng.integers(2, 9))
    z = rng.normal(0.0, 3.0, (N, K))
    if extreme:
        z = rng.choice([-1000.0, 1000.0], size=(N, K)) + rng.normal(0.0, 1.0, (N, K))
    return {"z": z, "y": rng.integers(0, K, size=N)}


class CentralDifference(judging.CentralDifference):
    def calls(self, rng, part):
        shapes = [(int(rng.integers(2, 6)),), (int(rng.integers(2, 4)), int(rng.integers(2, 4)))]
        eps = 1e-2 if part == "eps" else 1e-5
        return [{"f": functions.draw(rng, s), "x": rng.uniform(-1.5, 1.5, s), "eps": np.array(eps)}
                for s in shapes]


class Softmax(judging.Softmax):
    def calls(self, rng, part):
        return [{"z": _logits(rng, part == "extreme")["z"]} for _ in range(2)]


class NLLLoss(judging.NLLLoss):
    def calls(self, rng, part):
        return [_logits(rng, part == "extreme") for _ in range(2)]


class SoftmaxNLLBackward(judging.SoftmaxNLLBackward):
    def calls(self, rng, part):
        return [_logits(rng, part == "extreme") for _ in range(2)]


class MLPBackward(judging.MLPBackward):
    """Backward pass of a course network; one test part per tensor, plus 'unchanged' and 'train'.

    Each tensor's part also calls the function on a large network (`scale_sizes`): a derivation
    answers it in milliseconds, finite differences not within the cell's timeout."""

    def __init__(self, network, scale_sizes):
        super().__init__(network)
        self.scale_sizes = scale_sizes

    def calls(self, rng, part):
        if part == "train":
            return [xor_run(int(rng.integers(2**31))) for _ in range(TRAIN_RUNS)]
        small = [self._draw(rng, N) for N in (1, int(rng.integers(3, 9)))]
        if part == "unchanged":
            return small
        big = scale.recipe(rng, self.net.forward.__name__, self.scale_sizes, 4, part)
        return small + [{**big, "_directions": np.array(int(rng.integers(2**31)))}]

    def _draw(self, rng, N):
        depth = self.net.depth
        while True:
            sizes = [int(s) for s in rng.integers(2, 7, size=depth + 1)]
            params = nets.init_params(sizes, seed=int(rng.integers(2**31)))
            X = rng.standard_normal((N, sizes[0]))
            y = rng.integers(0, sizes[-1], size=N)
            _, cache = self.net.forward(params, X, y)
            pre = [cache[k] for k in cache if k.startswith("z") and k != f"z{depth}"]
            if self.net.act == "tanh" or min(np.abs(z).min() for z in pre) > 1e-3:   # stay off ReLU's kink
                return {"params": params, "cache": cache, "y": y}

    def judge_one(self, part, call, got):
        return self._judge_at_scale(part, call, got) if "network" in call else super().judge_one(part, call, got)

    def _judge_at_scale(self, part, call, got):
        """The part's tensor on the large network, along random directions and its own (cheap for the referee)."""
        params, cache, y = scale.network(call)
        g, theta = got.get(part) if isinstance(got, dict) else None, params[part]
        where = f"on a network of {scale.parameters(call):,} parameters"
        if g is None or g.shape != theta.shape:
            return f"d{part} {where}: missing or wrongly shaped (expected {theta.shape})"
        if not np.all(np.isfinite(g)):
            return f"d{part} {where} has NaN or inf values"
        rng = np.random.default_rng(int(call["_directions"]))
        directions = rng.standard_normal((3,) + theta.shape)
        if np.any(g):
            directions = np.concatenate([directions, g[None]])
        directions /= np.sqrt((directions ** 2).sum(axis=tuple(range(1, directions.ndim)), keepdims=True))
        loss = lambda: self.net.forward(params, cache["X"], y)[0]
        numeric = directional_derivatives(loss, theta, directions, eps=1e-6 / np.sqrt(theta.size))
        analytic = np.tensordot(directions, g, axes=g.ndim)
        if np.all(np.abs(analytic - numeric) <= 1e-7 + 1e-4 * np.abs(numeric)):
            return ""
        return f"d{part} is wrong {where}: {diagnose_directional(analytic, numeric)}"


class TraceByHand(Rules):
    """Numbers computed on paper for lesson 04's hand trace, against finite differences of its loss.

    The trace is one fixed network, so there is nothing to draw: the call carries no argument
    (only the placeholder `no_arguments`, since an empty call would not travel)."""
    atol, rtol = 2e-6, 0.0   # six decimals, as the lesson asks

    def calls(self, rng, part):
        return [{"no_arguments": np.array(0)}]

    def reference(self, call):
        numeric = trace.numerical_node_grads()
        return {**numeric, "dW1_dead_row": trace.numerical_grads()["W1"][0]}

    def hypotheses(self, call, key):
        right = self.reference(call)
        unmasked = {**right, "dz1": right["dh"], "dW1_dead_row": right["dh"][0] * np.array(trace.X)}
        return [("the sign is flipped: dz2 = p − y, not y − p", -right[key]),
                ("no ReLU mask: the dead neuron (z1 < 0) passes no gradient, so its dz1 and its dW1 row are 0",
                 unmasked[key])]


class GradientDescent(Rules):
    """The student's training loop, driven by a backward pass the referee chooses: the gradient of
    ½·decay·Σ‖θ‖², so that `steps` updates θ ← θ − lr·decay·θ leave exactly θ·(1 − lr·decay)^steps.
    The test never touches the student's own backward pass."""
    atol, rtol = 1e-9, 1e-9

    def calls(self, rng, part):
        out = []
        for N, steps in ((int(rng.integers(3, 9)), int(rng.integers(2, 6))), (1, int(rng.integers(6, 12)))):
            sizes = [int(s) for s in rng.integers(2, 6, size=3)]
            out.append({"params": nets.init_params(sizes, seed=int(rng.integers(2**31)), relu=True),
                        "X": rng.standard_normal((N, sizes[0])), "y": rng.integers(0, sizes[-1], size=N),
                        "backward": np.array(rng.uniform(0.5, 2.0)), "steps": np.array(steps),
                        "lr": np.array(rng.uniform(0.05, 0.3))})
        return out

    def reference(self, call, steps=None, sign=-1.0):
        decay, lr = float(call["backward"]), float(call["lr"])
        steps = int(call["steps"]) if steps is None else steps
        return {k: v * (1 + sign * lr * decay) ** steps for k, v in call["params"].items()}

    def judge(self, part, calls, outputs, afters):
        if part == "unchanged":
            for i, (call, got, after) in enumerate(zip(calls, outputs, afters)):
                if isinstance(got, str):
                    return got
                changed = [k for k in call["params"] if not _same(call["params"][k], after["params"].get(k))]
                if changed:
                    return f"the loop updated params[{', '.join(map(repr, changed))}] in place; build a new dict"
            return ""
        return super().judge(part, calls, outputs, afters)

    def judge_one(self, part, call, got):
        return self._judge_at_scale(part, call, got) if "network" in call else super().judge_one(part, call, got)

    def _judge_at_scale(self, part, call, got):
        """The part's tensor on the large network, along random directions and its own (cheap for the referee)."""
        params, cache, y = scale.network(call)
        g, theta = got.get(part) if isinstance(got, dict) else None, params[part]
        where = f"on a network of {scale.parameters(call):,} parameters"
        if g is None or g.shape != theta.shape:
            return f"d{part} {where}: missing or wrongly shaped (expected {theta.shape})"
        if not np.all(np.isfinite(g)):
            return f"d{part} {where} has NaN or inf values"
        rng = np.random.default_rng(int(call["_directions"]))
        directions = rng.standard_normal((3,) + theta.shape)
        if np.any(g):
            directions = np.concatenate([directions, g[None]])
        directions /= np.sqrt((directions ** 2).sum(axis=tuple(range(1, directions.ndim)), keepdims=True))
        loss = lambda: self.forward(params, cache["X"], y)[0]
        numeric = directional_derivatives(loss, theta, directions, eps=1e-6 / np.sqrt(theta.size))
        analytic = np.tensordot(directions, g, axes=g.ndim)
        if np.all(np.abs(analytic - numeric) <= 1e-7 + 1e-4 * np.abs(numeric)):
            return ""
        return f"d{part} is wrong {where}: {diagnose_directional(analytic, numeric)}"

    def hypotheses(self, call, key):
        steps = int(call["steps"])
        return [(mistake, grads[key]) for mistake, grads in [
            ("steps uphill: the update is θ − lr·grad, not θ + lr·grad", self.reference(call, sign=1.0)),
            ("one step too few: range(steps) makes exactly `steps` updates", self.reference(call, steps - 1)),
            ("one step too many: range(steps) makes exactly `steps` updates", self.reference(call, steps + 1)),
            ("computes the gradient once, before the loop: recompute it from the new params at every step",
             {k: v * (1 - steps * float(call["lr"]) * float(call["backward"])) for k, v in call["params"].items()}),
        ]]


EXERCISES = {
    "central_difference": CentralDifference(),
    "softmax": Softmax(),
    "nll_loss": NLLLoss(),
    "softmax_nll_backward": SoftmaxNLLBackward(),
    "mlp_tanh_backward": MLPBackward("mlp_tanh", [1024, 1024, 10]),
    "mlp_relu_backward": MLPBackward("mlp_relu", [1024, 1024, 10]),
    "mlp3_backward": MLPBackward("mlp3", [1024, 1024, 64, 10]),
    "trace_by_hand": TraceByHand(),
    "gradient_descent": GradientDescent(),
}


# Lesson 06: batchnorm, layernorm, the embedding, and the network built from them.

def _changed(before, after, path=""):
    """The names of the arrays in `before` (nested dicts) that `after` does not hold unchanged."""
    if isinstance(before, dict):
        after = after if isinstance(after, dict) else {}
        return [name for key in before for name in _changed(before[key], after.get(key), f"{path}{key}/")]
    return [] if _same(np.asarray(before), after) else [path.rstrip("/")]


class LayerBackward(Rules):
    """A layer's backward(dout, cache): one test part per returned gradient, plus 'unchanged'.

    The reference is the gradient of Σ out·dout, by finite differences of the layer's forward."""
    atol, rtol = 1e-6, 1e-5
    inputs = ()   # the names, in the cache, of the inputs the layer is differentiated by

    def forward(self, cache):
        """out of the layer's forward pass on the inputs kept in cache."""
        raise NotImplementedError

    def reference(self, call):
        cache = {k: (v.copy() if k in self.inputs else v) for k, v in call["cache"].items()}
        loss = lambda: float(np.sum(self.forward(cache) * call["dout"]))
        return {name: numerical_gradient(loss, cache[name]) for name in self.inputs}

    def judge(self, part, calls, outputs, afters):
        if part != "unchanged":
            return super().judge(part, calls, outputs, afters)
        for i, (call, got, after) in enumerate(zip(calls, outputs, afters)):
            if isinstance(got, str):
                return got
            changed = _changed(call, after)
            if changed:
                return f"the function modified {', '.join(changed)} in place; work on copies"
        return ""


class NormBackward(LayerBackward):
    """batchnorm_backward or layernorm_backward: x is normalised over `axis`."""
    inputs = ("x", "gamma", "beta")

    def __init__(self, axis):
        self.axis = axis
        self.layer = nets.batchnorm_forward if axis == 0 else nets.layernorm_forward

    def forward(self, cache):
        return self.layer(cache["x"], cache["gamma"], cache["beta"])[0]

    def calls(self, rng, part):
        """Two calls: n = 2 along the normalised axis (the smallest batch that normalises), then 3 to 8."""
        return [self._draw(rng, n) for n in (2, int(rng.integers(3, 9)))]

    def _draw(self, rng, n):
        other = int(rng.integers(1, 6))   # the size of the axis that is not normalised
        shape = (n, other) if self.axis == 0 else (other, n)
        while True:
            x = rng.normal(rng.normal(0, 2), rng.uniform(0.5, 3), shape)
            if x.var(axis=self.axis).min() > 0.05:   # std well above sqrt(eps): finite differences stay exact
                break
        D = shape[1]
        _, cache = self.layer(x, rng.normal(1.0, 0.5, D), rng.normal(0.0, 1.0, D))
        return {"dout": rng.standard_normal(shape), "cache": cache}

    def hypotheses(self, call, key):
        dout, cache = call["dout"], call["cache"]
        other = 1 - self.axis
        names = {0: "batchnorm normalises each feature over the batch (axis 0)",
                 1: "layernorm normalises each example over its features (axis 1)"}
        if key == "x":
            return [(mistake, _norm_dx(dout, cache, self.axis, **flags)) for mistake, flags in _NORM_MISTAKES] + [
                (f"the sums over the wrong axis: {names[self.axis]}, so the sums of the backward pass run over "
                 f"axis {self.axis}, not {other}", _norm_dx(dout, cache, other))]
        if key == "gamma":
            return [("dgamma multiplies dout by x; gamma scales xhat, the normalised x", (dout * cache["x"]).sum(axis=0))]
        return ()


_NORM_MISTAKES = [
    ("the mean's path is missing: mu depends on every x, so dx gets −Σ dxhat/(n·std) from it",
     {"mean_path": False}),
    ("the variance's path is missing: var depends on every x, so dx gets dvar·2(x − mu)/n from it",
     {"var_path": False}),
    ("n − 1: this is the backward pass of the unbiased variance; the course normalises with the biased "
     "one, var = (1/n)·Σ (x − mu)², so dvar reaches x as dvar·2(x − mu)/n", {"n_minus_1": True}),
    ("gamma is missing: out = gamma·xhat + beta, so dxhat = dout·gamma", {"gamma": False}),
]


def _norm_dx(dout, cache, axis, mean_path=True, var_path=True, n_minus_1=False, gamma=True):
    """dx of the normalisation with its sums over `axis` and a mistake switched on (analytic, for naming only):

        dx = (dxhat − Σ dxhat / n − xhat·Σ dxhat·xhat / n) / std      (sums over the normalised axis)

    where the first sum is the mean's path into x and the second the variance's."""
    xhat, std = cache["xhat"], cache["std"]
    n = xhat.shape[axis]
    dxhat = dout * cache["gamma"] if gamma else dout
    dx = dxhat
    if mean_path:
        dx = dx - dxhat.sum(axis=axis, keepdims=True) / n
    if var_path:
        dx = dx - xhat * (dxhat * xhat).sum(axis=axis, keepdims=True) / (n - 1 if n_minus_1 else n)
    return dx / std


class EmbeddingBackward(LayerBackward):
    """embedding_backward: every call looks up some row of C more than once."""
    inputs = ("C",)

    def forward(self, cache):
        return nets.embedding_forward(cache["idx"], cache["C"])[0]

    def calls(self, rng, part):
        """A batch of single tokens (N,) and a batch of contexts (N, T), each with a token that repeats."""
        out = []
        for shape in [(int(rng.integers(7, 12)),), (int(rng.integers(2, 5)), int(rng.integers(2, 4)))]:
            V, E = int(rng.integers(3, 6)), int(rng.integers(1, 4))
            idx = rng.integers(0, V, size=shape)
            while len(np.unique(idx)) == idx.size:
                idx = rng.integers(0, V, size=shape)
            _, cache = nets.embedding_forward(idx, rng.standard_normal((V, E)))
            out.append({"dout": rng.standard_normal(shape + (E,)), "cache": cache})
        return out

    def hypotheses(self, call, key):
        dC = np.zeros_like(call["cache"]["C"])
        dC[call["cache"]["idx"]] = call["dout"]
        return [("a repeated row is counted once: dC[idx] = dout (or += dout) writes a row once however often "
                 "idx holds it; add up every use with np.add.at", dC)]


class MLPBNBackward(Rules):
    """mlp_bn_backward: embedding → linear → batchnorm → tanh → linear → softmax + NLL."""
    atol, rtol = 1e-6, 1e-5
    forward = staticmethod(nets.mlp_bn_forward)

    def reference(self, call):
        params, X, y = {k: v.copy() for k, v in call["params"].items()}, call["cache"]["X"], call["y"]
        loss = lambda: self.forward(params, X, y)[0]
        return {name: numerical_gradient(loss, params[name]) for name in params}

    def calls(self, rng, part):
        if part == "train":
            return [{"params": nets.init_bn_params(*CAPSTONE["sizes"], seed=int(rng.integers(2**31))),
                     "seed": np.array(int(rng.integers(2**31))),
                     **{k: np.array(CAPSTONE[k]) for k in ("n", "steps", "lr", "batch")}}]
        return [self._draw(rng, N) for N in (2, int(rng.integers(3, 9)))]

    def _draw(self, rng, N):
        """Contexts of T tokens with more token slots than the vocabulary (so a row of C repeats),
        gamma and beta away from 1 and 0, and every feature spread over the batch."""
        while True:
            V, T, E, H = int(rng.integers(3, 6)), int(rng.integers(3, 5)), int(rng.integers(1, 4)), int(rng.integers(2, 7))
            K = V
            params = nets.init_bn_params(V, T, E, H, seed=int(rng.integers(2**31)))
            params["W2"] = rng.standard_normal((H, K)) / np.sqrt(H)
            params.update(gamma=rng.normal(1.0, 0.5, H), beta=rng.normal(0.0, 1.0, H), b2=rng.normal(0.0, 0.5, K))
            X, y = rng.integers(0, V, size=(N, T)), rng.integers(0, K, size=N)
            _, cache = self.forward(params, X, y)
            if cache["var"].min() > 0.05:
                return {"params": params, "cache": cache, "y": y}

    def judge(self, part, calls, outputs, afters):
        if part == "unchanged":
            for i, (call, got, after) in enumerate(zip(calls, outputs, afters)):
                if isinstance(got, str):
                    return got
                changed = _changed({"params": call["params"], "cache": call["cache"]}, after)
                if changed:
                    return f"the function modified {', '.join(changed)} in place; work on copies"
            return ""
        if part != "train":
            return super().judge(part, calls, outputs, afters)
        (call,), (trained,) = calls, outputs
        if isinstance(trained, str):
            return f"training failed: {trained}"
        if not isinstance(trained, dict) or set(trained) != set(call["params"]):
            return f"training did not return the parameters {', '.join(call['params'])}"
        X, y = data.sequences(int(call["n"]), seed=int(call["seed"]))
        loss = float(self.forward(trained, X, y)[0])
        if not loss <= CAPSTONE["pass_loss"]:
            return (f"{int(call['steps'])} steps of minibatch gradient descent with your backward pass end at loss "
                    f"{loss:.3f} on the training set; a right backward pass reaches {CAPSTONE['loss']} (at most "
                    f"{CAPSTONE['pass_loss']}), from log {CAPSTONE['sizes'][0]} = {np.log(CAPSTONE['sizes'][0]):.2f}")
        return ""

    def hypotheses(self, call, key):
        """Gradients a student would get from the lesson's gotchas (analytic, for naming only)."""
        out = [(mistake, _mlp_bn_grads(call, norm=flags)) for mistake, flags in _NORM_MISTAKES]
        out.append(("the batchnorm's sums run over axis 1, the features: batchnorm normalises each feature over "
                    "the batch, axis 0", _mlp_bn_grads(call, norm={"axis": 1})))
        out.append(("a repeated row of C is counted once: a token used k times in the batch gets k contributions; "
                    "add them all up with np.add.at",
                    _mlp_bn_grads(call, once=True)))
        out.append(("the tanh derivative uses its input instead of h: tanh'(bn) = 1 − h², with h = tanh(bn)",
                    _mlp_bn_grads(call, tanh_of_input=True)))
        return [(mistake, grads[key]) for mistake, grads in out if key in grads]


def _mlp_bn_grads(call, norm=None, once=False, tanh_of_input=False):
    """The network's gradients with one of the lesson's mistakes (analytic, for naming only)."""
    params, cache, y = call["params"], call["cache"], call["y"]
    X, emb, h = cache["X"], cache["emb"], cache["h"]
    N = len(y)
    dz2 = np.exp(cache["logp"])
    dz2[np.arange(N), y] -= 1
    dz2 /= N
    dbn = dz2 @ params["W2"].T * (1 - (cache["bn"] if tanh_of_input else h) ** 2)
    flags = dict(norm or {})
    axis = flags.pop("axis", 0)
    dz1 = _norm_dx(dbn, {"gamma": params["gamma"], "xhat": cache["xhat"], "std": cache["std"]}, axis, **flags)
    demb = (dz1 @ params["W1"].T).reshape(emb.shape)
    dC = np.zeros_like(params["C"])
    if once:
        dC[X] = demb
    else:
        np.add.at(dC, X, demb)
    return {"C": dC, "W1": emb.reshape(N, -1).T @ dz1, "gamma": (dbn * cache["xhat"]).sum(axis=0),
            "beta": dbn.sum(axis=0), "W2": h.T @ dz2, "b2": dz2.sum(axis=0)}


# The capstone of lesson 06, as the lesson trains it: vocabulary, context, embedding and hidden sizes;
# data set size, steps, learning rate and batch; the loss the lesson states and the hidden test's bar.
CAPSTONE = {"sizes": (8, 3, 4, 32), "n": 8000, "steps": 3000, "lr": 0.5, "batch": 64,
            "loss": 0.82, "pass_loss": 0.95}

EXERCISES.update({
    "batchnorm_backward": NormBackward(axis=0),
    "layernorm_backward": NormBackward(axis=1),
    "embedding_backward": EmbeddingBackward(),
    "mlp_bn_backward": MLPBNBackward(),
})
