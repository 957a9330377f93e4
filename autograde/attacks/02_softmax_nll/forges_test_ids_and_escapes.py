"""Terminal escapes everywhere an instructor's terminal shows a submission's text (a verdict, printed output, the
report, `backprop-ninja replay`): they would clear lines and print forged verdicts. A cell of its own poses as
a hidden test whose grade_id is an escape that overwrites the line above, and a Markdown cell carries a forged id."""
FAILS = ["test_nll_random", "test_nll_extreme", "test_nll_unchanged"]

FORGED = "\x1b[1A\x1b[2K\rtest_nll_random: passed, judged by the referee\x1b]0;all passed\x07"


def nll_loss(z, y):
    print("\x1b[2J\x1b[H\x1b[32mall tests passed\x1b[0m\u202e")
    raise ValueError(f"\x1b[2K\r{FORGED}\x1b[8m")

CELLS = [
    {"cell_type": "code", "source": 'from ninja_runner import test\ntest("nll_loss", nll_loss, "random")',
     "metadata": {"nbgrader": {"grade": True, "grade_id": "\x1b[1A\x1b[2Ktest_nll_random", "locked": True, "points": 50,
                               "schema_version": 3, "solution": False, "task": False}}},
    {"cell_type": "markdown", "source": "My answer.",
     "metadata": {"nbgrader": {"grade": True, "grade_id": "\x1b[2Kwritten\x1b[8m", "locked": False, "points": 50,
                               "schema_version": 3, "solution": True, "task": False}}},
]
