"""Grading a class: plain `nbgrader autograde` against `backprop-ninja grade`, and the floor.

    .venv/bin/python benchmarks/grading.py [--sizes 16 64 256] [--jobs N] [--repeat R]

For each class size, the same submissions of 02_softmax_nll (the sample class's answers,
repeated) are graded in three copies of one course: by nbgrader alone, one notebook after
another, by `backprop-ninja grade`, and by `backprop-ninja grade` with the jail switched off
(`GraderKernelManager.jail = "none"`), which prices the jail. The floor is what a bare kernel
costs to start and stop on this machine, measured in the same run. With --repeat R each size is
graded R times (the parallel runs with and without the jail in turn first) and the table shows the
medians; the load average before each run goes to stderr (on a shared machine: run when it is low).
Prints a Markdown table for the README.
"""

import argparse
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from jupyter_client.manager import KernelManager

from ninja_autograde import grading, report
from ninja_autograde import calibration, course, submissions
from ninja_autograde.demo import roster

A = "02_softmax_nll"


def kernel_start_seconds(times=5):
    """Median wall time to start a python3 kernel, wait until it answers, and shut it down."""
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        km = KernelManager(kernel_name="python3")
        km.start_kernel()
        client = km.client()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        client.stop_channels()
        km.shutdown_kernel(now=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def make_class(folder, n):
    folder = course.scratch_course(folder, [A])
    release = course.read_notebook(folder, "release", A)
    solutions = submissions.solution_cells(course.read_notebook(folder, "source", A))
    cases = [calibration.case(A, name) for _, name in roster()[A]]
    for i in range(n):
        nb = submissions.student_notebook(release, cases[i % len(cases)].answers, solutions)
        submissions.write_submission(folder, f"s{i:03d}", A, course.ASSIGNMENTS[A], nb)
    return folder


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def scores(folder):
    return {r.student: r.score for r in report.collect(folder, A)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[16, 64, 256])
    parser.add_argument("--jobs", type=int, default=grading.default_jobs())
    parser.add_argument("--repeat", type=int, default=1, help="grade each size this many times; medians are shown")
    args = parser.parse_args(argv)
    floor = kernel_start_seconds()
    print(f"{os.cpu_count()} CPUs; a bare kernel starts and stops in {floor:.2f} s\n", file=sys.stderr)
    print(f"| submissions | `nbgrader autograde` | `backprop-ninja grade --jobs {args.jobs}` | speed-up "
          "| per notebook: plain / parallel | parallel without the jail | jail's cost | kernel start floor "
          "| same scores |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |")
    for n in args.sizes:
        runs = [grade_three_ways(n, args.jobs, first_jailed=r % 2 == 0) for r in range(args.repeat)]
        t_plain, t_fast, t_open = (statistics.median(times) for times in zip(*(times for times, _ in runs)))
        same = "yes" if all(agree for _, agree in runs) else "**no**"
        print(f"| {n} | {t_plain:.1f} s | {t_fast:.1f} s | {t_plain / t_fast:.2f}× "
              f"| {t_plain / n:.2f} s / {t_fast / n:.2f} s | {t_open / n:.2f} s | {100 * (t_fast / t_open - 1):+.0f} % "
              f"| {floor:.2f} s | {same} |", flush=True)


def grade_three_ways(n, jobs, first_jailed=True):
    """(plain, parallel, parallel without the jail) seconds for a class of n, and whether their scores agree."""
    with tempfile.TemporaryDirectory() as tmp:
        plain = make_class(Path(tmp) / "plain", n)
        fast, open_ = (copy(plain, Path(tmp) / name) for name in ("parallel", "unjailed"))
        with open(open_ / "nbgrader_config.py", "a") as config:
            config.write('\nc.GraderKernelManager.jail = "none"\n')
        print(f"{n} submissions, load average {os.getloadavg()[0]:.2f}", file=sys.stderr, flush=True)
        t_plain = timed(lambda: course.nbgrader("autograde", A, "--force", cwd=plain))
        t = {}
        with contextlib.redirect_stdout(sys.stderr), contextlib.redirect_stderr(open(os.devnull, "w")):
            for folder in (fast, open_) if first_jailed else (open_, fast):
                t[folder] = timed(lambda: grading.grade(A, folder, jobs=jobs, progress=False))
        return (t_plain, t[fast], t[open_]), scores(plain) == scores(fast) == scores(open_)


def copy(course_folder, to):
    """A copy of the ungraded course with its own gradebook."""
    to = shutil.copytree(course_folder, to)
    (to / "gradebook.db").unlink()
    course.nbgrader("generate_assignment", A, "--force", cwd=to)
    return to


if __name__ == "__main__":
    main()
