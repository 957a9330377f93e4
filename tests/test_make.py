"""The Makefile's commands as an instructor types them (what each would run: `make -n`)."""
import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def planned(target):
    return subprocess.run(["make", "-n", target], cwd=REPO, capture_output=True, text=True, check=True).stdout


def test_make_lab_starts_as_root_too_and_says_so():
    """JupyterLab refuses to start as root unless told; `make lab` tells it, and the instructor, when root."""
    lab, as_root = planned("lab"), os.getuid() == 0
    assert ("--allow-root" in lab) == as_root and ("running as root" in lab) == as_root
    assert f"jupyter lab --notebook-dir={REPO}" in lab
