"""The course's collect (ninja_autograde/collect.py) against students who attack it, through the real exchange.

Real OS accounts, made here and removed afterwards (root needed): an honest victim, a classmate who attacks,
and an honest student who hands in among the attacks. They fetch and submit with nbgrader as themselves into an
exchange set up as docs/instructors.md says (mode 1777); the attacker then hands in links to the course's secret, to a
solution notebook and to /dev/zero, a named pipe, a file over the size cap, timestamps that lie or are garbled,
a submission in the victim's name (`nbgrader submit --student=VICTIM` and by hand), one in a name that is no
account, a file slipped into the victim's own newest submission, and folders named with a spreadsheet formula and
a terminal escape. The instructor (root, who can read everything: the worst case) collects with `nbgrader
collect` in the course folder. Every attack is refused and named, the victim's earlier submission stays exactly
as it was, the honest are collected, and a refusal never stops collect. The last test needs no accounts: the
exchange as one account uses it for everyone (`make demo`, tests/test_term.py).
"""

import datetime
import os
import pwd
import secrets
import shutil
import stat
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import nbformat
import pytest

from ninja_autograde import course, submissions
from ninja_autograde.demo import answer

A = "02_softmax_nll"
NB = course.ASSIGNMENTS[A]
COURSE_ID = "backprop-ninja"
MAX_FILE_KB = 2000
# Students run nbgrader with the system's Python and this environment's packages: the environment's own
# interpreter may sit where other accounts cannot reach (a pyenv in root's home).
SYSTEM_PYTHON = "/usr/bin/python3"
STUDENT_NBGRADER = [SYSTEM_PYTHON, "-c", "import runpy, site, sys; site.addsitedir(sys.argv.pop(1)); "
                    "runpy.run_module('nbgrader', run_name='__main__')", sysconfig.get_paths()["purelib"]]


def same_python():
    return os.path.exists(SYSTEM_PYTHON) and subprocess.run(
        [SYSTEM_PYTHON, "-c", f"import sys; sys.exit(sys.version_info[:2] != {tuple(sys.version_info[:2])})"]).returncode == 0


def why_no_accounts():
    """Why the tests with OS accounts cannot run here, or None."""
    if os.geteuid() != 0:
        return "creates OS users: run as root"
    if not same_python():
        return f"students need {SYSTEM_PYTHON} at this environment's version"


def sh(*cmd, **kw):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)


