"""Regenerate release/ from source/ with nbgrader, in a scratch course, and copy it into the repo.

    python -m ninja_autograde.release        (make release)
"""

import shutil
import sys
import tempfile
from pathlib import Path

from . import course


def build_release(folder, assignments=None, repo=course.REPO):
    """Run nbgrader generate_assignment for every assignment; returns folder/release."""
    course.scratch_course(folder, assignments or course.available_assignments(repo), repo)
    return Path(folder) / "release"


def main():
    with tempfile.TemporaryDirectory() as tmp:
        built = build_release(tmp)
        target = course.REPO / "release"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(built, target)
    print(f"release/ regenerated: {', '.join(sorted(p.name for p in target.iterdir()))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
