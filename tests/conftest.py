import sys
from pathlib import Path

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
