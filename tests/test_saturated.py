"""Graded on a saturated machine, the calibration classes of 04 and 06 come out exactly as on an idle one, loops
included, with a kernel that keeps 64 busy processes running graded beside 04's (autograde/attacks/04_mlp_relu).

Two busy processes per CPU (`while True: pass`, normal priority, started outside the grader) fill the machine
while it grades. Each cell's budget counts its kernel's own CPU seconds (its cgroup), and each kernel has one CPU
weight however many processes it runs, so a right answer keeps its grade however long the clock runs.
Slow (about 15 minutes on the 2-CPU build machine): `make test-saturated`, not part of `make test`. At this load a
wall-clock budget also passed here (docs/benchmarks.md): the test holds grades to their idle values under
saturation; tests/test_share.py is what fails when budgets count the clock.
"""
import os
import subprocess
import sys

import pytest

from ninja_autograde import calibration, course, submissions
from ninja_autograde.sandbox.cgroup import KernelGroup

BUSY = 2 * os.cpu_count()


def measured():
    group = KernelGroup.create(128, 2 * 1024**3)
    if group is not None:
        group.remove()
    return bool(group) and "cpuacct" in group.protects()


@pytest.fixture
def saturated():
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(BUSY)]
    yield busy
    for process in busy:
        process.kill()
        process.wait()


@pytest.mark.skipif(not measured(), reason="no cgroup CPU reading here: budgets are wall clock (see doctor)")
@pytest.mark.parametrize("assignment", ["04_mlp_relu", "06_batchnorm"])
def test_calibration_is_judged_right_on_a_saturated_machine(assignment, tmp_path, saturated):
    hogs = [submissions.load_case(p) for p in sorted((course.REPO / "autograde" / "attacks" / assignment).glob("*.py"))]
    outcomes = calibration.calibrate(assignment, tmp_path, extra=hogs)
    assert all(p.poll() is None for p in saturated), "the machine was not kept busy"
    wrong = [f"{o.case.name}: failed {sorted(o.failed)}, expected {sorted(o.case.fails)}"
             for o in outcomes if not o.as_expected]
    assert not wrong, "\n".join(wrong)
