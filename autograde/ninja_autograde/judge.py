"""The judge: a clean Python process that owns a hidden test's data and verdict outside grading.

Under nbgrader the referee does this job in the grader's process (see `referee`); the judge
serves every other run of a hidden test cell: the source notebooks under nbval, an instructor
trying a cell in JupyterLab.

    python -I -m ninja_autograde.judge EXERCISE PART

It draws the test data, sends it to the student's kernel, receives only the arrays the
student's function returned, and answers with one JSON line {"passed": ..., "message": ...}.
Nothing the student's code patches in its own kernel can reach it.
"""

import json
import sys

from ninja_runner import wire

from . import referee


def main(name, part):
    test = referee.Test(name, part)
    wire.send(sys.stdout.buffer, test.sent())
    verdict = test.verdict(wire.receive(sys.stdin.buffer))
    sys.stdout.write(json.dumps({"passed": verdict.passed, "message": verdict.message}) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:3])
