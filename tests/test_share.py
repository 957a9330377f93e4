"""Each kernel its own share (sandbox/cgroup.py, preprocessors/graderexecute.py): a cell's budget is the kernel's own CPU seconds, wall
clock only a hang guard; memory is capped for all of a jail's processes together, and the verdict says so.

Run through the course's GraderExecute (jailed kernels, its cgroups), on notebooks small enough to
say what each cell does; where this machine lets the grader make no cgroup they skip, saying why
(`backprop-ninja doctor` then reports the protection missing).
"""
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from ninja_autograde import course, grading
from ninja_autograde.preprocessors import GraderExecute
from ninja_autograde.sandbox.cgroup import KernelGroup


def protected():
    group = KernelGroup.create(128, 2 * 1024**3)
    if group is not None:
        group.remove()
    return group.protects() if group else []


def run(tmp_path, *sources, **settings):
    """The notebook of these cells run by the course's GraderExecute with these settings: each cell's outputs.
    (Settings through its config: nbconvert's preprocess re-reads the config, dropping keyword arguments.)"""
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    config = grading.load_config(course.REPO)
    config.GraderExecute.update(settings)
    GraderExecute(config=config).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    return [cell.outputs for cell in nb.cells]


def errors(outputs):
    return [f"{o.ename}: {o.evalue}" for o in outputs if o.output_type == "error"]


@pytest.mark.skipif("cpuacct" not in protected(), reason="no cgroup CPU reading here: budgets are wall clock")
def test_a_cell_budget_counts_the_kernels_cpu_seconds_not_the_clock(tmp_path):
    asleep, busy, after = run(tmp_path, "import time\ntime.sleep(6)\nprint('woke')", "while True: pass", "print('on')",
                              timeout=2, hang_guard=60)
    assert not errors(asleep) and "woke" in asleep[0].text, asleep   # 6 s of clock, no CPU: within a 2 s budget
    assert "KeyboardInterrupt: " in errors(busy), busy   # 2 CPU seconds: interrupted
    assert "on" in after[0].text


@pytest.mark.skipif("cpuacct" not in protected(), reason="no cgroup CPU reading here: budgets are wall clock")
def test_a_sleeping_cell_is_stopped_by_the_hang_guard(tmp_path):
    [asleep] = run(tmp_path, "import time\ntime.sleep(600)", timeout=2, hang_guard=5)
    assert "KeyboardInterrupt: " in errors(asleep), asleep


@pytest.mark.skipif("memory" not in protected(), reason="no memory cgroup here: only RLIMIT_AS, per process")
def test_forks_that_each_stay_under_the_cap_meet_it_together_and_are_told(tmp_path):
    fill = ("import os, time\nfor _ in range(4):\n    if os.fork() == 0:\n        held = b'x' * 2**30\n"
            "        time.sleep(5)\n        os._exit(0)\n"
            "print('held together:', sum(os.wait()[1] == 0 for _ in range(4)), 'GiB')")
    [filled, after] = run(tmp_path, fill, "print('on')")
    held = int(filled[0].text.split()[2])
    assert held < 2, filled   # a 2 GiB cap for the kernel, all its processes together
    assert any("memory limit (2 GiB for all its processes together)" in e for e in errors(filled)), filled
    assert "on" in after[0].text   # the kernel itself lives on


def test_a_kernel_that_swallows_the_interrupt_is_stopped_and_one_that_answers_it_goes_on(tmp_path):
    """A loop that ignores the interrupt keeps its kernel busy: that cell and the later ones are lost at once
    (not each after its own budget); a slow cell that the interrupt ends costs that cell only."""
    swallow = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True: pass"
    stuck, later, last = run(tmp_path, swallow, "print('on')", "print('on')", timeout=2, hang_guard=60, stuck_seconds=2)
    assert any("was still stuck" in e for e in errors(stuck)), stuck
    assert all(errors(o) == ["KernelStopped: not run: the kernel was still stuck in cell 1"] for o in (later, last))
    slow, after = run(tmp_path, "while True: pass", "print('on')", timeout=2, hang_guard=60, stuck_seconds=2)
    assert "KeyboardInterrupt: " in errors(slow) and "on" in after[0].text, (slow, after)
