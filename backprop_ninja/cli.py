"""The `backprop-ninja` command.

    backprop-ninja trace                  the hand trace of the 2→3→2 ReLU network
    backprop-ninja draw OUT.png           the trace's network drawn: forward values, then every gradient
    backprop-ninja eps-plot OUT.png       the ε explorer's picture, drawn once
    backprop-ninja grade ASSIGNMENT       (instructors, with ./autograde installed) autograde a class
"""

import argparse
import sys


def _trace(args):
    from .trace import print_trace
    print_trace()
    return 0


def _draw(args):
    import matplotlib
    matplotlib.use("Agg")
    from .drawing import network_figure

    network_figure().savefig(args.out, dpi=110)
    print(f"wrote {args.out}")
    return 0


def _eps_plot(args):
    import matplotlib
    matplotlib.use("Agg")
    from .widgets import plot_errors

    plot_errors(args.function, x=args.x, eps=args.eps, precision=args.precision).savefig(args.out, dpi=110)
    print(f"wrote {args.out}")
    return 0


def _instructor_only(args):
    print(f"backprop-ninja {args.command} is for instructors: install the grading side with "
          "`pip install -e ./autograde` in the course repository.")
    return 2


def main(argv=None):
    parser = argparse.ArgumentParser(prog="backprop-ninja", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("trace", help="the hand trace of the 2→3→2 ReLU network").set_defaults(run=_trace)
    draw = commands.add_parser("draw", help="draw the trace's network, forward and backward, to a file")
    draw.add_argument("out")
    draw.set_defaults(run=_draw)
    plot = commands.add_parser("eps-plot", help="draw the ε explorer's error plot to a file")
    plot.add_argument("out")
    plot.add_argument("--function", default="tanh", choices=["tanh", "exp", "seed loss"])
    plot.add_argument("--x", type=float, default=0.5)
    plot.add_argument("--eps", type=float, default=1e-5)
    plot.add_argument("--precision", default="float64", choices=["float64", "float32"])
    plot.set_defaults(run=_eps_plot)
    try:   # the instructor's commands, when the grading side is installed
        from ninja_autograde import commands as instructor
    except ImportError:
        for name in ("grade", "doctor"):
            stub = commands.add_parser(name, help=f"(instructors) {name}; needs ./autograde installed")
            stub.add_argument("rest", nargs=argparse.REMAINDER)
            stub.set_defaults(run=_instructor_only)
    else:
        instructor.add_to(commands)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
