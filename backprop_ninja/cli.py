"""The `backprop-ninja` command.

    backprop-ninja trace                  the hand trace of the 2→3→2 ReLU network
    backprop-ninja eps-plot OUT.png       the ε explorer's picture, drawn once
    backprop-ninja grade ASSIGNMENT       autograde every submission in parallel, then the report
"""

import argparse
import sys


def _trace(args):
    from .trace import print_trace
    print_trace()
    return 0


def _eps_plot(args):
    import matplotlib
    matplotlib.use("Agg")
    from .widgets import plot_errors

    plot_errors(args.function, x=args.x, eps=args.eps, precision=args.precision).savefig(args.out, dpi=110)
    print(f"wrote {args.out}")
    return 0


def _grade(args):
    from pathlib import Path

    from . import report
    from .grading import grade

    outcomes = grade(args.assignment, args.course, args.jobs)
    results = report.collect(args.course, args.assignment)
    print(report.summary(results, args.assignment))
    out = Path(args.course) / "reports"
    out.mkdir(exist_ok=True)
    print(f"wrote {report.write_csv(results, out / f'{args.assignment}.csv')}")
    print(f"wrote {report.plot(results, args.assignment, out / f'{args.assignment}.png')}")
    return 0 if all(o.success for o in outcomes) else 1


def main(argv=None):
    parser = argparse.ArgumentParser(prog="backprop-ninja", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("trace", help="the hand trace of the 2→3→2 ReLU network").set_defaults(run=_trace)
    plot = commands.add_parser("eps-plot", help="draw the ε explorer's error plot to a file")
    plot.add_argument("out")
    plot.add_argument("--function", default="tanh", choices=["tanh", "exp", "seed loss"])
    plot.add_argument("--x", type=float, default=0.5)
    plot.add_argument("--eps", type=float, default=1e-5)
    plot.add_argument("--precision", default="float64", choices=["float64", "float32"])
    plot.set_defaults(run=_eps_plot)
    grade = commands.add_parser("grade", help="autograde every submission of ASSIGNMENT in submitted/, in parallel")
    grade.add_argument("assignment")
    grade.add_argument("--jobs", type=int, default=None, help="parallel workers (default: the CPU count)")
    grade.add_argument("--course", default=".", help="the course directory, with nbgrader_config.py (default: .)")
    grade.set_defaults(run=_grade)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
