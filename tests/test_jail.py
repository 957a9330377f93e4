"""The attack class: hostile submissions (autograde/attacks/) graded through the real pipeline, in the jail.

A throwaway copy of the course grades honest classmates beside every attacker. A secure grader shows:
each attacker scores what the honest part of their answer earns (a deliberate mistake in nll_loss makes
a forged grade visible), classmates keep full marks, the gradebook's schema and every file outside the
attackers' own output are unchanged, no process survives, and the feedback holds no solution line, no
secret and no active HTML, and stays small.
"""
import asyncio
import hashlib
import html
import json
import os
import re
import socket
import sqlite3
import sysconfig
import time
from pathlib import Path

import pytest

from ninja_autograde import cgroup, course, doctor, grading, jail, report, secret, submissions
from ninja_autograde.execute import GraderKernelManager

A = "02_softmax_nll"
NB = course.ASSIGNMENTS[A]
ATTACKS = course.REPO / "autograde" / "attacks" / A
HONEST = ("honest_ada", "honest_grace")
MARKER = "backprop-ninja-attack"   # in the command line of every process an attack starts
TOKEN = "fake-jupyterhub-api-token-3f9a1c"
GRADER_LINES = [ln.strip() for ln in (course.REPO / "autograde/ninja_autograde/exercises.py").read_text().splitlines()
                if len(ln.strip()) > 40 and not ln.strip().startswith("#")]
SOURCES = [course.REPO / "nbgrader_config.py", *course.REPO.glob("autograde/ninja_*/*.py"),
           *course.REPO.glob("backprop_ninja/*.py")]


def tree(folder, skip=("gradebook.db",)):
    """path -> sha256 of every file (and symlink target) under folder."""
    found = {}
    for path in sorted(Path(folder).rglob("*")):
        rel = str(path.relative_to(folder))
        if path.is_symlink():
            found[rel] = "-> " + os.readlink(path)
        elif path.is_file() and not rel.startswith(skip):
            found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def schema(folder):
    with sqlite3.connect(Path(folder) / "gradebook.db") as db:
        return sorted(db.execute("select type, name, sql from sqlite_master"))


def runtime_folders():
    return {p for p in Path(os.environ.get("TMPDIR", "/tmp")).glob("backprop-ninja-kernel-*") if p.is_dir()}


def attack_cases():
    return [submissions.load_case(p) for p in sorted(ATTACKS.glob("*.py"))]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    assert not jail.why_not(), jail.FIX.format(why=jail.why_not())
    folder = course.scratch_course(tmp_path_factory.mktemp("jail"), [A])
    with open(folder / "nbgrader_config.py", "a") as config:
        config.write("\nc.GraderExecute.timeout = 60\n")
    release = course.read_notebook(folder, "release", A)
    solutions = submissions.solution_cells(course.read_notebook(folder, "source", A))
    for student in HONEST:
        submissions.write_submission(folder, student, A, NB, submissions.student_notebook(release, {}, solutions))
    listener, unix = socket.socket(), socket.socket(socket.AF_UNIX)
    abstract = f"backprop-ninja-test-{os.getpid()}"
    listener.bind(("127.0.0.1", 0))
    unix.bind("\0" + abstract)   # an abstract Unix socket: no file, only a network namespace keeps it out
    for s in (listener, unix):
        s.listen()
        s.setblocking(False)
    target = {"course": str(folder), "repo": str(course.REPO), "port": listener.getsockname()[1], "abstract": abstract}
    cases = {f"attack_{c.name}": c for c in attack_cases()}
    for student, case in cases.items():
        nb = submissions.student_notebook(release, case.answers, solutions)
        sub = submissions.write_submission(folder, student, A, NB, nb, case)
        (sub / "target.json").write_text(json.dumps(target))
    secret.load(folder / ".grader" / "secret")   # the course secret exists before any student runs
    before = {"course": tree(folder), "schema": schema(folder), "runtime": runtime_folders(),
              "sources": {str(p): p.read_bytes() for p in SOURCES},
              "site": sorted(os.listdir(sysconfig.get_paths()["purelib"]))}
    os.environ["JUPYTERHUB_API_TOKEN"] = TOKEN
    try:
        outcomes = {o.student: o for o in grading.grade(A, folder, jobs=2, progress=False)}
    finally:
        del os.environ["JUPYTERHUB_API_TOKEN"]
    time.sleep(8)   # an escaped process would strike a few seconds after its kernel ended
    reached = []
    for s in (listener, unix):
        try:
            s.accept()
            reached.append(s.family.name)
        except BlockingIOError:
            pass
        s.close()
    course.nbgrader("generate_feedback", A, "--force", cwd=folder)
    return folder, cases, outcomes, before, reached


