"""What a graded test cell calls: the course's runner, the only course code besides the student package that a
graded kernel imports.

    from ninja_runner import test
    test("softmax", softmax, "random")    # the whole test cell

`test` judges the student's function here, on the exercise's fixed data (`visible_test`: it raises with the
diagnosis, so Validate fails where the grade would), then, when graded, hands it the data the grader draws
(`hidden_test`: judged by the referee, out of the kernel's reach). What is hidden is that data, keyed per
student, not a second copy of the call.

- `exercises/`: every graded function's declaration (`judging.Exercise`), one module per assignment: its
  graded cells and points, its visible and hidden calls, its reference and named mistakes;
- `judging`: how answers are judged, for the visible tests and the grader's referee alike; `verdict` what
  a judged test is;
- `calls`: what a call is (its kind, how its arguments travel, which inputs must stay unchanged); `runner`: how
  the student's function is run on one; `wire`: how arrays travel to the grader.

Students install it with the student package (the visible tests run in their kernel: Validate agrees with
the grade); the grader's side (`ninja_autograde`, the referee) is never importable in a graded kernel.
"""

from .hidden import ANSWERS_MIME, hidden_test
from .visible import VERDICT_MIME, visible_test

__all__ = ["ANSWERS_MIME", "VERDICT_MIME", "hidden_test", "test", "visible_test"]


def test(name, student_fn, part, calls=None):
    """A graded test cell: the visible test; when graded, then the hidden one (`calls`: the data the referee
    wrote into the call). Anywhere else (Validate, a student's kernel, the source notebooks under nbval) the
    visible test alone, so Validate means the same wherever it runs."""
    visible_test(name, student_fn, part)
    if calls is not None:
        hidden_test(name, student_fn, part, calls)
