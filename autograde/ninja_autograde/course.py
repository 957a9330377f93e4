"""A working copy of the course for grading runs: its own gradebook, submitted/ and autograded/.

The repository's `source/`, `release/` and `nbgrader_config.py` are copied into a scratch
folder so that calibration, the demo and the tests never write grading output into the repo.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from ninja_runner.exercises import ASSIGNMENTS

REPO = Path(__file__).resolve().parents[2]


def available_assignments(repo=REPO):
    return [a for a in ASSIGNMENTS if (Path(repo) / "source" / a).is_dir()]


def nbgrader(*args, cwd, check=True):
    """Run an nbgrader command in the course at cwd; returns the CompletedProcess."""
    return run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, check=check)


def run(cmd, cwd, check=True):
    """Run a command with this environment's bin/ on PATH (nbgrader needs its alembic)."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def scratch_course(folder, assignments, repo=REPO, db_url=None):
    """Copy the course into folder and register the assignments in its fresh gradebook (or in db_url's)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(repo) / "nbgrader_config.py", folder)
    if db_url:
        with open(folder / "nbgrader_config.py", "a") as config:
            config.write(f"\nc.CourseDirectory.db_url = {db_url!r}\n")
    for assignment in assignments:
        shutil.copytree(Path(repo) / "source" / assignment, folder / "source" / assignment, dirs_exist_ok=True)
        nbgrader("generate_assignment", assignment, "--force", cwd=folder)
    return folder


def read_notebook(course, kind, assignment):
    return nbformat.read(Path(course) / kind / assignment / ASSIGNMENTS[assignment], as_version=4)


def grade_id(cell):
    """The cell's nbgrader grade_id, or None."""
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def release_notebook(config, resources):
    """The release notebook the submission nbgrader is working on came from, or None."""
    info = resources["nbgrader"]
    path = Path(config.CourseDirectory.root or ".") / "release" / info["assignment"] / f"{info['notebook']}.ipynb"
    return nbformat.read(path, as_version=4) if path.exists() else None
