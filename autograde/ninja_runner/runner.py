"""How a graded test cell runs the student's function on a call: alike for the visible test and the grader's kernel.

A call (`Exercise.visible`, `Exercise.hidden`) is of one of the kinds `calls.kind` tells apart: an ordinary
call on its arguments (`arguments`: f and backward rebuilt, numbers as Python numbers), a scale call
(`scale`: a network of a million parameters, run within a time budget, only the tensor it keeps returned), a
training run by the test's own loop (`train_xor`, `train_sequences`, which rebuild their run from a seed and
take no data of the caller's), or a call whose printed log is read (`printed_log`). `outcome` is what came
back, as arrays of numbers, or the `Mistake` of what went wrong; `after` the inputs it had to leave unchanged.
"""

import contextlib
import io
import re
import signal
import threading

import numpy as np

from backprop_ninja import nets, scale
from backprop_ninja.assistant import check_shapes
from backprop_ninja.diagnose import Mistake
from backprop_ninja.mistakes import raised

from .calls import ARGUMENTS, INPUTS, kind
from .exercises._xor import xor_run
from .exercises.batchnorm import capstone_run

# taken at import, before any student code runs (see `visible`)
_float64, _asarray = np.float64, np.asarray


def arguments(call):
    """A call's arguments as the student's function takes them, in order, each converted as `calls.ARGUMENTS`
    says (f and backward rebuilt from their coefficients, numbers as Python numbers; the rest arrays)."""
    return [ARGUMENTS.get(k, _as_is)(v) for k, v in call.items() if not k.startswith("_")]


def _as_is(value):
    return value


class OverBudget(BaseException):
    """The time budget of a scale call ran out (a BaseException: a student's `except Exception` lets it through)."""


def _in_time(seconds, run, *args):
    """run(*args), interrupted by OverBudget after `seconds` (only a convenience: the cell timeout is the rule)."""
    if threading.current_thread() is not threading.main_thread():
        return run(*args)

    def expire(signum, frame):
        raise OverBudget

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return run(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run(student_fn, call):
    """What student_fn returns for the call: on a scale call only the tensor tested, on a training call the
    parameters trained with it as the backward pass (by the test's own loop), on a call that asks for a
    log (log_every > 0) the log lines it prints (`printed_log`)."""
    how = kind(call)
    if how == "log":
        return printed_log(student_fn, call)
    if how == "scale":
        out = _in_time(float(call["budget"]), student_fn, *scale.arguments(call))
        keep = str(call["keep"]) if "keep" in call else None
        return {keep: out[keep]} if isinstance(out, dict) and keep in out else out
    if how == "train":
        trainer = {"xor": train_xor, "sequences": train_sequences}[str(call["train"])]
        return trainer(student_fn, *arguments({k: v for k, v in call.items() if k != "train"}))
    return student_fn(*arguments(call))


def outcome(student_fn, call):
    """What student_fn returned for the call as arrays of numbers, or the `Mistake` of what went wrong."""
    try:
        out = run(student_fn, call)
    except BaseException as error:  # noqa: B036 — any failure of the student's code is their answer
        if isinstance(error, KeyboardInterrupt):
            raise
        if isinstance(error, OverBudget):
            return Mistake("too-slow", f"took longer than {float(call['budget']):g} s {scale.where(call)}, where a "
                           "derived backward pass takes milliseconds: is this finite differences? Only a derivation "
                           "scores")
        return raised(error)
    if out is None:
        return Mistake("returned-none", "returned None: is a return statement missing?")
    try:
        if isinstance(out, dict):
            return {str(k): _asarray(v, dtype=_float64) for k, v in out.items()}
        return _asarray(out, dtype=_float64)
    except (TypeError, ValueError) as error:
        return Mistake("not-numbers", f"returned something that is not an array of numbers ({error})"[:500])


LOG_LINE = re.compile(r"\s*iter\s+(\d+)\s+loss\s+(\S+)\s+acc\s+(\S+)\s*")
FINAL_LINE = re.compile(r"\s*final\s+loss\s+(\S+)\s+acc\s+(\S+)\s*")


def printed_log(student_fn, call):
    """The training log student_fn prints on the call, as `log_rows` reads it (what it returns is not looked at)."""
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        student_fn(*arguments(call))
    return log_rows(printed.getvalue())


def log_rows(text):
    """The lines `iter <step> loss <loss> acc <accuracy>` and `final loss <loss> acc <accuracy>` of text, in
    order, as rows (step, loss, accuracy), step −1 for a final line (any spacing; a number that does not
    read is NaN); other lines are left out."""
    def number(word):
        try:
            return float(word)
        except ValueError:
            return float("nan")

    rows = []
    for line in text.splitlines():
        if match := LOG_LINE.fullmatch(line):
            rows.append([float(match[1]), number(match[2]), number(match[3])])
        elif match := FINAL_LINE.fullmatch(line):
            rows.append([-1.0, number(match[1]), number(match[2])])
    return _asarray(rows, dtype=_float64).reshape(-1, 3)


def train_xor(backward, seed, steps, lr):
    """The training test's run `seed` (`exercises._xor.xor_run`), trained by full-batch gradient descent with the
    backward pass; the trained parameters. It rebuilds its data and network from the seed alone."""
    params, X, y = xor_run(seed)
    for i in range(steps):
        gradients = backward(params, nets.mlp_relu_forward(params, X, y)[1], y)
        if i == 0:
            check_shapes(gradients, params)
        params = {k: params[k] - lr * gradients[k] for k in params}
    return params


def train_sequences(backward, seed, steps, lr, batch):
    """Lesson 06's training test run `seed` (`exercises.batchnorm.capstone_run`): minibatch gradient descent on the
    next-token task with the backward pass; the trained parameters."""
    params, X, y = capstone_run(seed)
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        i = rng.integers(0, len(X), int(batch))
        gradients = backward(params, nets.mlp_bn_forward(params, X[i], y[i])[1], y[i])
        params = {k: params[k] - lr * gradients[k] for k in params}
    return params


def after(call):
    """The call's inputs a function must leave unchanged, as it left them: what its 'unchanged' test judges."""
    return {k: v for k, v in call.items() if k in INPUTS}
