"""The referee: hidden tests decided in the grader's process, out of the student's reach.

A test cell holds one call, `test("softmax", softmax, "random")` (`ninja_runner.test`: the visible test on
the exercise's fixed data, then the hidden one). When nbgrader grades, the referee (run by
`preprocessors.GraderExecute`, in nbgrader's own process) draws the hidden data for that call and writes it
into the cell as it runs:

    test("softmax", softmax, "random", calls="<base64 npz>")

The kernel then runs the student's function on that data and displays the returned
arrays (`hidden.ANSWERS_MIME`). The referee takes them out of the cell's outputs, reads them
with bounded work (`answers.py`: one message, uncompressed, shaped as the call allows, within
the notebook's budget), judges them with the exercise's rules, and leaves in the cell either
nothing (full marks) or one error with the verdict. Whatever the student's code patched in its kernel (numpy, the
checkers, IPython's error display, `test` itself), the verdict never came from there:
the most it can do is send wrong answers or none.

The data comes from a seed keyed by the course secret, the student, the assignment and the
test (`secret.seed`): a regrade draws exactly the same data, another student different data.
Without a seed it comes from the operating system's randomness: so it does when the referee runs as a
process of its own for `hidden_test` called by hand outside grading (an instructor trying a hidden test
in JupyterLab, the tests; a test cell's `test` runs only its visible part there):

    python -I -m ninja_autograde.referee EXERCISE PART

It draws the test data, sends it to the kernel, receives only the arrays the student's function returned,
and answers with one JSON line {"passed": ..., "message": ...}. Nothing the student's code patches in its
own kernel can reach it.
"""

import json
import os
import re
import sys
from dataclasses import replace

import numpy as np
from nbformat import NotebookNode

from backprop_ninja.diagnose import ID, Mistake
from ninja_runner import ANSWERS_MIME, wire
from ninja_runner.exercises import EXERCISES
from ninja_runner.verdict import Verdict

from . import answers as reading
from .printable import printable

CALL = re.compile(r'(?<![\w.])test\(\s*"(\w+)"\s*,\s*(\w+)\s*,\s*"(\w+)"\s*\)')   # a test cell's one call


class Test:
    """One hidden test call in a cell: the data the referee drew for it, then whether the student's
    function answered (`answered`: else the cell's verdict is the kernel's own, the visible check's on the
    notebook's data, or the cell stopped first) and its verdict."""

    def __init__(self, name, part, seed=None):
        self.name, self.part, self.answered = name, part, False
        rng = np.random.default_rng(int.from_bytes(os.urandom(16), "little") if seed is None else seed)
        self.calls = EXERCISES[name].hidden(rng, part)

    def sent(self):
        """The calls as the student's kernel receives them: without the referee's own keys (`_...`)."""
        return {str(i): {k: v for k, v in call.items() if not k.startswith("_")} for i, call in enumerate(self.calls)}

    def inject(self, match):
        data = wire.dumps(self.sent())
        return f'test("{self.name}", {match.group(2)}, "{self.part}", calls="{data}")'

    def judged(self, message, budget):
        """The verdict on one answer message: refused unread (`answers.read`) or judged."""
        try:
            answers = reading.read(message, self.sent(), budget)
        except reading.Refused as why:
            return Verdict("refused", printable(f"no answer: {why}"))
        return self.verdict(answers)

    def verdict(self, answers):
        """The `Verdict` on the answers: passed, or what is wrong (in the lessons' words)."""
        try:
            with np.errstate(all="ignore"):   # wrong answers overflow; that is what they are judged for
                verdict = judge_answers(self.name, self.part, self.calls, answers)
        except Exception as error:  # noqa: BLE001 — a malformed answer fails its test, never the grading
            verdict = Verdict("not-judged", f"the answer could not be judged ({type(error).__name__}: {error})")
        return replace(verdict, message=printable(verdict.message), tensor=printable(verdict.tensor))


NO_ANSWER = {"error": "no answer came back for this call", "mistake": "no-answer"}


def judge_answers(name, part, calls, answers):
    outputs, afters = [], []
    for i in range(len(calls)):
        answer = answers.get(str(i), NO_ANSWER)
        error = answer.get("error")
        outputs.append(_failure(error, answer.get("mistake")) if error is not None else answer.get("out"))
        afters.append(answer.get("after", {}))
    return EXERCISES[name].judge(part, calls, outputs, afters)


def _failure(error, mistake):
    """What the kernel said went wrong in a call, as a `Mistake` (an id it may not give: 'raised')."""
    id = str(mistake) if mistake is not None and ID.fullmatch(str(mistake)) else "raised"
    return Mistake(id, str(error))


def prepare(source, seed=None):
    """(the source to execute, the Test it holds) or (source, None) for a cell without one."""
    match = CALL.search(source)
    if match is None:
        return source, None
    test = Test(match.group(1), match.group(3), seed)
    return source[:match.start()] + test.inject(match) + source[match.end():], test


def rule(cell, test, budget=None):
    """Replace what the kernel said about the test by the referee's verdict, read and judged within the
    notebook's budget (`answers.Budget`); the verdict, when the referee had answers to judge, else None."""
    budget = budget or reading.Budget()
    messages, kept = [], []
    for output in cell.outputs:
        if output.output_type == "display_data" and ANSWERS_MIME in output.get("data", {}):
            messages.append(output.data[ANSWERS_MIME])
        elif output.output_type == "execute_result":
            kept.append(NotebookNode(output_type="display_data", data=output.data, metadata=output.metadata))
        elif output.output_type == "stream":
            kept.append(stream(output.text))
        else:
            kept.append(output)
    errors = [o for o in kept if o.output_type == "error"]
    test.answered, verdict = bool(messages), None
    if not messages and any(o.ename == "KeyboardInterrupt" for o in errors):
        kept = [o for o in kept if o.output_type != "error"]
        verdict = Verdict("out-of-time", "the cell ran out of time and was stopped (a slow loop? finite differences?)")
    elif not messages and not errors:
        verdict = Verdict("no-answer", "no answer came back from your function (did the cell run to its end?)")
    elif messages:
        kept = [o for o in kept if o.output_type != "error"]
        if budget.spent():
            verdict = Verdict("budget-spent", budget.spent())
        elif len(messages) > 1:
            verdict = Verdict("many-answers", f"{len(messages)} answer messages came back, where the test sends one")
        else:
            verdict = budget.timed(test.judged, messages[0], budget)
    if verdict is not None and not verdict.passed:
        kept.append(error("AssertionError", verdict.message))
    cell.outputs = kept
    return verdict


def error(ename, evalue):
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def stream(text):
    return NotebookNode(output_type="stream", name="stdout", text=text)


def serve(name, part):
    """The referee of one hidden test outside grading, over the kernel's pipes (see the module's docstring)."""
    test = Test(name, part)
    wire.send(sys.stdout.buffer, test.sent())
    verdict = test.verdict(wire.receive(sys.stdin.buffer))
    sys.stdout.write(json.dumps({"passed": verdict.passed, "message": verdict.message}) + "\n")


if __name__ == "__main__":
    serve(*sys.argv[1:3])