def test_the_jail_works_here():
    rows = doctor.examine(course.REPO)
    # Linux does not hold root to RLIMIT_NPROC, even in a user namespace: a root grader needs a pids cgroup
    # (made where the grader may), else doctor says the cap is missing, as it should
    exempt = {"process cap"} if os.getuid() == 0 and not cgroup.own_groups().get("pids") else set()
    if not cgroup.own_groups() and not cgroup.user_scopes():   # no cgroup here: doctor says what that leaves open
        exempt |= {name for name, _, detail in rows if doctor.NO_CGROUP in detail}
    assert all(active or name in exempt for name, active, _ in rows), [r for r in rows if not r[1]]
    assert len(rows) > 10


def test_attackers_score_only_what_their_honest_part_earns(graded):
    folder, cases, outcomes, _, _ = graded
    results = {r.student: r for r in report.collect(folder, A)}
    for student in HONEST:
        assert outcomes[student].success and results[student].score == results[student].max_score == 15, student
    for student, case in cases.items():
        if case.links:   # symbolic links in a submission: refused before anything runs
            assert not outcomes[student].success and "symbolic link" in outcomes[student].error, student
            continue
        assert outcomes[student].success, f"{student}: {outcomes[student].error}"
        failed = {t for t, (score, most) in results[student].tests.items() if score < most}
        assert failed == case.fails, f"{student} failed {sorted(failed)}, expected {sorted(case.fails)}"


def test_forks_holding_memory_together_meet_the_whole_jails_cap_and_are_told(graded):
    folder = graded[0]
    said = json.dumps(course.read_notebook(folder / "autograded", "attack_holds_memory_in_forks", A).dict())
    assert "GiB held together: 4" not in said and "GiB held together:" in said
    assert "memory limit (2 GiB for all its processes together)" in said


def test_nothing_outside_the_attackers_output_changed(graded):
    folder, cases, _, before, reached = graded
    after = tree(folder)
    changed = [p for p, digest in before["course"].items() if after.get(p) != digest]
    assert not changed, f"changed or removed: {changed}"
    new = [p for p in set(after) - set(before["course"]) if not p.startswith(("autograded/", "feedback/"))]
    assert not new, f"new files: {new}"
    assert schema(folder) == before["schema"], "the gradebook's schema changed (a trigger?)"
    with sqlite3.connect(folder / "gradebook.db") as db:
        assert db.execute("select count(*) from grade where manual_score is not null").fetchone()[0] == 0
    assert {str(p): p.read_bytes() for p in SOURCES} == before["sources"]
    assert sorted(os.listdir(sysconfig.get_paths()["purelib"])) == before["site"]
    assert not reached, f"a kernel reached a socket of the grader's machine: {reached}"


def test_no_process_outlives_its_notebook(graded):
    left = {pid: Path(f"/proc/{pid}/cmdline").read_bytes()[:300] for pid in doctor.survivors(MARKER)}
    assert not left, f"processes outlived their notebook: {left}"
    assert runtime_folders() <= graded[3]["runtime"], "a kernel's runtime folder was left behind"


def test_a_kernel_killed_after_its_last_cell_takes_its_processes_and_cgroup_along(tmp_path):
    """The grader kills a kernel once its last cell has run (GraderExecute.shutdown_kernel)."""
    async def start_and_kill():
        km = GraderKernelManager(kernel_name="python3")
        await km.start_kernel(cwd=str(tmp_path))
        client = km.client()
        client.start_channels()
        await client.wait_for_ready(timeout=60)
        escape = "import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(600)"
        await client.execute_interactive(escape, timeout=60)
        group, runtime = km.group, km.runtime
        await km.shutdown_kernel(now=True)
        client.stop_channels()
        return group, runtime
    group, runtime = asyncio.run(start_and_kill())
    assert group is None or not any(p.exists() for p in group.paths.values()), "the kernel's cgroups were left behind"
    assert not [p for p in Path("/proc").glob("[0-9]*/cmdline") if str(runtime).encode() in read_or_empty(p)]
    assert not runtime.exists()


def read_or_empty(path):
    try:
        return path.read_bytes()
    except OSError:   # the process ended meanwhile
        return b""