class Term:
    """A course folder (root's), an exchange for everyone (mode 1777, as docs/instructors.md says) and student accounts."""

    def __init__(self, root, users):
        self.root, self.course, self.exchange = root, root / "course", root / "exchange"
        self.course.mkdir()
        shutil.copy(course.REPO / "nbgrader_config.py", self.course)
        shutil.copytree(course.REPO / "release" / A, self.course / "release" / A)
        with open(self.course / "nbgrader_config.py", "a") as config:
            config.write(f"\nc.CourseDirectory.max_file_size = {MAX_FILE_KB}   # kilobytes\n")
        (self.course / ".grader").mkdir(mode=0o700)
        self.secret = secrets.token_hex(32)
        (self.course / ".grader" / "secret").write_text(self.secret)
        self.course.chmod(0o700)
        self.exchange.mkdir()
        self.exchange.chmod(0o1777)
        self.tag = secrets.token_hex(3)
        self.users = users      # every account made, for the fixture to remove
        self.solutions = submissions.solution_cells(course.read_notebook(course.REPO, "source", A))
        self.instructor("release_assignment", A)

    def account(self, role):
        """A new OS user with a private home (0700) under the term's folder."""
        name = f"bnc{self.tag}{role}"
        home = self.root / "homes" / name
        home.parent.mkdir(exist_ok=True)
        sh("useradd", "--no-create-home", "--home-dir", home, "--shell", "/bin/sh", name, check=True)
        self.users.append(name)
        home.mkdir(mode=0o700)
        os.chown(home, pwd.getpwnam(name).pw_uid, pwd.getpwnam(name).pw_gid)
        return name

    def instructor(self, *args):
        return course.nbgrader(*args, f"--Exchange.root={self.exchange}", cwd=self.course, check=False)

    def as_user(self, user, *cmd):
        home = self.root / "homes" / user
        env = ["env", "-i", f"HOME={home}", f"PATH={Path(sys.executable).parent}:/usr/bin:/bin", "LANG=C.UTF-8"]
        return sh("runuser", "-u", user, "--", *env, *cmd, cwd=home)

    def nbgrader(self, user, *args):
        result = self.as_user(user, *STUDENT_NBGRADER, *args, f"--course={COURSE_ID}", f"--Exchange.root={self.exchange}")
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    def submit(self, user, case_name, *args):
        """The student fetches (once), answers with a calibration case's answers and submits, as themselves."""
        if not (self.root / "homes" / user / A).exists():
            self.nbgrader(user, "fetch_assignment", A)
        answer(self.root / "homes" / user, A, case_name, self.solutions)
        self.nbgrader(user, "submit", A, *args)

    def hand_made(self, user, student, script, days=1):
        """A folder the user makes in the inbound by hand as nbgrader's submit would, named for student, `days`
        ahead; then script runs in it."""
        stamp = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days)
        stamp = f"{stamp:%Y-%m-%d %H:%M:%S.%f} UTC"
        name = f"{student}+{A}+{stamp}+{secrets.token_hex(4)}"
        release = self.exchange / COURSE_ID / "outbound" / A / NB
        result = self.as_user(user, "sh", "-c", f'mkdir "$1" && cd "$1" && cp "$2" {NB} && echo "$3" > timestamp.txt '
                              f'&& {script}', "-", self.inbound / name, release, stamp)
        assert result.returncode == 0, result.stderr
        return name

    @property
    def inbound(self):
        return self.exchange / COURSE_ID / "inbound"

    def new_folder(self, hand_in):
        """The one inbound folder hand_in() makes."""
        before = set(os.listdir(self.inbound))
        hand_in()
        (name,) = set(os.listdir(self.inbound)) - before
        return name

    def collect(self):
        result = self.instructor("collect", A, "--update")
        return result.returncode, result.stdout + result.stderr

    def submitted(self, student):
        """Every file collect put in submitted/ for the student: relative path -> bytes."""
        folder = self.course / "submitted" / student / A
        return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def term():
    if why_no_accounts():
        pytest.skip(why_no_accounts())
    root = Path(tempfile.mkdtemp(prefix="bn-collect-", dir="/tmp"))
    root.chmod(0o755)
    users, opened = [], open_path_to(sysconfig.get_paths()["purelib"])
    try:
        yield Term(root, users)
    finally:
        for user in users:
            sh("userdel", user)
        shutil.rmtree(root, ignore_errors=True)
        for folder, mode in opened:
            folder.chmod(mode)


def open_path_to(folder):
    """Let other accounts pass through (not list) every folder above `folder` that keeps them out, as a clone
    in a private temporary folder (`mktemp -d`, 0700) does: the students import this environment's packages.
    Returns [(folder, its mode before)] to restore."""
    opened = []
    for parent in reversed(Path(folder).resolve().parents):
        mode = parent.stat().st_mode & 0o7777
        if not mode & stat.S_IXOTH:
            parent.chmod(mode | stat.S_IXOTH)
            opened.append((parent, mode))
    return opened


@pytest.fixture(scope="module")
def attacked(term):
    """Collect after an honest round, then after the attacks; (first collect's output, second's, the victim's
    and the attacker's submitted/ as first collected, the attack folders' names)."""
    t = term
    victim, attacker, honest = t.account("vic"), t.account("mal"), t.account("hon")
    t.submit(victim, "correct_loops")
    t.submit(attacker, "unanswered")
    first = t.collect()
    before = {victim: t.submitted(victim), attacker: t.submitted(attacker)}

    secret = t.course / ".grader" / "secret"
    attacks = {
        "secret link": t.hand_made(attacker, attacker, f"ln -s {secret} secret.txt", days=1),
        "solution link": t.hand_made(attacker, attacker, f"rm {NB} && ln -s {t.course}/source/{A}/{NB} {NB}", days=2),
        "/dev/zero": t.hand_made(attacker, attacker, f"ln -s /dev/zero data.npy", days=3),
        "fifo": t.hand_made(attacker, attacker, "mkfifo answers.txt", days=4),
        "oversize": t.hand_made(attacker, attacker, f"truncate -s {MAX_FILE_KB + 1}K weights.npy", days=5),
        "formula": t.hand_made(attacker, '=HYPERLINK("evil.example","ada")', "true"),
        "escape": t.hand_made(attacker, "\x1b[2Jada", "true"),
        "folder named for the victim": t.hand_made(attacker, victim, "true", days=6),
        "an id that is no account": t.hand_made(attacker, f"bnc{t.tag}ghost", "true"),
        "an earlier time": t.hand_made(attacker, attacker, "echo 2026-01-01 00:00:00.000000 UTC > timestamp.txt",
                                       days=7),
        "no time": t.hand_made(attacker, attacker, "echo soon > timestamp.txt", days=8),
        "a name that is no submission": t.new_folder(
            lambda: t.as_user(attacker, "mkdir", t.inbound / f"{attacker}+{A}+\x1b[2Jsoon")),
    }
    attacks["nbgrader submit --student=victim"] = t.new_folder(lambda: t.submit(attacker, "unanswered",
                                                                                 f"--student={victim}"))
    attacks["spoiled"] = t.new_folder(lambda: t.submit(victim, "missing_over_n"))   # the victim submits again...
    spoil = t.as_user(attacker, "sh", "-c", f'echo spoiled > "{t.inbound / attacks["spoiled"]}/notes.txt"')
    assert spoil.returncode == 0, spoil.stderr                                      # ...and the attacker spoils it
    t.submit(honest, "correct_loops")
    second = t.collect()
    return dict(victim=victim, attacker=attacker, honest=honest, first=first, second=second, before=before,
                attacks=attacks)


