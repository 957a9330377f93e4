"""The notebooks' visible tests and the network-aware lab assistant.

    visible_test("softmax", softmax, "random")     # in a graded test cell, before its hidden part
    check_backward(mlp_tanh_backward, "mlp_tanh", params, X, y)   # in a check cell: the whole table
    check_layer(batchnorm_backward, batchnorm_forward, {"x": x, "gamma": gamma, "beta": beta}, dout)   # one layer

A visible test runs the student's function on fixed data chosen to expose the classic mistakes
(coordinates that interact and a step other than the default for central differences, N > 1 and
N ≠ K for softmax, inputs checked for changes, sizes that tell every axis and transpose apart) and
judges it with the grader's own rules (`judging`): it raises with the diagnosis when the answer is
wrong or unanswered, so Validate fails exactly where the grade would. The grader then repeats the
test on fresh data it draws itself. Both run the student's function on a call alike (`outcome`):
a network of a million parameters within a time budget, a training test with the test's own loop
(`train_xor`, `train_sequences`, which rebuild their run from a seed and take no data of the caller's).
"""

import contextlib
import copy
import io
import re
import signal
import textwrap
import threading

import numpy as np
from IPython.core.interactiveshell import InteractiveShell
from IPython.display import display

from . import lines, nets, scale
from .diagnose import diagnose
from .exercises import EXERCISES
from .exercises._xor import xor_run
from .exercises.batchnorm import capstone_run
from .functions import make, weight_decay
from .gradcheck import Report, TensorCheck, backwards, check_gradients
from .judging import changed_arrays
from .mistakes import raised
from .verdict import Mistake

# taken at import, before any student code runs: a notebook that patches numpy's or IPython's names
# (or this module's public ones) does not change what a visible test concludes
_Failure, _float64, _asarray, _print, _fill = AssertionError, np.float64, np.asarray, print, textwrap.fill
_display, _in_kernel = display, InteractiveShell.initialized

WIDTH = 80   # nbgrader's Validate cuts every line it prints at 87 characters: a message in lines this long shows whole


def _failure(message):
    """The AssertionError a visible test raises: its message in lines Validate shows whole, the first one
    after the "AssertionError: " the traceback puts before it."""
    prefix = " " * len("AssertionError: ")
    return _Failure(_fill(message, WIDTH, initial_indent=prefix, break_long_words=False,
                          break_on_hyphens=False)[len(prefix):])


VERDICT_MIME = "application/vnd.backprop-ninja.verdict+json"   # a failed visible test's verdict, for the grader


def visible_test(name, student_fn, part):
    """Judge student_fn on the fixed data of this part: raises AssertionError with the diagnosis if wrong.

    Before it raises, it displays the verdict as data (`VERDICT_MIME`, which a notebook does not show): the
    grader stores which mistake it was, and reads nothing back from the sentence."""
    exercise = EXERCISES[name]
    calls = exercise.visible(part)
    outputs, afters = zip(*(_run(student_fn, call) for call in calls))
    with np.errstate(all="ignore"):   # wrong answers overflow; that is what they are judged for
        verdict = exercise.judge(part, list(calls), list(outputs), list(afters))
        message = verdict.message
        if not verdict.passed and len(calls) > 1:   # which of the fixed calls: exercise.visible(part)[i] is its data
            alone = [i for i, (c, o, a) in enumerate(zip(calls, outputs, afters))
                     if not exercise.judge(part, [c], [o], [a]).passed]
            message += f" (on visible example {alone[0] + 1} of {len(calls)})" if alone else ""
    if not verdict.passed:
        if _in_kernel():
            _display({VERDICT_MIME: {"mistake": verdict.mistake, "tensor": verdict.tensor}}, raw=True)
        raise _failure(message)
    _print(f"{name}, visible test ({exercise.what[part]}) ✓ — {exercise.after}")


def _run(student_fn, call):
    """(what the function returned, or what went wrong; its inputs as it left them)."""
    inputs = copy.deepcopy(call)
    return outcome(student_fn, inputs), after(inputs)


# How the student's function is run on a call, alike by a visible test and by the grader's kernel.

