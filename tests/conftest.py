import re
import sys
from pathlib import Path

import nbformat
import pytest
from system import debian_package

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo():
    return REPO


@pytest.fixture(scope="session")
def fresh_release(tmp_path_factory):
    """release/ as nbgrader generates it from source/ right now."""
    from ninja_autograde.release import build_release
    return build_release(tmp_path_factory.mktemp("release-build"))


DELIMITED = re.compile(r"### BEGIN (SOLUTION|HIDDEN TESTS)\n(.*?)### END \1", re.S)


@pytest.fixture(scope="session")
def secret_lines():
    """Every substantial line of a solution or a hidden test in source/."""
    lines = set()
    for path in (REPO / "source").glob("*/*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            for _, block in DELIMITED.findall(cell.source):
                lines |= {ln.strip() for ln in block.splitlines()
                          if len(ln.strip()) >= 15 and not ln.strip().startswith("#")}
    return lines


@pytest.fixture(scope="session")
def sample_class():
    """make(folder, assignment, roster=None): a scratch course holding the submissions of the assignment of the
    roster, [(student, calibration case)] (default: the sample class's)."""
    from ninja_autograde import calibration, course, demo, submissions

    def make(folder, assignment, roster=None):
        folder = course.scratch_course(folder, [assignment])
        release = course.read_notebook(folder, "release", assignment)
        solutions = submissions.solution_cells(course.read_notebook(folder, "source", assignment))
        for student, case_name in roster or demo.roster()[assignment]:
            answers = calibration.case(assignment, case_name).answers
            submissions.write_submission(folder, student, assignment, course.ASSIGNMENTS[assignment],
                                         submissions.student_notebook(release, answers, solutions))
        return folder
    return make


@pytest.fixture(scope="session")
def graders():
    """run(folder, assignment, n): n `backprop-ninja grade --shard i/n` processes at once, standing in for
    n machines; returns each one's (exit code, output)."""
    import os
    import subprocess

    def run(folder, assignment, n):
        env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
        machines = [subprocess.Popen([sys.executable, "-m", "backprop_ninja.cli", "grade", assignment, "--course",
                                      str(folder), "--shard", f"{i}/{n}", "--jobs", "1"],
                                     env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                    for i in range(n)]
        return [(m.wait(timeout=900), m.stdout.read()) for m in machines]
    return run


@pytest.fixture(scope="session")
def class_scores():
    """scores(folder, assignment): student -> (score, {test: (score, max)}) from the gradebook."""
    from ninja_autograde import report

    def scores(folder, assignment):
        return {r.student: (r.score, r.tests) for r in report.collect(folder, assignment)}
    return scores


def pytest_configure(config):
    config.addinivalue_line("markers", "hub: JupyterHub with real OS users (root, minutes): run by `make test-hub`")


def pytest_collection_modifyitems(config, items):
    """The hub test runs only when asked for (`-m hub`, as `make test-hub` does): it installs three Pythons."""
    if "hub" in (config.getoption("-m") or ""):
        return
    for item in items:
        if "hub" in item.keywords:
            item.add_marker(pytest.mark.skip(reason="JupyterHub with real OS users: run `make test-hub`"))


@pytest.fixture(scope="session", autouse=True)
def bubblewrap():
    """Student kernels run in bubblewrap's jail: install Debian's package when it is missing (as CI starts clean)."""
    from ninja_autograde.sandbox.jail import BWRAP

    debian_package("bubblewrap", lambda: Path(BWRAP).exists())
