import re
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