def arguments(call):
    """A call's arguments as the student's function takes them: f and backward rebuilt, numbers as Python numbers."""
    def argument(key, value):
        if key == "f":
            return make(value)
        if key == "backward":
            return weight_decay(float(value))
        if key in ("eps", "lr"):
            return float(value)
        return int(value) if key in ("steps", "seed", "batch", "log_every") else value
    return [argument(k, v) for k, v in call.items() if not k.startswith("_")]


class OverBudget(BaseException):
    """The time budget of a scale call ran out (a BaseException: a student's `except Exception` lets it through)."""


def _within(seconds, run, *args):
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
    if int(call.get("log_every", 0)):
        return printed_log(student_fn, call)
    if "network" in call:
        out = _within(float(call["budget"]), student_fn, *scale.arguments(call))
        keep = str(call["keep"]) if "keep" in call else None
        return {keep: out[keep]} if isinstance(out, dict) and keep in out else out
    if "train" in call:
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


def check_shapes(grads, params):
    """Raise a ValueError naming the first gradient that is missing or shaped unlike its parameter."""
    for name in backwards(params):
        if not isinstance(grads, dict) or name not in grads:
            raise ValueError(f"the backward pass returned no gradient for {name}: return a dict with the keys of params")
        shape = np.shape(grads[name])
        if shape != params[name].shape:
            hint = diagnose(np.zeros(shape), np.zeros(params[name].shape))
            raise ValueError(f"d{name} has shape {shape}, but {name} has shape {params[name].shape} ({hint})")


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


def check_backward(backward_fn, network_name, params, X, y, intermediates=None):
    """The lab assistant for a course network: every tensor of backward_fn's answer against finite differences.

    `network_name` is one of "mlp_tanh", "mlp_relu", "mlp3", "deep_tanh", "mlp_bn". Rows run from the
    loss backwards: the gradients of the parameters and of any intermediates (dz2, dh, dz1, …) that
    backward_fn returns in its dict, or that are passed in `intermediates`, each measured by perturbing
    that intermediate and recomputing the rest of the forward pass (`lines.Graph`). A wrong tensor is
    named with the mistakes the grader knows for this network. To find the line that holds a mistake
    rather than every tensor it reaches, see `first_wrong_line`."""
    params, graph, answer = lines.answer_of(backward_fn, network_name, params, X, y, intermediates)
    named, rng = lines.Named(network_name, params, X, y), np.random.default_rng(0)
    keys = [(name, lines.grad_key(name, params)) for name, _ in graph.lines()]
    return Report([lines.check_whole(graph, name, key, answer.get(key), named, rng)
                   for name, key in keys if key in params or key in answer])


def check_layer(backward_fn, forward, inputs, dout, *fixed):
    """The lab assistant for one layer: backward_fn(dout, cache) against finite differences of Σ out ⊙ dout.

    `forward(*fixed, **inputs)` returns (out, cache), as lesson 06's layers do; the gradients are taken by
    the arrays of `inputs` ({"x", "gamma", "beta"} for a norm, {"C"} for an embedding, whose idx is fixed).
    One row per input, then a row "inputs unchanged": whether backward_fn left dout and the cache as it
    found them."""
    inputs = {k: np.array(v, dtype=np.float64) for k, v in inputs.items()}
    _, cache = forward(*fixed, **inputs)
    before = copy.deepcopy({"dout": dout, **cache})
    grads = backward_fn(dout, cache)
    report = check_gradients(nets.layer_loss(forward, dout, *fixed), inputs, grads if isinstance(grads, dict) else {})
    changed = changed_arrays(before, {"dout": dout, **cache})
    report.rows.append(TensorCheck("inputs unchanged", not changed, 0.0, "compared",
                                   f"modified in place: {', '.join(changed)}; work on a copy" if changed else ""))
    return report


INPUTS = ("z", "y", "x", "params", "cache", "dout")   # the arguments a graded function must leave unchanged


def after(call):
    """The call's inputs a function must leave unchanged, as it left them: what its 'unchanged' test judges."""
    return {k: v for k, v in call.items() if k in INPUTS}
