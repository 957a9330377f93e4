"""The kernel side of a hidden test: the second half of a test cell's call (`ninja_runner.test`).

When nbgrader grades, the referee (`ninja_autograde.referee`, in the grader's process) has written the
test data into the cell's call (`calls=`): the student's function runs on it and the returned
arrays are displayed for the referee, who decides. Called without data (an instructor trying a hidden
test by hand, the tests), the data and the verdict come from a judge process (`python -m
ninja_autograde.referee`, which needs the grader's side installed) and a failed test raises here. A test
cell's `test` calls it only when graded. Nothing here knows a solution, a reference or a verdict.
"""

import json
import subprocess
import sys

import numpy as np

from . import wire
from .runner import after, outcome

ANSWERS_MIME = "application/vnd.backprop-ninja.answers"

_array = np.array


def hidden_test(name, student_fn, part, calls=None):
    if calls is not None:
        from IPython.display import display

        answers = {i: answer(student_fn, call) for i, call in wire.loads(calls).items()}
        display({ANSWERS_MIME: wire.dumps(answers), "text/plain": "(answers sent to the grader)"}, raw=True)
        return
    judge = subprocess.Popen([sys.executable, "-I", "-m", "ninja_autograde.referee", name, part],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    send, loads, fail = wire.send, json.loads, AssertionError
    try:
        calls = wire.receive(judge.stdout)
        answers = {i: answer(student_fn, call) for i, call in calls.items()}
        send(judge.stdin, answers)
        judge.stdin.close()
        verdict = loads(judge.stdout.readline())
    finally:
        judge.kill()
        judge.wait()
    if not verdict["passed"]:
        raise fail(verdict["message"])


def answer(student_fn, call):
    """The student's function on one call, as the referee reads it: what it returned and its inputs as it left them."""
    out = outcome(student_fn, call)
    if isinstance(out, str):   # a Mistake: what went wrong, and its id
        return {"error": _array(out), "mistake": _array(out.id)}
    return {"out": out, "after": after(call)}

