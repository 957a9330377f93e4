import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

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


@pytest.fixture(scope="session", autouse=True)
def bubblewrap():
    """Student kernels run in bubblewrap's jail: install Debian's package when it is missing (as CI starts clean)."""
    from ninja_autograde.jail import BWRAP

    if not Path(BWRAP).exists():
        subprocess.run(["apt-get", "update", "-qq"], check=True, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "bubblewrap"], check=True, capture_output=True)
    assert Path(BWRAP).exists(), "Debian's bubblewrap could not be installed"