def test_feedback_holds_no_secret_and_no_active_html(graded, secret_lines):
    folder, cases, _, _, _ = graded
    for student in cases:
        for page in folder.glob(f"feedback/{student}/{A}/*.html"):
            text = page.read_text()
            visible = html.unescape(re.sub(r"<[^>]+>", "", text))
            wrote = "\n".join(c.source for c in course.read_notebook(folder / "submitted", student, A).cells)
            leaks = sorted(line for line in secret_lines if line in visible and line not in wrote)
            assert not leaks, f"{student}'s feedback shows solution or hidden-test lines: {leaks[:3]}"
            for hidden in (TOKEN, "honest_ada", *GRADER_LINES):
                assert hidden not in visible or hidden in wrote, f"{student}'s feedback shows {hidden!r}"
            active = [m.group(0) for m in re.finditer(r"<(script|img|svg|iframe)\b[^>]*>[^<]*", text)]
            assert not [a for a in active if "BACKPROP_NINJA_PWNED" in a or "onerror" in a], student
            assert page.stat().st_size < 1_500_000, f"{page} is {page.stat().st_size} bytes"
    notebook = folder / "autograded" / "attack_floods_displays_and_scripts" / A / NB
    outputs = [o for c in course.read_notebook(folder / "autograded", "attack_floods_displays_and_scripts", A).cells
               for o in c.get("outputs", [])]
    assert notebook.stat().st_size < 1_500_000
    assert all(set(o.get("data", {})) <= {"text/plain", "image/png", "image/jpeg"} for o in outputs)


@pytest.fixture
def one_student(tmp_path):
    folder = course.scratch_course(tmp_path, [A])
    release = course.read_notebook(folder, "release", A)
    solutions = submissions.solution_cells(course.read_notebook(folder, "source", A))
    submissions.write_submission(folder, "ada", A, NB, submissions.student_notebook(release, {}, solutions))
    return folder


def test_without_a_working_jail_grading_refuses_and_says_how_to_fix_it(one_student, capsys):
    with open(one_student / "nbgrader_config.py", "a") as config:
        config.write('\nc.GraderKernelManager.bwrap = "/nonexistent/bwrap"\n')
    with pytest.raises(jail.JailUnavailable, match="apt-get install bubblewrap"):
        grading.grade(A, one_student, progress=False)
    result = course.nbgrader("autograde", A, "--student", "ada", cwd=one_student, check=False)
    assert result.returncode != 0 and "apt-get install bubblewrap" in result.stdout + result.stderr
    assert report.collect(one_student, A) == [] or report.collect(one_student, A)[0].score == 0
    # the loud opt-out: graded, warned about; even then a launcher shipped in the submission shadows nothing
    with open(one_student / "nbgrader_config.py", "a") as config:
        config.write('\nc.GraderKernelManager.jail = "none"\n')
    case = submissions.load_case(ATTACKS / "shadows_the_launcher.py")
    release = course.read_notebook(one_student, "release", A)
    solutions = submissions.solution_cells(course.read_notebook(one_student, "source", A))
    submissions.write_submission(one_student, "shadow", A, NB,
                                 submissions.student_notebook(release, case.answers, solutions), case)
    assert all(o.success for o in grading.grade(A, one_student, progress=False))
    assert "WITHOUT a jail" in capsys.readouterr().err
    assert {r.student: r.score for r in report.collect(one_student, A)} == {"ada": 15, "shadow": 11}


def test_plain_nbgrader_autograde_grades_in_the_jail_and_refuses_links(one_student):
    release = course.read_notebook(one_student, "release", A)
    solutions = submissions.solution_cells(course.read_notebook(one_student, "source", A))
    for name in ("imports_exercises", "follows_symlinks"):
        case = submissions.load_case(ATTACKS / f"{name}.py")
        nb = submissions.student_notebook(release, case.answers, solutions)
        submissions.write_submission(one_student, name, A, NB, nb, case)
    course.nbgrader("autograde", A, "--student", "imports_exercises", cwd=one_student)
    assert {r.student: r.score for r in report.collect(one_student, A)}["imports_exercises"] == 11
    result = course.nbgrader("autograde", A, "--student", "follows_symlinks", cwd=one_student, check=False)
    assert result.returncode != 0 and "grades.txt is a symbolic link" in result.stdout + result.stderr
    assert not (one_student / "autograded" / "follows_symlinks" / A).exists()   # nbgrader removed what it copied
