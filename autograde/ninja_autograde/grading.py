"""`backprop-ninja grade`: nbgrader's autograde, one student per worker, all workers at once.

nbgrader grades one submission after another. Here a pool of worker processes each builds
nbgrader's API once and then autogrades whole submissions, each in a fresh kernel, so while
one worker waits for its kernel to start another is executing cells. One worker per CPU by
default: a worker keeps its CPU busy only about half of the time on a light assignment, and
`--jobs` twice the CPUs grades 02 faster still (docs/benchmarks.md), but on 04 or 06 two students'
training loops would then share a CPU, and a slow but right answer could miss its time budget in
grading after passing in the student's own kernel. Every worker writes to the same gradebook; SQLite
serialises the writes (the course's db_url sets a busy timeout; preprocessors/writeaheadlog.py: WAL mode).
The scores are nbgrader's own: the same Autograde converter does the work.

A worker that dies (the machine's out-of-memory killer, a crash) breaks the pool: the students it had
not finished are graded again in a fresh pool, those that were being graded as it died each alone, so
a death again names its submission, which is then reported as not graded; the class goes on.

Several machines split one class with `--shard i/n` (or `--students a,b,c`): each grades its
share into one gradebook (PostgreSQL), reading and writing one shared course folder.
"""

import hashlib
import multiprocessing
import os
import re
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from .preprocessors import RefuseAddedCells
from .preprocessors.refuseaddedcells import too_many_cells
from .preprocessors.refuselinks import not_plain
from .sandbox.kernel import check_jail
from .printable import printable

_api = None
_started = None   # the queue on which a worker says which student it starts grading


@dataclass
class Graded:
    student: str
    success: bool
    seconds: float
    error: str = ""


def load_config(course):
    """The course's nbgrader_config.py as a traitlets Config."""
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()


class MissingDriver(RuntimeError):
    """The gradebook's database driver is not installed."""


def db_url(course):
    """The gradebook the course's config names (SQLite by default, PostgreSQL if so configured)."""
    url = load_config(Path(course).resolve()).CourseDirectory.db_url
    check_driver(url)
    return url


def check_driver(url):
    """Raise MissingDriver, with the command that installs it, if the gradebook's driver is missing."""
    from sqlalchemy.engine import make_url

    url = make_url(url)
    try:
        url.get_dialect().import_dbapi()
    except ImportError as error:
        if url.get_backend_name() == "postgresql":
            raise MissingDriver("PostgreSQL gradebook needs the driver: pip install -e './autograde[postgres]'") from None
        raise MissingDriver(f"the {url.get_backend_name()} gradebook needs its driver ({error})") from None


def parse_shard(text):
    """'i/n' -> (i, n): this grader's share of the class, number i of n, counted from 0."""
    try:
        i, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise ValueError(f"--shard {text}: expected i/n, e.g. 0/2 and 1/2 for two graders") from None
    if not 0 <= i < n:
        raise ValueError(f"--shard {text}: i counts from 0 to n-1")
    return i, n


def in_shard(student, i, n):
    """Whether the student's submission falls in share i of n.

    Decided by a hash of the student id alone: every grader agrees whatever it sees of
    submitted/, and a late submission joins one share without moving anybody else."""
    return int(hashlib.sha256(student.encode()).hexdigest(), 16) % n == i


def share(students, shard=None, named=None):
    """The students of this grader: the named ones (all if None), those of the shard (i, n) among them."""
    if named is not None:
        missing = sorted(set(named) - set(students))
        if missing:
            raise FileNotFoundError(f"no submission from {', '.join(missing)}")
        students = [s for s in students if s in set(named)]
    return [s for s in students if shard is None or in_shard(s, *shard)]


def _start_worker(course, started):
    global _api, _started
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from sqlalchemy.exc import SAWarning

    # nbgrader 0.9's gradebook code warns about SQLAlchemy 2's autoflush on every submission; harmless.
    warnings.filterwarnings("ignore", category=SAWarning)

    os.chdir(course)
    config = load_config(course)
    _api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    _started = started


def _grade_one(assignment, student):
    _started.put(student)
    start = time.perf_counter()
    added = RefuseAddedCells(config=_api.config).max_added_cells
    trouble = problem(".", assignment, student, 1000 * _api.coursedir.max_file_size, added)   # nbgrader's KB
    if trouble:   # nbgrader is not even asked: nothing of the student's is touched in the gradebook
        return Graded(student, False, time.perf_counter() - start, trouble)
    result = _api.autograde(assignment, student, force=True, create=True)
    return Graded(student, result["success"], time.perf_counter() - start, "" if result["success"] else reason(result))


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


