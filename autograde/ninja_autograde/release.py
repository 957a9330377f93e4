"""Regenerate release/ from source/ with nbgrader and register the assignments in the course's gradebook.

    python -m ninja_autograde.release        (make release)

nbgrader's generate_assignment runs in a scratch copy of the course whose gradebook is the
course's own (`CourseDirectory.db_url` of nbgrader_config.py): the course's gradebook learns every
assignment, notebook and graded cell, as `nbgrader autograde` needs, and the release notebooks are
copied over release/ file by file. Nothing in release/ is ever deleted, and the submissions the
gradebook holds are kept: nbgrader refuses, with its reason, only when graded cells were added or
removed after students submitted.
"""

import shutil
import sys
import tempfile
from pathlib import Path

from . import course, grading


def build_release(folder, assignments=None, repo=course.REPO, db_url=None):
    """Run nbgrader generate_assignment for every assignment; returns folder/release."""
    course.scratch_course(folder, assignments or course.available_assignments(repo), repo, db_url)
    return Path(folder) / "release"


def main(repo=course.REPO):
    repo = Path(repo)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            built = build_release(tmp, repo=repo, db_url=grading.db_url(repo))
        except RuntimeError as error:
            print(f"make release: nbgrader refused; release/ is unchanged.\n{error}", file=sys.stderr)
            return 1
        shutil.copytree(built, repo / "release", dirs_exist_ok=True)
        names = sorted(p.name for p in built.iterdir())
    print(f"release/ regenerated and registered in the course's gradebook: {', '.join(names)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
