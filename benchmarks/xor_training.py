"""How often the hidden training test of `mlp_relu_backward` passes, per calibration case, over many seeds.

    .venv/bin/python benchmarks/xor_training.py [--seeds 50] [CASE ...]

Each seed draws the test exactly as the referee does (`EXERCISES[...].hidden(rng, "train")`:
TRAIN_RUNS networks on fresh XOR data, each a run right gradient descent solves, `ninja_runner.exercises._xor`;
drawn once per seed and shared by every case), trains each with the case's backward pass through the kernel's
own loop (`ninja_runner.runner.train_xor`, from the call's seed alone) and judges it with the referee's rule.
The test's last call, dW1 on a network of a million parameters (which keeps finite differences from passing),
is left out: this measures training alone. A test fails at its first failed
network, so the loop stops there. Prints, per case, the pass rate and the accuracies reached, beside what
the case's FAILS / MAY_FAIL lists expect: the numbers quoted in the cases' docstrings come from here.
"""

import argparse
import functools
from pathlib import Path

import numpy as np

from ninja_runner.calls import kind
from ninja_runner.exercises import EXERCISES
from ninja_runner.exercises._xor import xor_run
from backprop_ninja.nets import predict
from ninja_autograde.referee import judge_answers
from ninja_autograde.submissions import load_case, solution_cells
from ninja_runner.hidden import answer

REPO = Path(__file__).resolve().parents[1]
CASES = REPO / "autograde" / "calibration" / "04_mlp_relu"
TEST = "test_trains_xor"


def backward_passes(names):
    """name -> the case's mlp_relu_backward (and the source notebook's solution as 'source_solution')."""
    import nbformat
    source = nbformat.read(REPO / "source" / "04_mlp_relu" / "mlp_relu.ipynb", as_version=4)
    found = {"source_solution": (solution_cells(source)["mlp_relu_backward"], set(), set())}
    for path in sorted(CASES.glob("*.py")):
        case = load_case(path)
        if "mlp_relu_backward" in case.answers:
            found[case.name] = (case.answers["mlp_relu_backward"], case.fails, case.may_fail)
    out = {}
    for name, (code, fails, may_fail) in found.items():
        if names and name not in names:
            continue
        namespace = {"np": np}
        exec(code, namespace)   # the calibration class is the course's own code
        expected = "fails" if TEST in fails else "may fail" if TEST in may_fail else "passes"
        out[name] = (namespace["mlp_relu_backward"], expected)
    return out


@functools.cache
def draw(seed):
    """The hidden training test's calls drawn from seed."""
    return EXERCISES["mlp_relu_backward"].hidden(np.random.default_rng(seed), "train")


def run_test(backward, seed):
    """(passed, accuracies of the networks trained) for one hidden training test drawn from seed."""
    calls = [call for call in draw(seed) if kind(call) == "train"]   # the test's dW1 at scale is not training
    accuracies = []
    for i, call in enumerate(calls):
        with np.errstate(all="ignore"):
            sent = answer(backward, call)
            verdict = judge_answers("mlp_relu_backward", "train", [call], {"0": sent})
        if "out" in sent:
            _, X, y = xor_run(int(call["seed"]))
            with np.errstate(all="ignore"):
                accuracies.append(float(np.mean(predict(sent["out"], X) == y)))
        if verdict:
            return False, accuracies
    return True, accuracies


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("cases", nargs="*")
    args = parser.parse_args(argv)
    print(f"{'case':<26} {'expected':>9} {'passed':>8}  accuracy of the networks trained (min / mean / max)")
    for name, (backward, expected) in backward_passes(set(args.cases)).items():
        passes, accuracies = 0, []
        for seed in range(args.seeds):
            passed, acc = run_test(backward, seed)
            passes += passed
            accuracies += acc
        spread = (f"{min(accuracies):.3f} / {np.mean(accuracies):.3f} / {max(accuracies):.3f}"
                  if accuracies else "no network trained (the backward pass raises)")
        print(f"{name:<26} {expected:>9} {passes:>4}/{args.seeds:<3}  {spread}", flush=True)


if __name__ == "__main__":
    main()
