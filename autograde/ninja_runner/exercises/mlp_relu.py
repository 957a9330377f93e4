"""04_mlp_relu: `mlp_relu_backward` (`_mlp.MLPBackward`, with the XOR training test), the hand trace
`trace_by_hand` (the lesson's check, not graded) and the training loop `gradient_descent`."""

import numpy as np

from backprop_ninja import data, nets, trace
from backprop_ninja.diagnose import Mistake

from ..judging import Exercise, GradedCell, describe, unchanged_verdict
from ..verdict import PASSED, Verdict
from . import Assignment
from ._mlp import MLPBackward


class TraceByHand(Exercise):
    """Numbers computed on paper for lesson 04's hand trace, against finite differences of its loss.

    The trace is one fixed network whose every number the lesson prints, so it is the lesson's check
    only, never graded (a hidden test could only grade copying). Its call carries no argument."""
    name, what = "trace_by_hand", {"numbers": "finite differences of the trace's loss"}
    after = "not graded: the trace prints these numbers"
    atol, rtol = 2e-6, 0.0   # at least six decimals, as the lesson says: rounded to 5 they are off by up to 3.5e-6

    def visible(self, part):
        return [{}]   # one fixed network: no arguments

    def reference(self, call):
        numeric = trace.numerical_node_grads()
        return {**numeric, "dW1_dead_row": trace.numerical_grads()["W1"][0]}

    def hypotheses(self, call, key):
        right = self.reference(call)
        unmasked = {**right, "dz1": right["dh"], "dW1_dead_row": right["dh"][0] * np.array(trace.X)}
        return [(Mistake("sign-flipped", "the sign is flipped: dz2 = p − y, not y − p"), -right[key]),
                (Mistake("missing-mask", "no ReLU mask: the dead neuron (z1 < 0) passes no gradient, so its dz1 and "
                         "its dW1 row are 0"), unmasked[key])]


class GradientDescent(Exercise):
    """The student's training loop, driven by a backward pass the test chooses: the gradient of
    ½·decay·Σ‖θ‖² (`functions.weight_decay`), so that `steps` updates θ ← θ − lr·decay·θ leave exactly
    θ·(1 − lr·decay)^steps. The test never touches the student's own backward pass.

    Part 'logs' judges the lines it prints (`runner.log_rows`) when log_every > 0: `iter s` at s = 0,
    log_every, … below steps, with the loss (to 4 decimals) and accuracy (to 3) of the parameters after s
    updates, then `final` with those after all of them."""
    name = "gradient_descent"
    cells = (GradedCell("test_gradient_descent", "descends", 2), GradedCell("test_gradient_descent_unchanged", "unchanged", 1),
             GradedCell("test_gradient_descent_logs", "logs", 1))
    what = {"descends": "a stand-in gradient, 3 and 7 steps, log_every = 0",
            "unchanged": "inputs left as they were",
            "logs": "the log lines of 3 steps with log_every = 2 and 7 steps with log_every = 3"}
    atol, rtol = 1e-9, 1e-9
    log_atol = {"loss": 1e-4, "acc": 1e-3}   # printed to 4 and 3 decimals, off by at most half the last one

    def visible(self, part):
        calls = []
        for seed, (N, steps, decay, lr, every) in enumerate([(5, 3, 1.5, 0.2, 2), (1, 7, 0.8, 0.1, 3)]):
            params, X, y = data.classification(N, [3, 4, 2], seed=50 + seed)
            calls.append({"params": params, "X": X, "y": y, "backward": np.array(decay), "steps": np.array(steps),
                          "lr": np.array(lr), "log_every": np.array(every if part == "logs" else 0)})
        return calls

    def hidden(self, rng, part):
        calls = []
        for N, steps in ((int(rng.integers(3, 9)), int(rng.integers(2, 6))), (1, int(rng.integers(6, 12)))):
            sizes = [int(s) for s in rng.integers(2, 6, size=3)]
            calls.append({"params": nets.init_params(sizes, seed=int(rng.integers(2**31)), relu=True),
                          "X": rng.standard_normal((N, sizes[0])), "y": rng.integers(0, sizes[-1], size=N),
                          "backward": np.array(rng.uniform(0.5, 2.0)), "steps": np.array(steps),
                          "lr": np.array(rng.uniform(0.05, 0.3)),
                          "log_every": np.array(int(rng.integers(2, steps + 1)) if part == "logs" else 0)})
        return calls

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
                verdict = describe(rows) if isinstance(rows, str) else self._judge_log(call, rows)
                if not verdict.passed:
                    return verdict
            return PASSED
        if part == "unchanged":
            return unchanged_verdict(calls, outputs, afters, ("params",), "build a new dict")
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


ASSIGNMENT = Assignment("04_mlp_relu", "mlp_relu.ipynb",
                        (MLPBackward("mlp_relu", train=True), TraceByHand(), GradientDescent()))
