"""The lab assistant, torch.autograd.gradcheck's defaults and CS231n's check, judged by an oracle.

    .venv/bin/python benchmarks/oracle.py

The cases are tests/oracle_cases.py's (jax in float64 is the truth; the oracle extra installs it): the
course's networks at gradient scales 1 to 1e-8, right, float32-rounded and corrupted gradients, ReLU at its
kink. Each checker sees one tensor's gradient and the numpy loss, as a student hands them in. Prints a
markdown table: the share of wrong gradients each checker passes and of right ones it fails.

torch's gradcheck is reimplemented here in numpy (torch is not installed): central differences with
eps 1e-6, then allclose entry by entry, |a − n| ≤ atol + rtol·|n| with atol 1e-5 and rtol 1e-3.
CS231n's check: eval_numerical_gradient (central, h = 1e-5), then rel_error = max |a − n| / max(1e-8,
|a| + |n|) ≤ 1e-7.
"""

import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import oracle_cases  # noqa: E402

from backprop_ninja.gradcheck import numerical_gradient  # noqa: E402


def numeric(case, eps):
    params = {k: np.array(v, dtype=np.float64) for k, v in case.params.items()}
    return numerical_gradient(lambda: case.loss_fn(params), params[case.tensor], eps)


def torch_gradcheck(case, eps=1e-6, atol=1e-5, rtol=1e-3):
    n = numeric(case, eps)
    return "passed" if np.all(np.abs(case.grad - n) <= atol + rtol * np.abs(n)) else "failed"


def cs231n(case, h=1e-5, threshold=1e-7):
    n = numeric(case, h)
    rel_error = np.max(np.abs(case.grad - n) / np.maximum(1e-8, np.abs(case.grad) + np.abs(n)))
    return "passed" if rel_error <= threshold else "failed"


CHECKERS = {
    "the lab assistant (`check_gradients`)": oracle_cases.lab_assistant,
    "torch.autograd.gradcheck's defaults": torch_gradcheck,
    "CS231n (rel_error ≤ 1e-7)": cs231n,
}
KINDS = ("loss × scale", "confident", "at a kink")


def share(counts, truth, verdicts, kind=None):
    kinds = [kind] if kind else KINDS
    total = sum(n for (k, t, _), n in counts.items() if t == truth and k in kinds)
    hits = sum(n for (k, t, v), n in counts.items() if t == truth and k in kinds and v in verdicts)
    return f"{100 * hits / total:.0f} % ({hits}/{total})" if total else "–"


def main():
    start = time.perf_counter()
    cases = list(oracle_cases.cases())
    print(f"{len(cases)} cases ({sum(c.right for c in cases)} right, {sum(not c.right for c in cases)} wrong)\n")
    head = ["checker", "wrong passed", "right failed"] + [f"{k}: wrong passed / right failed" for k in KINDS]
    print("| " + " | ".join(head) + " |")
    print("| --- |" + " ---: |" * (len(head) - 1))
    unjudged = None
    for label, checker in CHECKERS.items():
        counts = Counter((c.kind, c.right, checker(c)) for c in cases)
        cells = [share(counts, False, {"passed"}), share(counts, True, {"failed"})]
        cells += [f"{share(counts, False, {'passed'}, k)} / {share(counts, True, {'failed'}, k)}" for k in KINDS]
        print(f"| {label} | " + " | ".join(cells) + " |")
        if checker is oracle_cases.lab_assistant:
            unjudged = counts
    print(f"\nThe lab assistant's own verdicts: right gradients too small to judge "
          f"{share(unjudged, True, {'too small'})}, at a kink {share(unjudged, True, {'at a kink'})}; "
          f"wrong ones too small to judge {share(unjudged, False, {'too small'})}, "
          f"at a kink {share(unjudged, False, {'at a kink'})}.")
    print(f"({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
