"""The instructor's subcommands of `backprop-ninja`, registered when this package is installed.

    backprop-ninja grade ASSIGNMENT [--jobs N] [--course DIR]
    backprop-ninja report ASSIGNMENT [--course DIR]
    backprop-ninja replay ASSIGNMENT STUDENT [TEST] [--course DIR]
"""

from pathlib import Path


def add_to(commands):
    grade = commands.add_parser("grade", help="autograde every submission of ASSIGNMENT in submitted/, in parallel")
    grade.add_argument("assignment")
    grade.add_argument("--jobs", type=int, default=None, help="parallel workers (default: the CPU count)")
    grade.add_argument("--course", default=".", help="the course directory, with nbgrader_config.py (default: .)")
    grade.set_defaults(run=_grade)
    report = commands.add_parser("report", help="the grade report of ASSIGNMENT from the gradebook, written answers included")
    report.add_argument("assignment")
    report.add_argument("--course", default=".", help="the course directory, with nbgrader_config.py (default: .)")
    report.set_defaults(run=lambda args: _report(args.course, args.assignment))
    replay = commands.add_parser("replay", help="a student's hidden tests outside grading: their data and verdicts")
    replay.add_argument("assignment")
    replay.add_argument("student")
    replay.add_argument("test", nargs="?", default=None, help="one test id, e.g. test_W1 (default: every hidden test)")
    replay.add_argument("--course", default=".", help="the course directory, with nbgrader_config.py (default: .)")
    replay.set_defaults(run=_replay)


def _replay(args):
    from .replay import replay, show

    replayed = replay(args.course, args.assignment, args.student, args.test)
    print(show(replayed))
    return 1 if any(verdict for _, _, verdict in replayed) else 0


def _grade(args):
    from .grading import grade

    outcomes = grade(args.assignment, args.course, args.jobs)
    failed = sum(not o.success for o in outcomes)
    _report(args.course, args.assignment, failed)
    return 1 if failed else 0


def _report(course, assignment, failed=0):
    """Print the report and write reports/ASSIGNMENT.csv and .png, unless that would replace a report by a worse one."""
    from . import report

    results = report.collect(course, assignment)
    print(report.summary(results, assignment))
    out = Path(course) / "reports"
    csv_path, png_path = out / f"{assignment}.csv", out / f"{assignment}.png"
    if not results:
        print(f"no report written: the gradebook holds no graded submission of {assignment}")
        return 1
    if failed and csv_path.exists():
        print(f"{csv_path} and its plot are kept as they were: {failed} submissions could not be graded this time")
        return 1
    out.mkdir(exist_ok=True)
    print(f"wrote {report.write_csv(results, csv_path)}")
    print(f"wrote {report.plot(results, assignment, png_path)}")
    return 0
