"""The instructor's subcommands of `backprop-ninja`, registered when this package is installed.

    backprop-ninja grade ASSIGNMENT [--jobs N] [--course DIR]
    backprop-ninja doctor [--course DIR]
"""

import sys
from pathlib import Path


def add_to(commands):
    grade = commands.add_parser("grade", help="autograde every submission of ASSIGNMENT in submitted/, in parallel")
    grade.add_argument("assignment")
    grade.add_argument("--jobs", type=int, default=None, help="parallel workers (default: the CPU count)")
    grade.add_argument("--course", default=".", help="the course directory, with nbgrader_config.py (default: .)")
    grade.set_defaults(run=_grade)
    doctor = commands.add_parser("doctor", help="which protections of the student kernels' jail work on this machine")
    doctor.add_argument("--course", default=".", help="the course directory, with nbgrader_config.py (default: .)")
    doctor.set_defaults(run=_doctor)


def _grade(args):
    from . import report
    from .grading import grade
    from .jail import JailUnavailable

    try:
        outcomes = grade(args.assignment, args.course, args.jobs)
    except JailUnavailable as refusal:
        print(refusal, file=sys.stderr)
        return 3
    results = report.collect(args.course, args.assignment)
    print(report.summary(results, args.assignment))
    out = Path(args.course) / "reports"
    out.mkdir(exist_ok=True)
    print(f"wrote {report.write_csv(results, out / f'{args.assignment}.csv')}")
    print(f"wrote {report.plot(results, args.assignment, out / f'{args.assignment}.png')}")
    return 0 if all(o.success for o in outcomes) else 1


def _doctor(args):
    from . import doctor

    return doctor.main(args.course)
