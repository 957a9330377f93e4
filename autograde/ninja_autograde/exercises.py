"""What each hidden test feeds a graded function, and how it judges the answer.

Runs in the grader's process (the referee) or in a judge process, never in the student's
kernel. Every test draws its data from the generator it is given (keyed per student and test
by the referee), so no answer can be tuned to it, and calls the student's function at least
twice with different shapes, so an answer that replays its first result fails. Each backward
test of a network also calls it once on a network of a million parameters (`ninja_hidden.scale`),
which a derivation answers in milliseconds and finite differences not within the cell's timeout.
Expected values come from the course's forward passes through finite differences
(or, for the forward functions themselves, from their definition); the analytic
formulas below serve only to name a mistake, never to decide a grade.
"""

import numpy as np

from backprop_ninja import data, nets
from backprop_ninja.diagnose import diagnose, diagnose_directional
from backprop_ninja.gradcheck import directional_derivatives, numerical_gradient

from ninja_hidden import functions, scale


def _close(got, expected, atol, rtol):
    return got.shape == expected.shape and bool(np.all(np.abs(got - expected) <= atol + rtol * np.abs(expected)))


def _logits(rng, extreme):
    N, K = int(rng.integers(2, 8)), int(rng.integers(2, 9))
    z = rng.normal(0.0, 3.0, (N, K))
    if extreme:
        z = rng.choice([-1000.0, 1000.0], size=(N, K)) + rng.normal(0.0, 1.0, (N, K))
    return {"z": z, "y": rng.integers(0, K, size=N)}


class Exercise:
    """A graded function: its argument names, its test data and its reference."""
    args = ()
    atol, rtol = 1e-6, 1e-6

    def calls(self, rng, part):
        raise NotImplementedError

    def reference(self, call):
        raise NotImplementedError

    def hypotheses(self, call, key):
        return ()

    def judge(self, part, calls, outputs, afters):
        """'' if the answers are right for this part, else what is wrong."""
        for call, got, after in zip(calls, outputs, afters):
            if isinstance(got, str):
                return got
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
            label = f"d{key}" if key else "the result"
            if g is None:
                return f"{label} is missing from the returned dict"
            if g.shape != e.shape:
                return f"{label}: wrong shape {g.shape}, expected {e.shape}. " + diagnose(g, e)
            if not np.all(np.isfinite(g)):
                return f"{label} has NaN or inf values (an unstable exp or log?)"
            if not _close(g, e, self.atol, self.rtol):
                error = float(np.max(np.abs(g - e)))
                hint = diagnose(g, e, self.hypotheses(call, key))
                return f"{label} is wrong, max error {error:.2e}: {hint}"
        return ""


def _same(before, after):
    return isinstance(after, np.ndarray) and before.shape == after.shape and bool(np.array_equal(before, after))


class CentralDifference(Exercise):
    args = ("f", "x", "eps")
    atol, rtol = 1e-6, 1e-7

    def calls(self, rng, part):
        shapes = [(int(rng.integers(2, 6)),), (int(rng.integers(2, 4)), int(rng.integers(2, 4)))]
        eps = 1e-2 if part == "eps" else 1e-5
        return [{"f": functions.draw(rng, s), "x": rng.uniform(-1.5, 1.5, s), "eps": np.array(eps)}
                for s in shapes]

    def reference(self, call):
        """The central-difference formula itself, coordinate by coordinate, with the call's eps."""
        f, x, eps = functions.make(call["f"]), call["x"].copy(), float(call["eps"])
        return numerical_gradient(lambda: f(x), x, eps)

    def hypotheses(self, call, key):
        f, x, eps = functions.make(call["f"]), call["x"], float(call["eps"])
        return [("a forward difference (f(x+eps) − f(x))/eps: its error is O(eps), not O(eps²)",
                 _forward_difference(f, x, eps)),
                ("perturbs every coordinate at once: move one coordinate at a time",
                 np.full(x.shape, (f(x + eps) - f(x - eps)) / (2 * eps))),
                ("ignores the eps argument (uses 1e-5 whatever eps is passed)",
                 self.reference({**call, "eps": np.array(1e-5)})),
                ("wrong denominator: divide by 2·eps, the distance between x−eps and x+eps",
                 2 * self.reference(call))]


