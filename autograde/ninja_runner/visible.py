"""The visible test of a graded test cell: the student's function judged on the exercise's fixed data, in the kernel.

    visible_test("softmax", softmax, "random")     # the first half of a test cell's `test(...)`

A visible test runs the student's function on fixed data chosen to expose the classic mistakes
(coordinates that interact and a step other than the default for central differences, N > 1 and
N ≠ K for softmax, inputs checked for changes, sizes that tell every axis and transpose apart:
`Exercise.visible`) and judges it with the grader's own rules (`judging`): it raises with the diagnosis
when the answer is wrong or unanswered, so Validate fails exactly where the grade would. The grader
then repeats the test on fresh data it draws itself (`hidden`). Both run the student's function on a
call alike (`runner.outcome`).
"""

import copy
import textwrap

import numpy as np
from IPython.core.interactiveshell import InteractiveShell
from IPython.display import display

from .exercises import EXERCISES
from .runner import after, outcome

# taken at import, before any student code runs: a notebook that patches numpy's or IPython's names
# (or this module's public ones) does not change what a visible test concludes
_Failure, _print, _fill = AssertionError, print, textwrap.fill
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
