"""The instructor's subcommands of `backprop-ninja`, registered when this package is installed.

    backprop-ninja grade ASSIGNMENT [--jobs N] [--course DIR]
    backprop-ninja replay ASSIGNMENT STUDENT [TEST] [--course DIR]
"""

from pathlib import Path


def add_to(commands):
    grade = commands.add_parser("grade", help="autograde every submission of ASSIGNMENT in submitted/, in parallel")
    grade.add_argument("assignment")
    grade.add_argument("--jobs", type=int, default=None, help="parallel workers (default: the CPU count)")
    grade.add_argument("--course", default=".", help="the course directory, with nbgrader_config.py (default: .)")
    grade.set_defaults(run=_grade)
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
    from . import report
    from .grading import grade

    outcomes = grade(args.assignment, args.course, args.jobs)
    failed = sum(not o.success for o in outcomes)
    results = report.collect(args.course, args.assignment)
    print(report.summary(results, args.assignment))
    out = Path(args.course) / "reports"
    csv_path, png_path = out / f"{args.assignment}.csv", out / f"{args.assignment}.png"
    if not results:
        print(f"no report written: the gradebook holds no graded submission of {args.assignment}")
    elif failed and csv_path.exists():
        print(f"{csv_path} and its plot are kept as they were: {failed} submissions could not be graded this time")
    else:
        out.mkdir(exist_ok=True)
        print(f"wrote {report.write_csv(results, csv_path)}")
        print(f"wrote {report.plot(results, args.assignment, png_path)}")
    return 1 if failed else 0
