"""A submission holding a symbolic link (or a pipe, a device) is refused: nbgrader would read what a
link points to, as the grader (the gradebook, a source notebook), and hand it to the student's code.
"""

from pathlib import Path

from nbgrader.preprocessors import NbGraderPreprocessor


def not_plain(folder):
    """'' when folder holds only plain files and folders, else what is not."""
    for path in sorted(Path(folder).rglob("*")):
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            kind = "a symbolic link" if path.is_symlink() else "not a plain file"
            return f"{path.relative_to(folder)} is {kind}: a submission holds plain files only"
    return ""


class RefuseLinks(NbGraderPreprocessor):
    def preprocess(self, nb, resources):
        problem = not_plain(resources["metadata"]["path"])
        if problem:
            raise ValueError(problem)   # nbgrader then removes what it had copied into autograded/
        return nb, resources
