"""06_batchnorm: `batchnorm_backward`, `layernorm_backward` and `embedding_backward` (each `backward(dout, cache)`),
and `mlp_bn_backward(params, cache, y)`, the network built from them, trained on the lesson's sequences."""

import numpy as np

from backprop_ninja import data, mistakes, nets

from ..judging import Exercise, GradedCell, NumericalGradients, describe, unchanged_verdict
from ..verdict import PASSED, Verdict
from . import Assignment

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


class LayerBackward(Exercise):
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
            return unchanged_verdict(calls, outputs, afters, ("dout", "cache"))
        return super().judge(part, calls, outputs, afters)


class NormBackward(LayerBackward):
    """batchnorm_backward or layernorm_backward: x is normalised over `axis`."""
    inputs = ("x", "gamma", "beta")
    what = {**{p: f"d{p} on two batches, gamma away from 1" for p in inputs}, "unchanged": "inputs left as they were"}

    def __init__(self, axis):
        self.axis = axis
        self.forward = nets.batchnorm_forward if axis == 0 else nets.layernorm_forward
        self.name = "batchnorm_backward" if axis == 0 else "layernorm_backward"
        short = self.name.split("_")[0]
        self.cells = (GradedCell(f"test_{short}_x", "x", 2), GradedCell(f"test_{short}_gamma", "gamma", 1),
                      GradedCell(f"test_{short}_beta", "beta", 1), GradedCell(f"test_{short}_unchanged", "unchanged", 1))

    def visible(self, part):
        rng, calls = np.random.default_rng(60 + self.axis), []
        for n, other in ((2, 3), (5, 4)):
            shape = (n, other) if self.axis == 0 else (other, n)
            x = rng.normal(1.5, 2.0, shape)
            _, cache = nets.normalize_forward(x, rng.normal(1.0, 0.5, shape[1]), rng.normal(0.0, 1.0, shape[1]),
                                              self.axis)
            calls.append({"dout": rng.standard_normal(shape), "cache": cache})
        return calls

    def hidden(self, rng, part):
        """Two calls: n = 2 along the normalised axis (the smallest batch that normalises), then 3 to 8."""
        return [self._draw(rng, n) for n in (2, int(rng.integers(3, 9)))]

    def _draw(self, rng, n):
        other = int(rng.integers(1, 6))   # the size of the axis that is not normalised,
        other += other >= n               # never n's: a count of the wrong axis must show
        shape = (n, other) if self.axis == 0 else (other, n)
        while True:
            x = rng.normal(rng.normal(0, 2), rng.uniform(0.5, 3), shape)
            if x.var(axis=self.axis).min() > 0.05:   # std well above sqrt(eps): finite differences stay exact
                break
        D = shape[1]
        _, cache = self.forward(x, rng.normal(1.0, 0.5, D), rng.normal(0.0, 1.0, D))
        return {"dout": rng.standard_normal(shape), "cache": cache}

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
    name, inputs = "embedding_backward", ("C",)
    cells = (GradedCell("test_embedding_C", "C", 2), GradedCell("test_embedding_unchanged", "unchanged", 1))
    what = {"C": "dC on two batches with repeated tokens", "unchanged": "inputs left as they were"}

    def visible(self, part):
        rng, calls = np.random.default_rng(70), []
        for idx in (np.array([1, 3, 1, 0, 1, 2, 3]), np.array([[0, 2, 0], [4, 2, 1]])):
            _, cache = nets.embedding_forward(idx, rng.standard_normal((5, 2)))
            calls.append({"dout": rng.standard_normal(idx.shape + (2,)), "cache": cache})
        return calls

    def hidden(self, rng, part):
        """A batch of single tokens (N,) and a batch of contexts (N, T), each with a token that repeats."""
        calls = []
        for shape in [(int(rng.integers(7, 12)),), (int(rng.integers(2, 5)), int(rng.integers(2, 4)))]:
            V, E = int(rng.integers(3, 6)), int(rng.integers(1, 4))
            idx = rng.integers(0, V, size=shape)
            while len(np.unique(idx)) == idx.size:
                idx = rng.integers(0, V, size=shape)
            _, cache = nets.embedding_forward(idx, rng.standard_normal((V, E)))
            calls.append({"dout": rng.standard_normal(shape + (E,)), "cache": cache})
        return calls

    def layer(self, arrays):
        return nets.embedding_forward(arrays["idx"], arrays["C"])[0]

    def hypotheses(self, call, key):
        kept = call["cache"]
        return mistakes.for_key(mistakes.embedding(call["dout"], kept["idx"], kept["C"]), key, kept["C"].shape)


class MLPBNBackward(Exercise):
    """mlp_bn_backward: embedding → linear → batchnorm → tanh → linear → softmax + NLL; plus 'unchanged', 'train'."""
    name = "mlp_bn_backward"
    TENSORS = {"C": 2, "W1": 2, "gamma": 1, "beta": 1, "W2": 1, "b2": 1}   # the graded tensors and their points
    cells = (tuple(GradedCell(f"test_mlp_{t}", t, points) for t, points in TENSORS.items())
             + (GradedCell("test_mlp_unchanged", "unchanged", 1), GradedCell("test_trains", "train", 3)))
    what = {**{t: f"d{t} on two batches with repeated tokens, gamma away from 1" for t in TENSORS},
            "unchanged": "inputs left as they were",
            "train": f"{CAPSTONE['steps']} steps of minibatch gradient descent on the lesson's sequence"}
    atol, rtol = 1e-6, 1e-5

    def visible(self, part):
        if part == "train":
            return [capstone_call(0)]
        rng, calls = np.random.default_rng(80), []
        for N in (3, 5):   # with N = 2 batchnorm outputs ±γ + β whatever its input: nothing below it would show
            params = nets.init_bn_params(4, 3, 2, 3, seed=81 + N)
            params.update(gamma=rng.normal(1.0, 0.5, 3), beta=rng.normal(0.0, 1.0, 3), W2=rng.standard_normal((3, 4)))
            X, y = rng.integers(0, 4, size=(N, 3)), rng.integers(0, 4, size=N)
            calls.append({"params": params, "cache": nets.mlp_bn_forward(params, X, y)[1], "y": y})
        return calls

    def hidden(self, rng, part):
        if part == "train":
            return [capstone_call(int(rng.integers(2**31)))]
        return [self._draw(rng, N) for N in (3, int(rng.integers(4, 9)))]   # N = 2: batchnorm hides what is below it

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
            _, cache = nets.mlp_bn_forward(params, X, y)
            if cache["var"].min() > 0.05:
                return {"params": params, "cache": cache, "y": y}

    def reference(self, call):
        params, X, y = {k: v.copy() for k, v in call["params"].items()}, call["cache"]["X"], call["y"]
        return NumericalGradients(lambda: nets.mlp_bn_forward(params, X, y)[0], params)

    def hypotheses(self, call, key):
        return mistakes.mlp_bn(call["params"], call["cache"]["X"], call["y"], key)

    def judge(self, part, calls, outputs, afters):
        if part == "unchanged":
            return unchanged_verdict(calls, outputs, afters, ("params", "cache"))
        if part != "train":
            return super().judge(part, calls, outputs, afters)
        (call,), (trained,) = calls, outputs
        if isinstance(trained, str):
            return describe(trained, "training failed: ")
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


ASSIGNMENT = Assignment("06_batchnorm", "batchnorm.ipynb",
                        (NormBackward(axis=0), NormBackward(axis=1), EmbeddingBackward(), MLPBNBackward()))
