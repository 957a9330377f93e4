"""Where a graded notebook's seconds go, per assignment: kernel start, its cells, the referee, the gradebook.

    .venv/bin/python benchmarks/profile_grading.py [--students 8] [ASSIGNMENT ...]

Grades the class of each assignment (its right answer for every student: a correct submission is what
costs the most, every test runs to its end) one notebook at a time, in this process, with nbgrader's own
pipeline as `backprop-ninja grade` runs it (`grading`'s worker), and times its parts by wrapping them:

- kernel start and stop: nbclient starting the jailed kernel and its client, and cleaning it up;
- the cells: each cell's execution in the kernel (wall clock), graded test cells apart from the others;
- the referee: drawing a hidden test's data and writing it into the cell (`referee.prepare`), reading and
  judging the answers (`referee.rule`), in this process;
- the gradebook: nbgrader's SaveAutoGrades and AssignLatePenalties and the course's SaveVerdicts (wall clock);
- the rest of GraderExecute (nbclient's messaging, the course's output caps and budgets), the other
  preprocessors, and nbgrader's own work around them (files, the database), by wall clock.

It prints a Markdown table, a row per assignment: each part's seconds a notebook (the mean over the class),
a notebook's wall time, and its CPU seconds, this process's (the referee's and nbgrader's) and its kernel's (the
kernel's process tree, read from /proc before it stops). Every part is wall clock: on a busy machine the parts
stretch, the CPU seconds do not.
"""

import argparse
import collections
import contextlib
import functools
import os
import queue
import sys
import tempfile
import time
from pathlib import Path

from nbclient import NotebookClient
from nbconvert.preprocessors import Preprocessor
from nbgrader.utils import is_grade

from ninja_autograde import course, grading, referee, submissions
from ninja_runner.exercises import ASSIGNMENTS

PARTS = ["kernel start and stop", "test cells", "other cells", "referee: draw", "referee: judge", "gradebook",
         "rest of GraderExecute", "other preprocessors", "nbgrader"]
GRADEBOOK = {"SaveAutoGrades", "AssignLatePenalties", "SaveVerdicts"}   # the preprocessors that write the gradebook


class Timer:
    """Seconds per part, summed over the notebooks graded while its wrappers are installed."""

    def __init__(self):
        self.seconds = collections.Counter()

    def timed(self, function, part, clock=time.perf_counter):
        """function, each call's `clock` seconds charged to `part` (a name, or a function of the call's arguments)."""
        charge = part if callable(part) else (lambda *args, **kwargs: part)

        @functools.wraps(function)
        def timed(*args, **kwargs):
            start = clock()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[charge(*args, **kwargs)] += clock() - start
        return timed


@contextlib.contextmanager
def patched(owner, name, value):
    original = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, original)


def cell_kind(client, cell, *args, **kwargs):
    """The part a cell's execution is charged to."""
    return "test cells" if is_grade(cell) else "other cells"


def right_class(folder, assignment, students):
    """A scratch course whose every student submitted the source solution of the assignment."""
    folder = course.scratch_course(folder, [assignment])
    release = course.read_notebook(folder, "release", assignment)
    solutions = submissions.solution_cells(course.read_notebook(folder, "source", assignment))
    for i in range(students):
        nb = submissions.student_notebook(release, {}, solutions)
        submissions.write_submission(folder, f"s{i:03d}", assignment, ASSIGNMENTS[assignment], nb)
    return folder


