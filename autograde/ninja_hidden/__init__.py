"""The kernel side of a hidden test: the only instructor code a student's kernel may import.

One call in a hidden test cell:

    hidden_test("softmax", softmax, "extreme")

When nbgrader grades, the referee (`ninja_autograde.referee`, in the grader's process) has written the
test data into the call (`calls=`): the student's function runs on it and the returned
arrays are displayed for the referee, who decides. Run anywhere else (the source notebooks
under nbval, an instructor trying a cell), the data and the verdict come from a judge
process (`ninja_autograde.judge`) and a failed test raises here. Nothing here knows a
solution, a reference or a verdict.
"""

import json
import signal
import subprocess
import sys
import threading

import numpy as np

from backprop_ninja import functions
from backprop_ninja.checks import train as _train
from backprop_ninja.data import sequences
from backprop_ninja.nets import mlp_bn_forward

from . import scale, wire

ANSWERS_MIME = "application/vnd.backprop-ninja.answers"

_as_float = np.asarray
_float64 = np.float64
_array = np.array


def hidden_test(name, student_fn, part, calls=None):
    if calls is not None:
        from IPython.display import display

        answers = {i: _answer(student_fn, call) for i, call in wire.loads(calls).items()}
        display({ANSWERS_MIME: wire.dumps(answers), "text/plain": "(answers sent to the grader)"}, raw=True)
        return
    judge = subprocess.Popen([sys.executable, "-I", "-m", "ninja_autograde.judge", name, part],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    send, loads, fail = wire.send, json.loads, AssertionError
    try:
        calls = wire.receive(judge.stdout)
        answers = {i: _answer(student_fn, call) for i, call in calls.items()}
        send(judge.stdin, answers)
        judge.stdin.close()
        verdict = loads(judge.stdout.readline())
    finally:
        judge.kill()
        judge.wait()
    if not verdict["passed"]:
        raise fail(verdict["message"])


def _train_bn(backward, params, seed, n, steps, lr, batch):
    """Minibatch gradient descent on lesson 06's next-token task with the student's mlp_bn_backward."""
    X, y = sequences(int(n), seed=int(seed))
    rng = np.random.default_rng(int(seed))
    for _ in range(int(steps)):
        i = rng.integers(0, len(X), int(batch))
        _, cache = mlp_bn_forward(params, X[i], y[i])
        grads = backward(params, cache, y[i])
        params = {name: params[name] - float(lr) * grads[name] for name in params}
    return params


def _argument(key, value):
    """An argument as the student's function takes it: f and backward rebuilt, numbers as Python numbers."""
    if key == "f":
        return functions.make(value)
    if key == "backward":
        return functions.weight_decay(float(value))
    if key in ("eps", "lr"):
        return float(value)
    return int(value) if key == "steps" else value


class _OverBudget(BaseException):
    """The time budget of a scale call ran out."""


def _within(seconds, run, *args):
    """run(*args), interrupted by _OverBudget after `seconds` (only a convenience: the cell timeout is the rule)."""
    if threading.current_thread() is not threading.main_thread():
        return run(*args)

    def expire(signum, frame):
        raise _OverBudget

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return run(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _answer(student_fn, call):
    budget = None
    if "network" in call:
        params, cache, y = scale.network(call)
        args, budget = [params, cache, y], float(call["budget"])
    else:
        args = [_argument(k, v) for k, v in call.items() if k != "no_arguments"]   # marks a call without arguments (an empty one would not travel)
    trains = "steps" in call and "backward" not in call   # the backward pass's training test
    trainer = _train_bn if "batch" in call else _train
    run = (lambda *a: trainer(student_fn, *a)) if trains else student_fn
    try:
        out = run(*args) if budget is None else _within(budget, run, *args)
    except BaseException as error:  # noqa: B036 — any failure of the student's code is their answer
        if isinstance(error, KeyboardInterrupt):
            raise
        if isinstance(error, _OverBudget):
            return {"error": _array(f"took longer than {budget:g} s on a network of {scale.parameters(call):,} "
                                    "parameters, where a derived backward pass takes milliseconds: is this finite "
                                    "differences? Only a derivation scores")}
        return {"error": _array(f"raised {type(error).__name__}: {error}"[:500])}
    if budget is not None and isinstance(out, dict) and str(call["keep"]) in out:
        out = {str(call["keep"]): out[str(call["keep"])]}
    answer = {"after": {k: v for k, v in call.items() if k in ("z", "y", "x", "params", "cache", "dout")}}
    try:
        if isinstance(out, dict):
            answer["out"] = {str(k): _as_float(v, dtype=_float64) for k, v in out.items()}
        elif out is None:
            return {"error": _array("returned None: is a return statement missing?")}
        else:
            answer["out"] = _as_float(out, dtype=_float64)
    except (TypeError, ValueError) as error:
        return {"error": _array(f"returned something that is not an array of numbers ({error})"[:500])}
    return answer
