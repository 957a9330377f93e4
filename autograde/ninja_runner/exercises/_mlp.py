"""The backward pass of a course network (03's tanh MLP, 04's ReLU MLP, 05's three layers): one exercise class.

One test part per tensor, plus 'unchanged' and (04) 'train'. A tensor's part also holds a "scale" call:
a network of over a million parameters whose hidden layer next to the tensor is 50,000 units wide
(`scale_sizes`), judged along random directions. A derivation answers in milliseconds (loops in seconds);
finite differences need 100,000 forward passes even for that layer's bias, and run out of time (the
output bias, a few numbers, is the one tensor they can afford: docs/security.md). The training test's
calls carry only a seed: the kernel's trainer (`runner.train_xor`) and the referee rebuild the run
(`xor_run`) from it; a run the student's pass fails counts only if right gradient descent solves it (`_xor`).
"""

import numpy as np

from backprop_ninja import data, mistakes, nets, scale
from backprop_ninja.gradcheck import round_off
from backprop_ninja.probe import NETWORKS, Probe

from ..calls import kind
from ..judging import Exercise, GradedCell, NumericalGradients, at_scale, describe, unchanged_verdict
from ..verdict import PASSED, Verdict
from . import _xor
from ._xor import TRAIN_ACCURACY, TRAIN_RUNS, XOR_STEPS, xor_call, xor_run

def network_cells(tensors, train=False):
    """The test cells of a network's backward pass: one per tensor (2 points), inputs unchanged, training."""
    cells = [GradedCell(f"test_{t}", t, 2) for t in tensors] + [GradedCell("test_inputs_unchanged", "unchanged", 1)]
    return tuple(cells + ([GradedCell("test_trains_xor", "train", 2)] if train else []))


class MLPBackward(Exercise):
    gradient = True
    VISIBLE_SIZES = {"mlp_tanh": [4, 6, 3], "mlp_relu": [4, 6, 3], "mlp3": [4, 6, 5, 3]}
    SCALE_SIZES = {"mlp_tanh": [16, 16, 10], "mlp_relu": [16, 16, 10], "mlp3": [16, 16, 16, 10]}
    SCALE_WIDTH = 50_000

    def __init__(self, network, train=False):
        self.net = NETWORKS[network]
        self.name = f"{network}_backward"
        tensors = [f"{kind}{i}" for i in range(1, self.net.depth + 1) for kind in "Wb"]
        self.cells = network_cells(tensors, train)
        self.what = {**{t: f"d{t} with N = 1 and N = 7, and on a network of a million parameters" for t in tensors},
                     "unchanged": "inputs left as they were",
                     "train": f"{TRAIN_RUNS} networks trained for {XOR_STEPS} steps on XOR, and dW1 on a large network"}

    def visible(self, part):
        rng, calls, seed = np.random.default_rng(40), [], 30
        if part == "train":   # the networks, then dW1 on the large network: only a derivation trains and scales
            return [xor_call(seed) for seed in range(TRAIN_RUNS)] + [self._big(rng, "W1", directions=41)]
        for N in (1, 7):
            while True:   # the first seed whose pre-activations stay off ReLU's kink
                params, X, y = data.classification(N, self.VISIBLE_SIZES[self.net.name], seed=seed)
                seed += 1
                _, cache = self.net.forward(params, X, y)
                if min(np.abs(cache[k]).min() for k in cache if k.startswith("z")) > 1e-3:
                    calls.append({"params": params, "cache": cache, "y": y})
                    break
        return calls if part == "unchanged" else calls + [self._big(rng, part, directions=41)]

    def hidden(self, rng, part):
        if part == "train":   # the networks, then dW1 on the large network: only a derivation trains and scales
            return [xor_call(int(rng.integers(2**31))) for _ in range(TRAIN_RUNS)] + [self._big(rng, "W1")]
        small = [self._draw(rng, N) for N in (1, int(rng.integers(3, 9)))]
        return small if part == "unchanged" else small + [self._big(rng, part)]

    def _big(self, rng, part, directions=None):
        big = scale.recipe(rng, self.net.forward.__name__, self.scale_sizes(part), 1, part)
        return {**big, "_directions": np.array(int(rng.integers(2**31)) if directions is None else directions)}

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
            return unchanged_verdict(calls, outputs, afters, ("params", "cache"))
        return super().judge(part, calls, outputs, afters)

    def _judge_training(self, calls, outputs):
        """The training test: each XOR network trained with the backward pass, then dW1 on the large
        network (finite differences train a small network well; they cannot answer that)."""
        networks = sum(kind(call) == "train" for call in calls)
        for i, (call, trained) in enumerate((c, o) for c, o in zip(calls, outputs) if kind(c) == "train"):
            if isinstance(trained, str):
                return describe(trained, "training failed: ")
            params, X, y = xor_run(int(call["seed"]))
            if not isinstance(trained, dict) or set(trained) != set(params):
                return Verdict("not-trained", "training did not return the parameters W1, b1, W2, b2")
            accuracy = float(np.mean(nets.predict(trained, X) == y))
            if not accuracy >= TRAIN_ACCURACY and _xor.solvable(int(call["seed"])):   # else no backward pass could
                return Verdict("does-not-learn", f"{int(call['steps'])} steps of gradient descent with your backward "
                               f"pass reach {accuracy:.1%} accuracy on XOR (network {i + 1} of {networks}); a right "
                               f"backward pass reaches {TRAIN_ACCURACY:.0%} on every network", "",
                               {"accuracy": accuracy})
        for call, got in zip(calls, outputs):
            if kind(call) == "scale":
                verdict = describe(got) if isinstance(got, str) else self._judge_at_scale(str(call["keep"]), call, got)
                if not verdict.passed:
                    return verdict
        return PASSED

    def judge_one(self, part, call, got):
        return self._judge_at_scale(part, call, got) if kind(call) == "scale" else super().judge_one(part, call, got)

    def _judge_at_scale(self, part, call, got):
        """The part's tensor on the large network, along random directions and its own (cheap for the referee)."""
        params, cache, y = scale.network(call)
        g = got.get(part) if isinstance(got, dict) else None
        loss = lambda: self.net.forward(params, cache["X"], y)[0]
        return at_scale(loss, params[part], g, f"d{part}", call, scale.STEP)
