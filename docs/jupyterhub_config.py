"""JupyterHub for a Backprop Ninja class on one server (docs/deployment.md, "A class on JupyterHub").

docs/install_hub.sh installs everything this file names under PREFIX (/opt/backprop-ninja) and copies
this file there; the hub then runs as root:  cd /opt/backprop-ninja && hub/bin/jupyterhub -f jupyterhub_config.py

- Students and instructors log in with their accounts on this server (PAM) and get JupyterLab, each in
  a server of their own running as their own account.
- Students' servers and kernels run the students' Python (PREFIX/student): the kit's wheel of
  backprop_ninja, JupyterLab and nbgrader, whose Assignments tab fetches, validates and submits
  through nbgrader's exchange. Formgrader and Create assignment are switched off in that Python.
- Instructors' servers run the grader's Python (PREFIX/grader: the course and autograde/, installed
  from the instructor's folder) in the course folder, which only the instructor account can read
  (mode 0700): the Formgrader, `backprop-ninja grade` and the feedback commands work from there.
- nbgrader's JupyterHubAuthPlugin reads the two groups below to know who takes and who grades the
  course; each server's token may read its owner's groups, and an instructor's its students'.

The class list is PREFIX/class.json (written by the installer): add students there and restart the hub.
"""

import json
import os
import pwd
from pathlib import Path

c = get_config()  # noqa: F821 — provided by JupyterHub

PREFIX = Path(os.environ.get("BACKPROP_NINJA_HUB", "/opt/backprop-ninja"))
CLASS = json.loads((PREFIX / "class.json").read_text())
COURSE = "backprop-ninja"
INSTRUCTORS, STUDENTS = CLASS["instructors"], CLASS["students"]

c.JupyterHub.bind_url = "http://:8000"               # put a TLS proxy (or c.JupyterHub.ssl_*) in front of it
c.JupyterHub.db_url = f"sqlite:///{PREFIX / 'state' / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(PREFIX / "state" / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.command = [str(PREFIX / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(PREFIX / "state" / "jupyterhub-proxy.pid")

c.JupyterHub.authenticator_class = "pam"             # or your university's OAuthenticator
c.Authenticator.allowed_users = set(INSTRUCTORS + STUDENTS)
c.Spawner.default_url = "/lab"
c.Spawner.http_timeout = 120

# nbgrader reads these names: formgrade-<course> grades the course, nbgrader-<course> takes it.
c.JupyterHub.load_groups = {
    f"formgrade-{COURSE}": {"users": INSTRUCTORS},
    f"nbgrader-{COURSE}": {"users": STUDENTS},
}
c.JupyterHub.load_roles = [
    {   # instructors look up their students' groups (nbgrader's collect asks who takes the course)
        "name": f"formgrade-{COURSE}",
        "groups": [f"formgrade-{COURSE}"],
        "scopes": ["self", f"read:users:groups!group=nbgrader-{COURSE}", f"read:users:name!group=nbgrader-{COURSE}"],
    },
]


def server_token_scopes(spawner):
    """What the token in each server (and so nbgrader's auth plugin) may do: its owner's groups,
    and for an instructor the students' too."""
    scopes = ["access:servers!server", "users:activity!user", "read:users:name!user", "read:users:groups!user"]
    if spawner.user.name in INSTRUCTORS:
        scopes += [f"read:users:groups!group=nbgrader-{COURSE}", f"read:users:name!group=nbgrader-{COURSE}"]
    return scopes


c.Spawner.server_token_scopes = server_token_scopes


def choose_python(spawner):
    """Instructors: the grader's Python, in the course folder. Students: the students' Python, at home, private:
    their home 0700 (useradd -m makes it 0755) and their server's umask 077, so no classmate reads their
    notebooks, feedback or nbgrader's submission secret."""
    instructor = spawner.user.name in INSTRUCTORS
    python = PREFIX / ("grader" if instructor else "student")
    singleuser = str(python / "bin" / "jupyterhub-singleuser")
    spawner.cmd = [singleuser] if instructor else ["/bin/sh", "-c", 'umask 077 && exec "$0" "$@"', singleuser]
    spawner.notebook_dir = CLASS["course_dir"] if instructor else "~"
    spawner.environment["PATH"] = f"{python / 'bin'}:/usr/local/bin:/usr/bin:/bin"
    if not instructor:
        os.chmod(pwd.getpwnam(spawner.user.name).pw_dir, 0o700)


c.Spawner.pre_spawn_hook = choose_python
