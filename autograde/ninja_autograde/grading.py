"""`backprop-ninja grade`: nbgrader's autograde, one student per worker, all workers at once.

nbgrader grades one submission after another. Here a pool of worker processes each builds
nbgrader's API once and then autogrades whole submissions, each in a fresh kernel, so while
one worker waits for its kernel to start another is executing cells. Every worker writes to
the same gradebook; SQLite serialises the writes (the course's db_url sets a busy timeout).
The scores are nbgrader's own: the same Autograde converter does the work.
"""

import os
import re
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

_api = None


@dataclass
class Outcome:
    student: str
    success: bool
    seconds: float
    error: str = ""


def load_config(course):
    """The course's nbgrader_config.py as a traitlets Config."""
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()


def db_url(course):
    """The gradebook the course's config names (SQLite by default, PostgreSQL if so configured)."""
    return load_config(Path(course).resolve()).CourseDirectory.db_url


def _start_worker(course):
    global _api
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from sqlalchemy.exc import SAWarning

    # nbgrader 0.9's gradebook code warns about SQLAlchemy 2's autoflush on every submission; harmless.
    warnings.filterwarnings("ignore", category=SAWarning)

    os.chdir(course)
    config = load_config(course)
    _api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def _grade_one(assignment, student):
    start = time.perf_counter()
    trouble = problem(".", assignment, student)
    if trouble:   # nbgrader is not even asked: nothing of the student's is touched in the gradebook
        return Outcome(student, False, time.perf_counter() - start, trouble)
    result = _api.autograde(assignment, student, force=True, create=True)
    return Outcome(student, result["success"], time.perf_counter() - start, "" if result["success"] else reason(result))


_GENERIC = ("There was an error processing assignment", "Please see the the above traceback",
            "Traceback (most recent call last)")
_EXCEPTION = re.compile(r"^\s*([\w.]+(Error|Exception|Entry)): (.+)$")


def reason(result):
    """nbgrader's own words for a failed autograde: its error log lines, else the last exception raised."""
    log = result.get("log") or ""
    said = [line.split("] ", 1)[1] for line in log.splitlines()
            if line.startswith(("[ERROR] ", "[CRITICAL] ")) and not any(g in line for g in _GENERIC)]
    if said:
        return "; ".join(dict.fromkeys(said))
    raised = [m.group(0).strip() for m in map(_EXCEPTION.match, (log + (result.get("error") or "")).splitlines()) if m]
    return raised[-1] if raised else "nbgrader failed without saying why (run nbgrader autograde for its log)"


def problem(course, assignment, student):
    """Why a submission cannot be graded ('' if it can): a missing, renamed or broken notebook."""
    import nbformat

    folder = Path(course) / "submitted" / student / assignment
    expected = {p.name for p in (Path(course) / "source" / assignment).glob("*.ipynb")}
    submitted = {p.name for p in folder.glob("*.ipynb")}
    for name in sorted(expected):
        if name not in submitted:
            others = sorted(submitted - expected)
            hint = f"; the submission has {', '.join(others)}: renamed? Give it its name back" if others else ""
            return f"{name} is missing{hint}"
        try:
            nbformat.validate(nbformat.read(folder / name, as_version=4))
        except Exception as error:  # noqa: BLE001 — whatever nbformat rejects, the message says what
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            return f"{name} is not a valid notebook ({type(error).__name__}: {first_line})"
    return ""


def submissions(course, assignment):
    return sorted(p.parent.name for p in Path(course).glob(f"submitted/*/{assignment}") if p.is_dir())


def grade(assignment, course=".", jobs=None, progress=True):
    """Autograde every submission of the assignment; returns one Outcome per student."""
    from tqdm import tqdm

    course = Path(course).resolve()
    if not (course / "nbgrader_config.py").exists():
        raise FileNotFoundError(f"{course} has no nbgrader_config.py: run this in the course directory")
    students = submissions(course, assignment)
    if not students:
        raise FileNotFoundError(f"no submissions of {assignment} in {course / 'submitted'}")
    jobs = jobs or os.cpu_count() or 1
    outcomes, start = [], time.perf_counter()
    with ProcessPoolExecutor(min(jobs, len(students)), initializer=_start_worker, initargs=(course,)) as pool:
        futures = [pool.submit(_grade_one, assignment, s) for s in students]
        with tqdm(total=len(students), desc=f"grading {assignment}", unit="student", disable=not progress) as bar:
            for future in as_completed(futures):
                outcome = future.result()
                outcomes.append(outcome)
                failures = sum(not o.success for o in outcomes)
                bar.set_postfix_str(f"{outcome.student} ({outcome.seconds:.1f}s), grading failures: {failures}")
                bar.update()
    failed = [o for o in sorted(outcomes, key=lambda o: o.student) if not o.success]
    for o in failed:
        print(f"could not grade {o.student}: {o.error}")
    print(f"graded {len(outcomes) - len(failed)} of {len(outcomes)} submissions of {assignment} "
          f"in {time.perf_counter() - start:.1f}s with {min(jobs, len(students))} workers"
          + (f"; {len(failed)} could not be graded (above)" if failed else ""))
    return sorted(outcomes, key=lambda o: o.student)