def profile(assignment, students):
    """(the mean seconds a notebook of each part, of its wall time, of CPU: this process's and its kernels')."""
    timer = Timer()
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as patches:
        patches.callback(os.chdir, here)   # the worker works in the course folder
        folder = right_class(tmp, assignment, students)
        grading._start_worker(folder, queue.SimpleQueue())
        for owner, name, part, clock in [   # nbclient's synchronous names: the ones nbconvert's preprocessor calls
                (NotebookClient, "start_new_kernel", "kernel start and stop", time.perf_counter),
                (NotebookClient, "start_new_kernel_client", "kernel start and stop", time.perf_counter),
                (NotebookClient, "_cleanup_kernel", "kernel start and stop", time.perf_counter),
                (NotebookClient, "execute_cell", cell_kind, time.perf_counter),
                (referee, "prepare", "referee: draw", time.perf_counter),
                (referee, "rule", "referee: judge", time.perf_counter),
                (Preprocessor, "__call__", lambda pre, *args: type(pre).__name__, time.perf_counter)]:
            patches.enter_context(patched(owner, name, timer.timed(getattr(owner, name), part, clock)))
        patches.enter_context(patched(NotebookClient, "_cleanup_kernel",
                                      _counting_kernel_cpu(NotebookClient._cleanup_kernel, timer)))
        wall = cpu = 0.0
        for student in grading.submissions(folder, assignment):
            start, own = time.perf_counter(), time.process_time()
            graded = grading._grade_one(assignment, student)
            if not graded.success:
                raise SystemExit(f"{assignment}: {student} could not be graded: {graded.error}")
            wall += time.perf_counter() - start
            cpu += time.process_time() - own
    took = timer.seconds
    preprocessors = {name: t for name, t in took.items() if name[0].isupper()}
    took["gradebook"] = sum(t for name, t in preprocessors.items() if name in GRADEBOOK)
    took["other preprocessors"] = sum(t for name, t in preprocessors.items()
                                      if name not in GRADEBOOK and name != "GraderExecute")
    took["rest of GraderExecute"] = took["GraderExecute"] - sum(took[p] for p in PARTS[:5])   # nbclient's own
    took["nbgrader"] = wall - sum(preprocessors.values())   # its own work around the pipeline: files, the database
    parts = {part: took[part] / students for part in PARTS}
    return parts, wall / students, cpu / students, took["kernel CPU"] / students


def _counting_kernel_cpu(cleanup, timer):
    """The kernel's cleanup, first charging the CPU seconds of its process tree (the jail and the kernel) to
    'kernel CPU': they are no children of this process that it reaps, so rusage does not see them."""
    @functools.wraps(cleanup)
    def counted(client, *args, **kwargs):
        process = getattr(getattr(client.km, "provisioner", None), "process", None)
        if process is not None:
            timer.seconds["kernel CPU"] += tree_cpu(process.pid)
        return cleanup(client, *args, **kwargs)
    return counted


def tree_cpu(pid):
    """User and system CPU seconds of process pid and of every process below it, from /proc."""
    parent, used = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:   # gone meanwhile
            continue
        child = int(stat.parent.name)
        parent[child], used[child] = int(fields[1]), int(fields[11]) + int(fields[12])
    tree, todo = set(), [pid]
    while todo:
        p = todo.pop()
        tree.add(p)
        todo += [c for c, pp in parent.items() if pp == p and c not in tree]
    return sum(used.get(p, 0) for p in tree) / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", default=["02_softmax_nll", "03_mlp_tanh", "04_mlp_relu",
                                                             "06_batchnorm"])
    parser.add_argument("--students", type=int, default=8)
    args = parser.parse_args()
    print("| assignment | " + " | ".join(PARTS) + " | wall a notebook | CPU: grader | CPU: kernel |")
    print("|" + " --- |" * (len(PARTS) + 4))
    for assignment in args.assignments:
        parts, wall, cpu, kernels = profile(assignment, args.students)
        cells = " | ".join(f"{parts[p]:.2f}" for p in PARTS)
        print(f"| {assignment} | {cells} | {wall:.2f} | {cpu:.2f} | {kernels:.2f} |", flush=True)
    print(f"\n{args.students} correct notebooks an assignment, one at a time, wall seconds a notebook but for the CPU "
          "columns. GraderExecute holds the kernel, the cells and the referee; 'nbgrader' is the time outside every "
          "preprocessor.", file=sys.stderr)


if __name__ == "__main__":
    main()