def problem(course, assignment, student, limit, added_cells):
    """Why a submission cannot be graded ('' if it can): a missing, renamed, oversized (over `limit`
    bytes), broken or overlong (more than `added_cells` beyond the release) notebook."""
    import nbformat

    folder = Path(course) / "submitted" / student / assignment
    if not_plain(folder):   # a link: nbgrader would copy what it points to, as the grader
        return not_plain(folder)
    expected = {p.name for p in (Path(course) / "source" / assignment).glob("*.ipynb")}
    submitted = {p.name for p in folder.glob("*.ipynb")}
    for name in sorted(expected):
        if name not in submitted:
            others = sorted(submitted - expected)
            hint = f"; the submission has {', '.join(others)}: renamed? Give it its name back" if others else ""
            return f"{name} is missing{hint}"
        size = (folder / name).stat().st_size
        if size > limit:   # nbgrader's exchange leaves such a file out; one that came another way is not read
            return (f"{name} is {size / 1e6:.1f} MB, more than the course's limit of {limit / 1e6:.1f} MB "
                    "(CourseDirectory.max_file_size): huge outputs? Clear them and submit again")
        try:
            nb = nbformat.read(folder / name, as_version=4)
            nbformat.validate(nb)
        except Exception as error:  # noqa: BLE001 — whatever nbformat rejects, the message says what
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            return f"{name} is not a valid notebook ({type(error).__name__}: {first_line})"
        release = Path(course) / "release" / assignment / name
        longer = too_many_cells(nb, nbformat.read(release, as_version=4) if release.exists() else None, added_cells)
        if longer:
            return f"{name}: {longer}"
    return ""


def kernel_name(course, assignment):
    """The kernelspec the assignment's notebooks name (nbgrader gives every submission its source's)."""
    import nbformat

    names = {nbformat.read(p, as_version=4).metadata.get("kernelspec", {}).get("name", "python3")
             for p in sorted((Path(course) / "source" / assignment).glob("*.ipynb"))}
    return min(names, default="python3")


def default_jobs():
    """One worker per CPU (see above)."""
    return os.cpu_count() or 1


def submissions(course, assignment):
    return sorted(p.parent.name for p in Path(course).glob(f"submitted/*/{assignment}") if p.is_dir())


def grade(assignment, course=".", jobs=None, progress=True, shard=None, named=None):
    """Autograde the submissions of the assignment (all, or this grader's share); one Graded per student."""
    from tqdm import tqdm

    course = Path(course).resolve()
    if not (course / "nbgrader_config.py").exists():
        raise FileNotFoundError(f"{course} has no nbgrader_config.py: run this in the course directory")
    db_url(course)   # a missing driver is said once, before any worker starts
    everyone = submissions(course, assignment)
    if not everyone:
        raise FileNotFoundError(f"no submissions of {assignment} in {course / 'submitted'}")
    check_jail(load_config(course), kernel_name(course, assignment))
    students = share(everyone, shard, named)
    if not students:
        print(f"none of the {len(everyone)} submissions of {assignment} falls in shard {shard[0]}/{shard[1]}")
        return []
    jobs = min(jobs or default_jobs(), len(students))
    outcomes, start = [], time.perf_counter()
    with tqdm(total=len(students), desc=f"grading {assignment}", unit="student", disable=not progress) as bar:
        left = students
        while left:
            left, suspects = _pool(course, assignment, left, jobs, outcomes, bar)
            for student in suspects:
                _, died = _pool(course, assignment, [student], 1, outcomes, bar)
                if died:
                    _record(Graded(student, False, 0.0, DIED), outcomes, bar)
    failed = [o for o in sorted(outcomes, key=lambda o: o.student) if not o.success]
    for o in failed:
        print(f"could not grade {o.student}: {printable(o.error)}")
    part = f" (shard {shard[0]}/{shard[1]}, {len(students)} of {len(everyone)})" if shard else ""
    print(f"graded {len(outcomes) - len(failed)} of {len(outcomes)} submissions of {assignment}{part} "
          f"in {time.perf_counter() - start:.1f}s with {jobs} workers"
          + (f"; {len(failed)} could not be graded (above)" if failed else ""))
    return sorted(outcomes, key=lambda o: o.student)


DIED = ("the grading process died while grading this submission, and again when it was graded alone "
        "(out of memory? killed?): not graded")


def _pool(course, assignment, students, jobs, outcomes, bar):
    """Grade the students in a pool of `jobs` workers, adding to outcomes; if a worker dies, returns the
    students not started and those that were being graded, else ([], [])."""
    started = multiprocessing.SimpleQueue()
    with ProcessPoolExecutor(jobs, initializer=_start_worker, initargs=(course, started)) as pool:
        futures = [pool.submit(_grade_one, assignment, s) for s in students]
        try:
            for future in as_completed(futures):
                _record(future.result(), outcomes, bar)
            return [], []
        except BrokenProcessPool:
            recorded = {o.student for o in outcomes}
            for future in futures:   # every future is done now: graded before the death, or broken
                if future.exception() is None and future.result().student not in recorded:
                    _record(future.result(), outcomes, bar)
    begun = set()
    while not started.empty():
        begun.add(started.get())
    finished = {o.student for o in outcomes}
    if not begun - finished:
        raise RuntimeError("the grading workers died before grading anybody (the course's nbgrader_config.py?)")
    return ([s for s in students if s not in begun], sorted(begun - finished))


def _record(outcome, outcomes, bar):
    outcomes.append(outcome)
    failures = sum(not o.success for o in outcomes)
    bar.set_postfix_str(f"{outcome.student} ({outcome.seconds:.1f}s), grading failures: {failures}")
    bar.update()
