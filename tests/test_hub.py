"""A class on JupyterHub for real: docs/install_hub.sh on this machine, JupyterHub and configurable-http-proxy
on loopback, real OS users (an instructor and two students, created here), and a term through the hub.

The instructor releases through the Formgrader's API; students fetch, validate and submit through
nbgrader's server extension in their own servers; the instructor collects, grades with
`backprop-ninja grade` in a kernel of their server, and releases feedback, which students fetch.
Students' kernels run the students' Python and read nothing of the grader's folder. A browser logs
in as a student and as the instructor: only the instructor is offered the Formgrader.

Needs root (users, the hub's spawner). Slow (it installs three Pythons): `make test-hub`.
"""

import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import nbformat
import pytest
import requests

from ninja_autograde import calibration, submissions
from system import free_port
from test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, ensure_chromium

pytestmark = [pytest.mark.hub,
              pytest.mark.skipif(os.geteuid() != 0, reason="creates OS users and spawns servers as them: run as root")]

REPO = Path(__file__).resolve().parents[1]
COURSE = "backprop-ninja"
A, NB = "02_softmax_nll", "softmax_nll.ipynb"
NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "build", "__pycache__", "*.egg-info", "submitted", "autograded",
                                    "feedback", "gradebook.db*", "reports", ".pytest_cache")


def sh(*cmd, **kw):
    return subprocess.run([str(c) for c in cmd], check=True, capture_output=True, text=True, **kw)


