"""The judge: a clean Python process that owns the hidden test's data and verdict.

    python -I -m ninja_autograde.judge EXERCISE PART

It draws the test data, sends it to the student's kernel, receives only the arrays the
student's function returned, and answers with one JSON line {"passed": ..., "message": ...}.
Nothing the student's code patches in its own kernel can reach it.
"""

import json
import os
import sys

import numpy as np

from . import wire
from .exercises import EXERCISES


def main(name, part):
    exercise = EXERCISES[name]
    rng = np.random.default_rng(int.from_bytes(os.urandom(16), "little"))
    calls = exercise.calls(rng, part)
    wire.send(sys.stdout.buffer, {str(i): call for i, call in enumerate(calls)})
    answers = wire.receive(sys.stdin.buffer)
    outputs, afters = [], []
    for i in range(len(calls)):
        answer = answers.get(str(i), {})
        error = answer.get("error")
        outputs.append(str(error) if error is not None else answer.get("out"))
        afters.append(answer.get("after", {}))
    message = exercise.judge(part, calls, outputs, afters)
    sys.stdout.write(json.dumps({"passed": not message, "message": message}) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:3])
