"""Catch rates: how many students a calibration case's answer loses its points for, over many draws.

The referee draws each student's hidden-test data from a keyed seed, so a mistake that shows only on
some data loses points by luck. Here every hidden test of an assignment is drawn for many students
(keyed as the referee keys them, with a throwaway secret), the case's functions are called as the
student's kernel calls them (`ninja_runner`) and judged as the referee judges. A classic mistake
must lose its tests for 100 % of students, a right answer in any style for 0 %.

    python -m ninja_autograde.catch_rates 02_softmax_nll [--students 1000]

Cases whose answer works on the kernel rather than on the data (`KERNEL_LEVEL = True`: tampering,
hangs, crashes, floods, finite differences against the clock) are left out: the calibration class
grades those through nbgrader.
"""

import argparse
import ast
import contextlib
import io
import multiprocessing
import os
import sys
from dataclasses import dataclass

import numpy as np
from tqdm import tqdm

from ninja_runner import visible_test
from ninja_runner import wire
from ninja_runner.hidden import answer

from . import calibration, course, referee, secret, submissions

@dataclass
class Rate:
    case: str
    test: str
    expected_to_fail: bool
    failed: int
    students: int

    @property
    def right(self):
        """Whether the case came out as expected for every student."""
        return self.failed == (self.students if self.expected_to_fail else 0)


def test_cells(assignment):
    """[(grade_id, [visible (exercise, function, part)], hidden (exercise, function, part))] of the
    assignment's graded test cells with a hidden call, in notebook order."""
    found = []
    for cell in course.read_notebook(course.REPO, "source", assignment).cells:
        match = referee.CALL.search(cell.source) if cell.cell_type == "code" else None
        if match:
            visible = [m.groups() for m in referee.CALL.finditer(cell.source)]
            found.append((cell.metadata["nbgrader"]["grade_id"], visible, match.groups()))
    return found


def functions(assignment, case):
    """The graded functions of a case (the solution standing in for what the case leaves out), with the
    notebook's imports."""
    source = course.read_notebook(course.REPO, "source", assignment)
    imports = [ast.get_source_segment(cell.source, node) for cell in source.cells
               if cell.cell_type == "code" and "nbgrader" not in cell.metadata
               for node in _statements(cell.source) if isinstance(node, (ast.Import, ast.ImportFrom))]
    cells = {**submissions.solution_cells(source), **case.answers}
    namespace = {"__name__": "student"}
    exec("\n".join(imports) + "\n\n" + "\n\n".join(cells.values()), namespace)  # noqa: S102 — the course's own cases
    return namespace


def _statements(source):
    try:
        return ast.parse(source).body
    except SyntaxError:   # a cell with IPython syntax imports nothing the graded functions need
        return []


def judged(test, fn):
    """The referee's verdict on fn, its data and answers as the wire carries them (`travelled`), on the
    test's calls but the one at scale (`_directions`): that one defends the derivation against finite
    differences, which the calibration class grades, and costs a second of judging a draw."""
    test.calls = [call for call in test.calls if "_directions" not in call]
    calls = travelled(test.sent())
    with np.errstate(all="ignore"), contextlib.redirect_stdout(io.StringIO()):   # what the kernel would print
        answers = {i: answer(fn, call) for i, call in calls.items()}
    return test.verdict(travelled(answers))


def travelled(tree):
    """The tree as `wire.loads(wire.dumps(tree))` returns it (each leaf a fresh plain array), without the
    archive: the course's own cases return arrays the wire carries, and encoding them was most of the cost."""
    return wire.unflatten({path: np.array(leaf) for path, leaf in wire.flatten(tree).items()})


def rates(assignment, case, students, key=None):
    """[Rate] of each test cell for the case over `students` keyed draws: a cell is lost when one of its
    visible checks (fixed data, the same for everybody) or its hidden test (drawn per student) fails."""
    key = key or os.urandom(32)
    namespace = functions(assignment, case)
    out = []
    for test_id, visible, (name, fn, part) in test_cells(assignment):
        if part == "train" or test_id in case.may_fail:   # training runs take seconds each: the calibration grades them
            continue
        if not all(_passes_visible(namespace[f], n, p) for n, f, p in visible):
            out.append(Rate(case.name, test_id, test_id in case.fails, students, students))
            continue
        failed = 0
        for i in range(students):
            test = referee.Test(name, part, secret.seed(key, f"student{i}", assignment, test_id))
            failed += not judged(test, namespace[fn]).passed
        out.append(Rate(case.name, test_id, test_id in case.fails, failed, students))
    return out


def _passes_visible(fn, name, part):
    try:
        with np.errstate(all="ignore"), contextlib.redirect_stdout(io.StringIO()):   # its "✓" line, warnings
            visible_test(name, fn, part)
        return True
    except AssertionError:
        return False


def cases(assignment):
    return [c for c in calibration.cases(assignment) if not c.kernel_level]


@dataclass
class CaseRates:
    """One row of the table: the share of students for whom a case lost each test it must lose (the
    least of them) and each test it must keep (the most of them)."""
    assignment: str
    case: str
    rates: list

    def _shares(self, expected):
        return [r.failed / r.students for r in self.rates if r.expected_to_fail == expected]

    @property
    def right(self):
        return all(r.right for r in self.rates)

    def row(self):
        lose, keep = self._shares(True), self._shares(False)
        least = f"{100 * min(lose):.1f} %" if lose else "–"
        most = f"{100 * max(keep):.1f} %" if keep else "–"
        wrong = [f"{r.test} {100 * r.failed / r.students:.1f} %" for r in self.rates if not r.right]
        return (f"| {self.assignment} | {self.case} | {len(lose)} | {least} | {len(keep)} | {most} |"
                + (f" WRONG: {', '.join(wrong)}" if wrong else ""))


HEAD = ("| assignment | case | tests to lose | lost by at least | tests to keep | lost by at most |\n"
        "|---|---|---|---|---|---|")


def _case_rates(job):
    assignment, name, students, key = job
    return CaseRates(assignment, name, rates(assignment, calibration.case(assignment, name), students, key))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="*", default=None)
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count(), help="cases judged at once (default: one a CPU)")
    args = parser.parse_args(argv)
    key = os.urandom(32)
    jobs = [(a, c.name, args.students, key) for a in args.assignments or course.available_assignments()
            for c in cases(a)]
    print(f"{args.students} students a case\n\n{HEAD}")
    with multiprocessing.Pool(args.jobs) as pool:
        table = list(tqdm(pool.imap(_case_rates, jobs), total=len(jobs), desc="cases", file=sys.stderr))
    for row in table:
        print(row.row())
    wrong = [f"{r.assignment}/{r.case}" for r in table if not r.right]
    print(f"\n{len(table) - len(wrong)} of {len(table)} cases as expected for every student"
          + (f"; wrong: {', '.join(wrong)}" if wrong else ""))
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
