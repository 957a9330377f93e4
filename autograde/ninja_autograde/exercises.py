"""What each hidden test feeds a graded function; the judging rules are the student package's own.

Runs in the grader's process (the referee) or in a judge process, never in the student's
kernel. Every test draws its data from the generator it is given (keyed per student and test
by the referee), so no answer can be tuned to it, and calls the student's function at least
twice with different shapes, so an answer that replays its first result fails. Each backward
test of a network also calls it once on a network of a million parameters (`backprop_ninja.scale`),
which a derivation answers in milliseconds and finite differences not within the cell's timeout.
How the answers are judged (`backprop_ninja.judging`: references from the course's forward passes
through finite differences, the named mistakes of `backprop_ninja.mistakes`) is exactly what the
notebook's visible tests use on their fixed data, so Validate and the grade agree.
"""

import numpy as np

from backprop_ninja import data, functions, judging, nets, scale
from backprop_ninja.judging import TRAIN_RUNS, capstone_call, xor_call

from . import solvable


def _logits(rng, extreme):
    N, K = int(rng.integers(2, 8)), int(rng.integers(2, 9))
    return {"z": data.logits(rng, N, K, extreme), "y": rng.integers(0, K, size=N)}


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
        return [_logits(rng, part == "extreme") for _ in range(2)] + self.scale_calls(rng, part)


class MLPBackward(judging.MLPBackward):
    """Backward pass of a course network; one test part per tensor, plus 'unchanged' and 'train'.

    Each tensor's part also calls the function on a large network (`scale`): a derivation
    answers it in milliseconds, finite differences not within the cell's timeout."""

    def calls(self, rng, part):
        if part == "train":   # the networks, then dW1 on the large network: only a derivation trains and scales
            return [xor_call(seed) for seed in solvable.draw(rng, TRAIN_RUNS)] + [self._big(rng, "W1")]
        small = [self._draw(rng, N) for N in (1, int(rng.integers(3, 9)))]
        if part == "unchanged":
            return small
        return small + [self._big(rng, part)]

    def _big(self, rng, part):
        big = scale.recipe(rng, self.net.forward.__name__, self.scale_sizes(part), 1, part)
        return {**big, "_directions": np.array(int(rng.integers(2**31)))}

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


class GradientDescent(judging.GradientDescent):
    def calls(self, rng, part):
        out = []
        for N, steps in ((int(rng.integers(3, 9)), int(rng.integers(2, 6))), (1, int(rng.integers(6, 12)))):
            sizes = [int(s) for s in rng.integers(2, 6, size=3)]
            out.append({"params": nets.init_params(sizes, seed=int(rng.integers(2**31)), relu=True),
                        "X": rng.standard_normal((N, sizes[0])), "y": rng.integers(0, sizes[-1], size=N),
                        "backward": np.array(rng.uniform(0.5, 2.0)), "steps": np.array(steps),
                        "lr": np.array(rng.uniform(0.05, 0.3)),
                        "log_every": np.array(int(rng.integers(2, steps + 1)) if part == "logs" else 0)})
        return out


EXERCISES = {
    "central_difference": CentralDifference(),
    "softmax": Softmax(),
    "nll_loss": NLLLoss(),
    "softmax_nll_backward": SoftmaxNLLBackward(),
    "mlp_tanh_backward": MLPBackward("mlp_tanh"),
    "mlp_relu_backward": MLPBackward("mlp_relu"),
    "mlp3_backward": MLPBackward("mlp3"),
    "gradient_descent": GradientDescent(),
}


# Lesson 06: batchnorm, layernorm, the embedding, and the network built from them.

class NormBackward(judging.NormBackward):
    def calls(self, rng, part):
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


class EmbeddingBackward(judging.EmbeddingBackward):
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


class MLPBNBackward(judging.MLPBNBackward):
    def calls(self, rng, part):
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


EXERCISES.update({
    "batchnorm_backward": NormBackward(axis=0),
    "layernorm_backward": NormBackward(axis=1),
    "embedding_backward": EmbeddingBackward(),
    "mlp_bn_backward": MLPBNBackward(),
})