def _forward_difference(f, x, eps):
    grad, fx = np.zeros_like(x), f(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = eps
        grad[i] = (f(x + step) - fx) / eps
    return grad


class Softmax(Exercise):
    args = ("z",)

    def calls(self, rng, part):
        return [{"z": _logits(rng, part == "extreme")["z"]} for _ in range(2)]

    def reference(self, call):
        return np.exp(nets.log_softmax(call["z"]))

    def hypotheses(self, call, key):
        e = np.exp(call["z"] - call["z"].max())
        return [("axis: normalised over the wrong axis (softmax works row by row: axis=1)", e / e.sum(axis=0))]


class NLLLoss(Exercise):
    args = ("z", "y")

    def calls(self, rng, part):
        return [_logits(rng, part == "extreme") for _ in range(2)]

    def reference(self, call):
        return nets.nll(nets.log_softmax(call["z"]), call["y"])

    def hypotheses(self, call, key):
        N = len(call["y"])
        return [("sum instead of mean: the loss is the mean over the batch, divide by N",
                 np.asarray(self.reference(call) * N)),
                ("the sign is flipped: the loss is minus the mean log-probability",
                 np.asarray(-self.reference(call)))]


class SoftmaxNLLBackward(Exercise):
    args = ("z", "y")

    def calls(self, rng, part):
        return [_logits(rng, part == "extreme") for _ in range(2)]

    def reference(self, call):
        z, y = call["z"].copy(), call["y"]
        return numerical_gradient(lambda: nets.nll(nets.log_softmax(z), y), z)

    def hypotheses(self, call, key):
        z, y = call["z"], call["y"]
        N, K = z.shape
        p = np.exp(nets.log_softmax(z))
        Y = np.eye(K)[y]
        return [("p − 1 for every class: subtract the one-hot Y, 1 only at the true class", (p - 1) / N),
                ("one-hot off by one: Y must have its 1 at column y_i", (p - np.eye(K)[(y + 1) % K]) / N),
                ("missing /N: the loss is a mean, so dz = (p − Y)/N", p - Y),
                ("the sign is flipped: dz = (p − Y)/N, not (Y − p)/N", (Y - p) / N)]


class MLPBackward(Exercise):
    """Backward pass of a course network; one test part per tensor, plus 'unchanged'."""
    args = ("params", "cache", "y")
    atol, rtol = 1e-6, 1e-5

    def __init__(self, forward, depth, act, scale_sizes):
        self.forward, self.depth, self.act, self.scale_sizes = forward, depth, act, scale_sizes

    def calls(self, rng, part):
        if part == "train":
            seed = int(rng.integers(2**31))
            X, y = data.xor(200, seed=seed)
            return [{"params": nets.init_params([2, 8, 2], seed=seed + 1, relu=True), "X": X, "y": y,
                     "steps": np.array(3000), "lr": np.array(0.5)}]
        small = [self._draw(rng, N) for N in (1, int(rng.integers(3, 9)))]
        if part == "unchanged":
            return small
        big = scale.recipe(rng, self.forward.__name__, self.scale_sizes, 4, part)
        return small + [{**big, "_directions": np.array(int(rng.integers(2**31)))}]

    def _draw(self, rng, N):
        while True:
            sizes = [int(s) for s in rng.integers(2, 7, size=self.depth + 1)]
            params = nets.init_params(sizes, seed=int(rng.integers(2**31)))
            X = rng.standard_normal((N, sizes[0]))
            y = rng.integers(0, sizes[-1], size=N)
            _, cache = self.forward(params, X, y)
            pre = [cache[k] for k in cache if k.startswith("z") and k != f"z{self.depth}"]
            if self.act == "tanh" or min(np.abs(z).min() for z in pre) > 1e-3:   # stay off ReLU's kink
                return {"params": params, "cache": cache, "y": y}

    def reference(self, call):
        params, X, y = {k: v.copy() for k, v in call["params"].items()}, call["cache"]["X"], call["y"]
        loss = lambda: self.forward(params, X, y)[0]
        return {name: numerical_gradient(loss, params[name]) for name in params}

    def judge(self, part, calls, outputs, afters):
        if part == "train":
            (call,), (trained,) = calls, outputs
            if isinstance(trained, str):
                return f"training failed: {trained}"
            if not isinstance(trained, dict) or set(trained) != set(call["params"]):
                return "training did not return the parameters W1, b1, W2, b2"
            accuracy = float(np.mean(nets.predict(trained, call["X"]) == call["y"]))
            if not accuracy >= 0.9:
                return (f"3000 steps of gradient descent with your backward pass reach {accuracy:.0%} "
                        "accuracy on XOR; a right backward pass reaches at least 90 %")
            return ""
        if part == "unchanged":
            for i, (call, got, after) in enumerate(zip(calls, outputs, afters)):
                if isinstance(got, str):
                    return f"call {i + 1}: {got}"
                for group in ("params", "cache"):
                    changed = [k for k in call[group] if not _same(call[group][k], after[group].get(k))]
                    if changed:
                        return f"the function modified {group}[{', '.join(map(repr, changed))}] in place; work on copies"
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
        """Gradients a student would get from the lessons' gotchas (analytic, for naming only)."""
        return [(mistake, grads[key]) for mistake, grads in _gotchas(call, self.depth, self.act)
                if key in grads and grads[key].shape == call["params"][key].shape]


def _gotchas(call, depth, act):
    params, cache, y = call["params"], call["cache"], call["y"]
    N = len(y)
    hs = [cache["X"]] + [cache.get(f"h{i}", cache.get("h")) for i in range(1, depth)]
    zs = [cache[f"z{i}"] for i in range(1, depth + 1)]
    dz_top = np.exp(cache["logp"])
    dz_top[np.arange(N), y] -= 1
    dz_top /= N

    def backprop(derivative, top=dz_top, use_z=False):
        grads, dz = {}, top
        for i in range(depth, 0, -1):
            inp = zs[i - 2] if (use_z and i > 1) else hs[i - 1]
            grads[f"W{i}"], grads[f"b{i}"] = inp.T @ dz, dz.sum(axis=0)
            if i > 1:
                dz = (dz @ params[f"W{i}"].T) * derivative(zs[i - 2], hs[i - 1])
        return grads

    if act == "tanh":
        right = lambda z, h: 1 - h ** 2
        wrong = [("the tanh derivative uses z instead of h: tanh'(z) = 1 − h², with h = tanh(z)",
                  lambda z, h: 1 - z ** 2)]
    else:
        right = lambda z, h: (z > 0).astype(float)
        wrong = [("the ReLU mask is flipped: gradient flows where z > 0", lambda z, h: (z <= 0).astype(float))]
    out = [("missing activation derivative: multiply dh by the activation's derivative to get dz",
            backprop(lambda z, h: 1.0))]
    out += [(mistake, backprop(d)) for mistake, d in wrong]
    out.append(("uses z instead of h as the input of the next layer (dW = hᵀ·dz, h after the activation)",
                backprop(right, use_z=True)))
    out.append(("divided by N twice: the 1/N belongs in dz of the last layer only", backprop(right, dz_top / N)))
    out.append(("missing /N: the loss is a mean, so dz of the last layer is (p − Y)/N", backprop(right, dz_top * N)))
    K = dz_top.shape[1]
    shifted = (np.exp(cache["logp"]) - np.eye(K)[(y + 1) % K]) / N
    out.append(("one-hot off by one: Y must have its 1 at column y_i", backprop(right, shifted)))
    return out


EXERCISES = {
    "central_difference": CentralDifference(),
    "softmax": Softmax(),
    "nll_loss": NLLLoss(),
    "softmax_nll_backward": SoftmaxNLLBackward(),
    "mlp_tanh_backward": MLPBackward(nets.mlp_tanh_forward, 2, "tanh", [1024, 1024, 10]),
    "mlp_relu_backward": MLPBackward(nets.mlp_relu_forward, 2, "relu", [1024, 1024, 10]),
    "mlp3_backward": MLPBackward(nets.mlp3_forward, 3, "tanh", [1024, 1024, 64, 10]),
}
