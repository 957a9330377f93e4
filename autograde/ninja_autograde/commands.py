"""The instructor's subcommands of `backprop-ninja`, registered when this package is installed.

    backprop-ninja grade ASSIGNMENT [--jobs N] [--course DIR] [--shard i/n] [--students a,b,c]
    backprop-ninja report ASSIGNMENT [--course DIR]
    backprop-ninja replay ASSIGNMENT STUDENT [TEST] [--course DIR]
    backprop-ninja kit [--out DIR]
    backprop-ninja doctor [--course DIR]
"""

import sys
from pathlib import Path


def add_to(commands):
    grade = commands.add_parser("grade", help="autograde every submission of ASSIGNMENT in submitted/, in parallel")
    grade.add_argument("assignment")
    grade.add_argument("--jobs", type=int, default=None, help="parallel workers (default: one per CPU)")
    grade.add_argument("--course", default=".", help="the course directory, with nbgrader_config.py (default: .)")
    grade.add_argument("--shard", default=None, metavar="i/n",
                       help="grade share i of n (0 ≤ i < n) of the class: one share per grading machine")
    grade.add_argument("--students", default=None, metavar="a,b,c", help="grade these students only")
    grade.set_defaults(run=_grade)
    report = commands.add_parser("report", help="the class report of ASSIGNMENT from the gradebook, CSV and plot")
    report.add_argument("assignment")
    report.add_argument("--course", default=".", help="the course directory, with nbgrader_config.py (default: .)")
    report.set_defaults(run=_report)
    replay = commands.add_parser("replay", help="a student's hidden tests outside grading: their data and verdicts")
    replay.add_argument("assignment")
    replay.add_argument("student")
    replay.add_argument("test", nargs="?", default=None, help="one test id, e.g. test_W1 (default: every hidden test)")
    replay.add_argument("--course", default=".", help="the course directory, with nbgrader_config.py (default: .)")
    replay.set_defaults(run=_replay)
    kit = commands.add_parser("kit", help="build what students receive: the student package's wheel and notebooks")
    kit.add_argument("--out", default=None, help="where (default: build/kit in the course repository)")
    kit.set_defaults(run=_kit)
    doctor = commands.add_parser("doctor", help="which protections of the student kernels' jail work on this machine")
    doctor.add_argument("--course", default=".", help="the course directory, with nbgrader_config.py (default: .)")
    doctor.set_defaults(run=_doctor)


def _grade(args):
    from .grading import MissingDriver, grade, parse_shard
    from .sandbox.jail import JailUnavailable

    try:
        shard = parse_shard(args.shard) if args.shard else None
        named = args.students.split(",") if args.students else None
        outcomes = grade(args.assignment, args.course, args.jobs, shard=shard, named=named)
    except (MissingDriver, ValueError, FileNotFoundError) as error:
        print(error)
        return 2
    except JailUnavailable as refusal:
        print(refusal, file=sys.stderr)
        return 3
    failed = sum(not o.success for o in outcomes)
    return _report(args, failed) or (1 if failed else 0)


def _report(args, failed=0):
    """Print the report and write reports/ASSIGNMENT.csv and .png, unless that would replace a report by a worse one."""
    from . import report
    from .grading import MissingDriver, submissions

    try:
        results = report.collect(args.course, args.assignment)
    except MissingDriver as error:
        print(error)
        return 2
    print(report.summary(results, args.assignment))
    waiting = sorted(set(submissions(args.course, args.assignment)) - {r.student for r in results})
    if waiting:
        print(f"partial: {len(waiting)} of the submissions in submitted/ are not graded yet "
              f"(other graders' shares still running?): {', '.join(waiting)}")
    out = Path(args.course) / "reports"
    csv_path, png_path = out / f"{args.assignment}.csv", out / f"{args.assignment}.png"
    if not results:
        print(f"no report written: the gradebook holds no graded submission of {args.assignment}")
        return 1
    if failed and csv_path.exists():
        print(f"{csv_path} and its plot are kept as they were: {failed} submissions could not be graded this time")
        return 1
    out.mkdir(exist_ok=True)
    print(f"wrote {report.write_csv(results, csv_path)}")
    print(f"wrote {report.plot(results, args.assignment, png_path)}")
    return 0


def _replay(args):
    from .replay import replay, show

    replayed = replay(args.course, args.assignment, args.student, args.test)
    print(show(replayed))
    return 1 if any(r.verdict for r in replayed) else 0


def _kit(args):
    from .kit import build_kit

    print(f"wrote {build_kit(args.out) if args.out else build_kit()}")
    return 0


def _doctor(args):
    from . import doctor

    return doctor.main(args.course)
