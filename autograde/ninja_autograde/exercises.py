"""What each hidden test feeds a graded function; the judging rules are the student package's own.

Runs in the grader's process (the referee) or in a judge process, never in the student's
kernel. Every test draws fresh data from the operating system's randomness, so no answer
can be tuned to it, and calls the student's function at least twice with different shapes, so an answer that replays its first result fails.
How the answers are judged (`backprop_ninja.judging`: references from the course's forward passes
through finite differences, the named mistakes of `backprop_ninja.mistakes`) is exactly what the
notebook's visible tests use on their fixed data, so Validate and the grade agree.
"""

import numpy as np

from backprop_ninja import data, functions, judging, nets


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
    """Backward pass of a course network; one test part per tensor, plus 'unchanged' and 'train'."""

    def calls(self, rng, part):
        if part == "train":
            seed = int(rng.integers(2**31))
            X, y = data.xor(200, seed=seed)
            return [{"params": nets.init_params([2, 8, 2], seed=seed + 1, relu=True), "X": X, "y": y,
                     "steps": np.array(3000), "lr": np.array(0.5)}]
        return [self._draw(rng, N) for N in (1, int(rng.integers(3, 9)))]

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


EXERCISES = {
    "central_difference": CentralDifference(),
    "softmax": Softmax(),
    "nll_loss": NLLLoss(),
    "softmax_nll_backward": SoftmaxNLLBackward(),
    "mlp_tanh_backward": MLPBackward("mlp_tanh"),
    "mlp_relu_backward": MLPBackward("mlp_relu"),
    "mlp3_backward": MLPBackward("mlp3"),
}