class Hub:
    """The hub's REST API and the users' servers behind its proxy, with a service token that may
    start servers and reach them."""

    def __init__(self, url, token):
        self.url, self.headers = url, {"Authorization": f"token {token}"}

    def api(self, method, path, **kw):
        response = requests.request(method, f"{self.url}{path}", headers=self.headers, timeout=600, **kw)
        assert response.ok, f"{method} {path}: {response.status_code} {response.text[:2000]}"
        answer = response.json() if response.text else None
        assert not (isinstance(answer, dict) and answer.get("success") is False), f"{method} {path}: {answer}"
        return answer

    def start(self, user):
        self.api("POST", f"/hub/api/users/{user}/server")
        deadline = time.time() + 180
        while not self.api("GET", f"/hub/api/users/{user}")["servers"].get("", {}).get("ready"):
            assert time.time() < deadline, f"{user}'s server did not start in 180 s"
            time.sleep(1)

    def nbgrader(self, user, action, **data):
        """nbgrader's server extension in the user's server: fetch, submit, fetch_feedback, validate."""
        path = "/assignments/validate" if action == "validate" else f"/assignments/{action}"
        return self.api("POST", f"/user/{user}{path}", data=data)

    def run(self, user, code):
        """Run code in a fresh kernel of the user's server (over its websocket, as JupyterLab does); its stdout."""
        import websocket

        kernel = self.api("POST", f"/user/{user}/api/kernels", json={"name": "python3"})
        ws = websocket.create_connection(f"ws{self.url[4:]}/user/{user}/api/kernels/{kernel['id']}/channels",
                                         header=[f"{k}: {v}" for k, v in self.headers.items()], timeout=900)
        msg_id, out = uuid.uuid4().hex, []
        ws.send(json.dumps({"header": {"msg_id": msg_id, "session": uuid.uuid4().hex, "username": "test",
                                       "msg_type": "execute_request", "version": "5.3"},
                            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                            "content": {"code": code, "silent": False, "store_history": False,
                                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
        try:
            while True:
                msg = json.loads(ws.recv())
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                if msg["msg_type"] == "stream":
                    out.append(msg["content"]["text"])
                elif msg["msg_type"] == "error":
                    raise AssertionError("\n".join(msg["content"]["traceback"]))
                elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    return "".join(out)
        finally:
            ws.close()
            self.api("DELETE", f"/user/{user}/api/kernels/{kernel['id']}")

    def read(self, user, path):
        return self.api("GET", f"/user/{user}/api/contents/{path}", params={"content": 1})["content"]

    def write_notebook(self, user, path, nb):
        self.api("PUT", f"/user/{user}/api/contents/{path}", json={"type": "notebook", "content": nb})


KEEP = os.environ.get("BN_HUB_KEEP")   # a folder: install there once, keep it and the users between runs


def remove_user(name):
    subprocess.run(["userdel", "--remove", name], capture_output=True)


@pytest.fixture(scope="module")
def people():
    """An instructor and two students, real accounts with passwords; removed afterwards."""
    names = {"instructor": "bnhubinst", "correct": "bnhubada", "mistaken": "bnhubalan"}
    passwords = {name: secrets.token_urlsafe(12) for name in names.values()}
    try:
        for name in names.values():
            if not KEEP:
                remove_user(name)   # left over by an interrupted run
            if subprocess.run(["id", name], capture_output=True).returncode:
                sh("useradd", "--create-home", "--shell", "/bin/bash", name)
            sh("chpasswd", input=f"{name}:{passwords[name]}\n")
        yield names, passwords
    finally:
        for name in names.values():
            if not KEEP:
                remove_user(name)


@pytest.fixture(scope="module")
def hub(people):
    """docs/install_hub.sh into a temporary PREFIX, then the hub on free loopback ports; yields (Hub, PREFIX)."""
    names, _ = people
    prefix = Path(KEEP or tempfile.mkdtemp(prefix="bn-hub-"))
    prefix.mkdir(exist_ok=True)
    prefix.chmod(0o755)
    course_dir = Path(f"/home/{names['instructor']}/backprop-ninja")
    if not (prefix / "class.json").exists():
        shutil.copytree(REPO, course_dir, ignore=NOT_COPIED, dirs_exist_ok=True)
        install = subprocess.run(["bash", REPO / "docs" / "install_hub.sh", course_dir, names["instructor"],
                                  names["correct"], names["mistaken"]],
                                 env=dict(os.environ, PREFIX=str(prefix), EXCHANGE=str(prefix / "exchange")),
                                 capture_output=True, text=True, timeout=1800)
        assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    else:   # a kept install: this checkout's hub config, and a term that starts afresh
        shutil.copy(REPO / "docs" / "jupyterhub_config.py", prefix)
        for leftover in [*(prefix / "exchange").iterdir(), *(prefix / "state").iterdir(),
                         *(course_dir / f for f in ("submitted", "autograded", "feedback", "gradebook.db",
                                                    "gradebook.db-wal", "gradebook.db-shm")),
                         *(Path(f"/home/{names[s]}") / d for s in ("correct", "mistaken") for d in (COURSE, ".local"))]:
            shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink(missing_ok=True)
    token, port = secrets.token_hex(16), free_port()
    (prefix / "test_config.py").write_text(f"""
load_subconfig("{prefix / 'jupyterhub_config.py'}")
c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_port = {free_port()}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"
c.JupyterHub.services = [{{"name": "bn-test", "api_token": "{token}"}}]
c.JupyterHub.load_roles = c.JupyterHub.load_roles + [
    {{"name": "bn-test", "services": ["bn-test"], "scopes": ["admin:users", "admin:servers", "access:servers"]}}]
""")
    log = open(prefix / "hub.log", "w")
    server = subprocess.Popen([prefix / "hub" / "bin" / "jupyterhub", "-f", prefix / "test_config.py"], cwd=prefix,
                              env=dict(os.environ, BACKPROP_NINJA_HUB=str(prefix)),
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while True:
            try:
                if requests.get(f"{url}/hub/api/", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            assert server.poll() is None, (prefix / "hub.log").read_text()[-3000:]
            assert time.time() < deadline, "the hub did not answer in 120 s"
            time.sleep(0.5)
        yield Hub(url, token), prefix, course_dir
    finally:
        os.killpg(server.pid, signal.SIGTERM)   # the hub stops the proxy and every user's server
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
        if not KEEP:
            shutil.rmtree(prefix, ignore_errors=True)


@pytest.fixture(scope="module")
def term(hub, people):
    """release → fetch → validate → submit → collect → grade → feedback, through the hub."""
    hub_, prefix, course_dir = hub
    names, _ = people
    instructor, students = names["instructor"], {names["correct"]: "correct_loops", names["mistaken"]: "missing_over_n"}
    for user in names.values():
        hub_.start(user)
    formgrader = f"/user/{instructor}/formgrader/api/assignment/{A}"
    hub_.api("POST", f"{formgrader}/assign")      # Create/Generate: release/ and the gradebook
    hub_.api("POST", f"{formgrader}/release")     # into the exchange
    solutions = submissions.solution_cells(nbformat.read(REPO / "source" / A / NB, as_version=4))
    listed, validated = {}, {}
    for student, case_name in students.items():
        listed[student] = hub_.api("GET", f"/user/{student}/assignments", params={"course_id": COURSE})
        hub_.nbgrader(student, "fetch", course_id=COURSE, assignment_id=A)
        path = f"{COURSE}/{A}/{NB}"
        fetched = nbformat.from_dict(hub_.read(student, path))
        answers = calibration.case(A, case_name).answers
        hub_.write_notebook(student, path, submissions.student_notebook(fetched, answers, solutions))
        validated[student] = hub_.nbgrader(student, "validate", path=path)
        hub_.nbgrader(student, "submit", course_id=COURSE, assignment_id=A)
    hub_.api("POST", f"{formgrader}/collect")
    graded = hub_.run(instructor, f"""
import os, subprocess
os.chdir("{course_dir}")   # as the instructor does in a terminal of their server
run = subprocess.run(["backprop-ninja", "grade", "{A}", "--jobs", "2"], capture_output=True, text=True)
print(run.stdout[-4000:], run.stderr[-2000:], "exit", run.returncode)
from nbgrader.api import Gradebook
from ninja_autograde.grading import db_url
with Gradebook(db_url(".")) as gb:
    print("SCORES", {{s.student.id: [s.score, s.max_score] for s in gb.assignment_submissions("{A}")}})
""")
    hub_.api("POST", f"{formgrader}/generate_feedback")
    hub_.api("POST", f"{formgrader}/release_feedback")
    feedback = {}
    for student in students:
        hub_.nbgrader(student, "fetch_feedback", course_id=COURSE, assignment_id=A)
        folder = hub_.read(student, f"{COURSE}/{A}/feedback")
        (stamp,) = [item["name"] for item in folder if item["type"] == "directory"]
        feedback[student] = hub_.read(student, f"{COURSE}/{A}/feedback/{stamp}/{NB.replace('.ipynb', '.html')}")
    return dict(students=students, listed=listed, validated=validated, graded=graded, feedback=feedback,
                scores=eval(graded.split("SCORES", 1)[1]))


def test_students_see_the_released_assignment_of_their_course(term):
    for student, listing in term["listed"].items():
        assert listing["success"], listing
        assert [(a["course_id"], a["assignment_id"], a["status"]) for a in listing["value"]] == \
            [(COURSE, A, "released")], student


def test_validate_runs_the_students_visible_tests(term):
    correct, mistaken = term["students"]
    for student in (correct, mistaken):
        assert term["validated"][student]["success"], term["validated"][student]
    assert "failed" not in term["validated"][correct]["value"]
    assert term["validated"][mistaken]["value"]["failed"]   # the visible test of nll_loss


def test_the_instructor_grades_the_class_and_students_fetch_their_feedback(term):
    assert "exit 0" in term["graded"], term["graded"]
    correct, mistaken = term["students"]
    scores = term["scores"]
    assert set(scores) == {correct, mistaken}
    assert scores[correct][0] == scores[correct][1] > 0
    assert 0 < scores[mistaken][0] < scores[mistaken][1]
    for student, (score, max_score) in scores.items():
        assert f": {round(float(score), 2)} of {round(float(max_score), 2)} points" in term["feedback"][student], student
        assert 'calls="' not in term["feedback"][student]   # the referee's hidden data stays its own


def test_a_student_reads_nothing_of_the_graders_folder(hub, people, term):
    hub_, prefix, course_dir = hub
    names, _ = people
    seen = json.loads(hub_.run(names["correct"], f"""
import json, os, subprocess, sys
tried = {{}}
for path in ["{course_dir}", "{course_dir}/nbgrader_config.py", "{course_dir}/gradebook.db",
             "{course_dir}/source/{A}/{NB}", "{course_dir}/autograde/ninja_autograde/referee.py"]:
    try:
        tried[path] = sorted(os.listdir(path)) if os.path.isdir(path) else open(path).read()[:50]
    except OSError as error:
        tried[path] = type(error).__name__
for module in ["ninja_autograde", "ninja_autograde.referee"]:
    for python in [sys.executable, "{prefix}/grader/bin/python"]:
        run = subprocess.run([python, "-c", "import " + module], capture_output=True, text=True)
        tried[python + " import " + module] = run.returncode != 0 and run.stderr.strip().splitlines()[-1]
import backprop_ninja
print(json.dumps({{"tried": tried, "python": sys.executable, "package": backprop_ninja.__file__}}))
"""))
    for what, outcome in seen["tried"].items():
        denied = outcome and any(word in outcome for word in ("PermissionError", "ModuleNotFoundError"))
        assert denied, f"a student reached {what}: {outcome}"
    assert seen["tried"][str(course_dir)] == "PermissionError"
    assert seen["python"].startswith(str(prefix / "student"))
    assert seen["package"].startswith(str(prefix / "student" / "lib"))   # the kit's wheel, not the course folder
    assert (course_dir.stat().st_mode & 0o777) == 0o700 and course_dir.owner() == names["instructor"]


def test_only_instructors_have_the_formgrader(hub, people, term):
    hub_, _, _ = hub
    names, _ = people
    assert hub_.api("GET", f"/user/{names['instructor']}/formgrader/api/assignments")
    response = requests.get(f"{hub_.url}/user/{names['correct']}/formgrader/api/assignments", headers=hub_.headers)
    assert response.status_code == 404


def test_in_the_browser_a_student_has_assignments_and_the_instructor_the_formgrader(hub, people, term):
    from playwright.sync_api import expect, sync_playwright

    ensure_chromium()
    hub_, _, _ = hub
    names, passwords = people
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for role in ("correct", "instructor"):
                user = names[role]
                page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
                page.set_default_timeout(90_000)
                try:
                    page.goto(f"{hub_.url}/hub/login")
                    page.fill("#username_input", user)
                    page.fill("#password_input", passwords[user])
                    page.click("#login_submit")
                    page.wait_for_url(f"**/user/{user}/lab**")
                    menu = page.locator("#jp-MainMenu")
                    menu.get_by_text("Nbgrader", exact=True).click()
                    expect(page.locator(".lm-Menu-itemLabel", has_text="Assignment List")).to_be_visible()
                    formgrader = page.locator(".lm-Menu-itemLabel").get_by_text("Formgrader", exact=True)
                    create = page.locator(".lm-Menu-itemLabel").get_by_text("Create assignment", exact=True)
                    page.screenshot(path=str(ARTIFACTS / f"hub-{role}-menu.png"))
                    if role == "instructor":
                        expect(create).to_have_count(1)
                        formgrader.click()
                        tab = page.frame_locator(".jp-MainAreaWidget iframe").first   # not "refused to connect"
                        expect(tab.get_by_text(A).first).to_be_visible(timeout=60_000)
                        expect(page.locator(".jp-DirListing-item", has_text="nbgrader_config.py")).to_be_visible()
                    else:
                        expect(formgrader).to_have_count(0)
                        expect(create).to_have_count(0)
                        page.locator(".lm-Menu-itemLabel", has_text="Assignment List").first.click()
                        expect(page.get_by_text(A).first).to_be_visible()
                        expect(page.get_by_text("(view feedback)")).to_be_visible()
                    page.screenshot(path=str(ARTIFACTS / f"hub-{role}.png"))
                except Exception:
                    page.screenshot(path=str(ARTIFACTS / f"hub-{role}-failure.png"))
                    raise
        finally:
            browser.close()


def test_no_student_reads_another_students_home_submission_or_feedback(hub, people, term):
    """As the other student's OS account: their home, their answered notebook, the feedback they fetched,
    nbgrader's cache of their submission (with its submission secret, the key to their feedback in the exchange),
    and the exchange's inbound and feedback folders, which nbgrader makes unlistable."""
    hub_, prefix, _ = hub
    names, _ = people
    reader, owner = names["mistaken"], names["correct"]
    home = Path(pwd.getpwnam(owner).pw_dir)
    secrets_ = list(home.glob(".local/share/jupyter/nbgrader_cache/*/*/submission_secret.txt"))
    feedback = list((home / COURSE / A / "feedback").glob("*/*.html"))
    assert secrets_ and feedback, "the owner's cache and feedback are where this test looks"
    for path in [home, home / COURSE / A / NB, *feedback, *secrets_]:
        assert subprocess.run(["runuser", "-u", reader, "--", "cat" if path.is_file() else "ls", path],
                              capture_output=True).returncode != 0, f"{reader} read {path}"
    for folder in ("inbound", "feedback"):
        assert subprocess.run(["runuser", "-u", reader, "--", "ls", prefix / "exchange" / COURSE / folder],
                              capture_output=True).returncode != 0, f"{reader} listed the exchange's {folder}"
    assert home.stat().st_mode & 0o777 == 0o700
    assert (prefix / "exchange").stat().st_mode & 0o7777 == 0o1777
    assert hub_.run(owner, "import os; u = os.umask(0); os.umask(u); print(oct(u))").strip() == "0o77"