def refusals(output, folder):
    """collect's ERROR lines about the inbound folder."""
    return [line for line in output.splitlines() if "Refused" in line and repr(folder) in line]


def test_honest_students_are_collected_and_a_refusal_stops_nothing(term, attacked):
    assert attacked["first"][0] == 0 and "Refused" not in attacked["first"][1], attacked["first"][1]
    assert attacked["second"][0] == 0, attacked["second"][1]
    victim, attacker, honest = attacked["victim"], attacked["attacker"], attacked["honest"]
    assert sorted(os.listdir(term.course / "submitted")) == sorted([victim, attacker, honest])
    for student in (victim, attacker, honest):
        assert os.listdir(term.course / "submitted" / student) == [A], "no scratch folder is left behind"
    collected = nbformat.read(term.course / "submitted" / honest / A / NB, as_version=4)
    assert "raise NotImplementedError()" not in "".join(cell.source for cell in collected.cells)


EXPECTED = {   # attack -> (whose submission the log names, what it says)
    "secret link": ("attacker", "'secret.txt' is a symbolic link (to '{secret}')"),
    "solution link": ("attacker", f"'{NB}' is a symbolic link"),
    "/dev/zero": ("attacker", "'data.npy' is a symbolic link (to '/dev/zero')"),
    "fifo": ("attacker", "'answers.txt' is a named pipe"),
    "oversize": ("attacker", f"'weights.npy' is {(MAX_FILE_KB + 1) * 1024} bytes, more than "
                             f"CourseDirectory.max_file_size ({MAX_FILE_KB} kB)"),
    "formula": (None, "the student id is not a safe name"),
    "escape": (None, "the student id is not a safe name"),
    "an earlier time": ("attacker", "'timestamp.txt' is 2026-01-01 00:00:00, not the time the folder's name says"),
    "no time": ("attacker", "'timestamp.txt' is missing or not a time"),
    "a name that is no submission": ("attacker", "a folder whose name is not STUDENT+ASSIGNMENT+TIMESTAMP"),
    "folder named for the victim": ("victim", "owned by {attacker}, not by {victim}"),
    "an id that is no account": (None, "owned by {attacker}, not by root"),
    "nbgrader submit --student=victim": ("victim", "owned by {attacker}, not by {victim}"),
    "spoiled": ("victim", "'notes.txt' is owned by {attacker}, not by {victim}"),
}


@pytest.mark.parametrize("attack", EXPECTED)
def test_every_attack_is_refused_and_named(term, attacked, attack):
    output = attacked["second"][1]
    folder = attacked["attacks"][attack]
    whose, why = EXPECTED[attack]
    why = why.format(secret=term.course / ".grader" / "secret", **attacked)
    lines = refusals(output, folder)
    assert len(lines) == 1, f"{attack}: {folder!r} not named once in\n{output}"
    assert why in lines[0], lines[0]
    if whose:
        assert f"Refused a submission of {attacked[whose]!r} ({folder!r})" in lines[0], lines[0]


