"""02_softmax_nll: `softmax(z)`, `nll_loss(z, y)` and `softmax_nll_backward(z, y)`, the gradient (p − Y)/N."""

import numpy as np

from backprop_ninja import data, mistakes, nets, scale
from backprop_ninja.diagnose import Mistake
from backprop_ninja.gradcheck import numerical_gradient, round_off

from ..calls import kind
from ..judging import Exercise, GradedCell, at_scale
from . import Assignment

WHAT = {"random": "the lesson's worked example (N = 1) and a batch of N = 4, K = 3",
        "extreme": "logits of magnitude 1000",
        "unchanged": "inputs left as they were"}


def _cells(short):
    return (GradedCell(f"test_{short}_random", "random", 3),
            GradedCell(f"test_{short}_extreme", "extreme", 1), GradedCell(f"test_{short}_unchanged", "unchanged", 1))


def _fixed(part):
    """The visible calls: the lesson's worked example and a batch, or two batches of extreme logits."""
    def batch(seed, extreme=False):
        return {"z": data.logits(np.random.default_rng(seed), 4, 3, extreme), "y": np.array([0, 2, 1, 2])}
    if part == "extreme":
        return [batch(10, extreme=True), batch(11, extreme=True)]
    return [{"z": np.array([[2.0, 1.0, 0.0]]), "y": np.array([0])}, batch(12)]


def _drawn(rng, part):
    """Two hidden calls: N from 2 to 7 examples of K from 2 to 8 classes."""
    calls = []
    for _ in range(2):
        N, K = int(rng.integers(2, 8)), int(rng.integers(2, 9))
        calls.append({"z": data.logits(rng, N, K, part == "extreme"), "y": rng.integers(0, K, size=N)})
    return calls


class Softmax(Exercise):
    name, cells, what = "softmax", _cells("softmax"), WHAT
    non_finite = "has NaN or inf values: subtract each row's max before np.exp, so no exponent overflows"

    def visible(self, part):
        return [{"z": call["z"]} for call in _fixed(part)]

    def hidden(self, rng, part):
        return [{"z": call["z"]} for call in _drawn(rng, part)]

    def reference(self, call):
        return np.exp(nets.log_softmax(call["z"]))

    def hypotheses(self, call, key):
        z = call["z"]
        e = np.exp(z - z.max())
        out = [(Mistake("softmax-wrong-axis", "axis: normalised over the wrong axis (softmax works row by row: "
                        "axis=1)"), e / e.sum(axis=0))]
        if z.shape[0] == z.shape[1]:
            out.append((Mistake("lost-keepdims", "the row sums lost their axis: keep it (keepdims=True) so that each "
                                "row is divided by its own sum"), e / e.sum(axis=1)))
        return out


class NLLLoss(Exercise):
    name, cells, what = "nll_loss", _cells("nll"), WHAT
    non_finite = ("is not finite: compute log p with the log-sum-exp trick (z − max − log Σ exp(z − max)), "
                  "not np.log(softmax(z)), whose probabilities underflow to 0")

    def visible(self, part):
        return _fixed(part)

    def hidden(self, rng, part):
        return _drawn(rng, part)

    def reference(self, call):
        return nets.nll(nets.log_softmax(call["z"]), call["y"])

    def hypotheses(self, call, key):
        loss, N = self.reference(call), len(call["y"])
        return [(Mistake("sum-not-mean", "sum instead of mean: the loss is the mean over the batch, divide by N"),
                 np.asarray(loss * N)),
                (Mistake("sign-flipped", "the sign is flipped: the loss is minus the mean log-probability"),
                 np.asarray(-loss))]


class SoftmaxNLLBackward(Exercise):
    """dL/dz; its parts "random" and "extreme" also hold a scale call: a million logits, which a
    derivation answers in milliseconds and finite differences (two losses an entry) not in hours."""
    name, cells = "softmax_nll_backward", _cells("backward")
    what = {**WHAT, "random": "the worked example (N = 1), N = 4, K = 3, and 256 × 4,096 logits",
            "extreme": "logits of magnitude 1000, also 256 × 4,096 of them"}
    gradient = True
    SCALE_SIZES = (256, 4096)   # N, K: np.eye(K) fits; finite differences even a column at a time take minutes

    def visible(self, part):
        return _fixed(part) + self._scale_call(np.random.default_rng(13), part)

    def hidden(self, rng, part):
        return _drawn(rng, part) + self._scale_call(rng, part)

    def _scale_call(self, rng, part):
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
        """From the measured dL/dz: p = N·dz + Y, whatever the student wrote."""
        named = {m.id: (m, wrong) for m, wrong in mistakes.output_mistakes(self.reference(call), call["y"], "dz")}
        return [named[id] for id in ("p-minus-one", "one-hot-off-by-one", "missing-over-n", "sign-flipped")]

    def judge_one(self, part, call, got):
        if kind(call) != "scale":
            return super().judge_one(part, call, got)
        z, y = scale.arguments(call)
        return at_scale(lambda: nets.nll(nets.log_softmax(z), y), z, None if isinstance(got, dict) else got,
                                "dz", call, scale.LOGITS_STEP)


ASSIGNMENT = Assignment("02_softmax_nll", "softmax_nll.ipynb", (Softmax(), NLLLoss(), SoftmaxNLLBackward()))