def test_nothing_of_the_attacks_reaches_submitted(term, attacked):
    assert "\x1b" not in attacked["second"][1], "collect's log printed the forged id's escape raw"
    for student in (attacked["victim"], attacked["attacker"]):
        assert term.submitted(student) == attacked["before"][student], f"{student}'s earlier submission changed"
    for path in (term.course / "submitted").rglob("*"):
        assert not path.is_symlink() and (path.is_dir() or path.is_file()), path
        if path.is_file():
            assert term.secret not in path.read_text(errors="replace"), path


def test_the_victim_submits_again_and_is_collected(term, attacked):
    victim = attacked["victim"]
    term.submit(victim, "missing_over_n")
    code, output = term.collect()
    assert code == 0, output
    assert refusals(output, attacked["attacks"]["folder named for the victim"]), output
    collected = term.submitted(victim)
    assert collected != attacked["before"][victim] and "notes.txt" not in collected
    assert "Updating submission: " + victim in output


def test_a_student_can_neither_list_the_inbound_nor_rename_the_course_in_the_exchange(term, attacked):
    attacker = attacked["attacker"]
    assert term.as_user(attacker, "ls", term.inbound).returncode != 0   # nbgrader's inbound: 2733
    renamed = term.as_user(attacker, "mv", term.exchange / COURSE_ID, term.exchange / "elsewhere")
    assert renamed.returncode != 0 and (term.exchange / COURSE_ID / "inbound").is_dir()   # the sticky bit of 1777



def one_account_exchange(tmp_path, students):
    """A course folder and an exchange whose inbound holds a submission per student, all made by whoever runs
    this, as nbgrader's submit makes them; (course folder, {student: submission folder})."""
    course_dir, inbound = tmp_path / "course", tmp_path / "exchange" / COURSE_ID / "inbound"
    course_dir.mkdir()
    shutil.copy(course.REPO / "nbgrader_config.py", course_dir)
    inbound.mkdir(parents=True)
    stamp = "2026-11-20 12:00:00.000000 UTC"
    folders = {}
    for student in students:
        folders[student] = inbound / f"{student}+{A}+{stamp}+{secrets.token_hex(4)}"
        folders[student].mkdir()
        shutil.copy(course.REPO / "release" / A / NB, folders[student])
        (folders[student] / "timestamp.txt").write_text(stamp)
    return course_dir, folders


def collect_as_one_account(course_dir, *options):
    result = course.nbgrader("collect", A, f"--Exchange.root={course_dir.parent / 'exchange'}", *options,
                             cwd=course_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def test_one_account_for_everyone_collects_its_own_and_refuses_a_link(tmp_path):
    """The exchange as `make demo` and the term test use it, every student one account (whoever runs this):
    names that are no account are the collecting account's to hand in, and a link is refused all the same."""
    course_dir, folders = one_account_exchange(tmp_path, ["zed", "yan"])
    (folders["yan"] / "gradebook.db").symlink_to(course_dir / "gradebook.db")
    output = collect_as_one_account(course_dir)
    assert f"Refused a submission of 'yan' ({folders['yan'].name!r}): 'gradebook.db' is a symbolic link" in output
    assert sorted(os.listdir(course_dir / "submitted")) == ["zed"]
    assert sorted(os.listdir(course_dir / "submitted" / "zed" / A)) == [NB, "timestamp.txt"]


def test_a_submission_over_its_caps_is_refused(tmp_path):
    """Many small files past SafeCollect.max_entries; files each under max_file_size, together over max_dir_size."""
    course_dir, folders = one_account_exchange(tmp_path, ["many", "large"])
    for i in range(5):
        (folders["many"] / f"part{i}.txt").write_text("x")
    notebook = (folders["large"] / NB).stat().st_size
    assert notebook < 20_000   # each file under the cap of 21 kB set below, both together over it
    (folders["large"] / "weights.npy").write_bytes(bytes(22_000 - notebook))
    output = collect_as_one_account(course_dir, "--SafeCollect.max_entries=6", "--CourseDirectory.max_dir_size=21")
    named = [line for line in output.splitlines() if "Refused a submission" in line]
    assert len(named) == 2, output
    assert "'many'" in named[1] and "more than 6 files and folders (SafeCollect.max_entries)" in named[1]
    assert "'large'" in named[0] and "more than CourseDirectory.max_dir_size (21 kB)" in named[0]
    assert not (course_dir / "submitted").exists() or os.listdir(course_dir / "submitted") == []
