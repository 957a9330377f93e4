"""JupyterHub for a Backprop Ninja class on one shared server: an example to adapt.

What it sets up (nbgrader's "multiple graders, one course" layout, JupyterHub ≥ 4 roles):
- every student logs in to JupyterLab; its Assignments tab fetches and submits through
  nbgrader's exchange, a shared folder on this server;
- the course runs as a JupyterHub service, a JupyterLab server owned by the account
  `grader-backprop-ninja`, whose home holds the course repository (this repo, cloned);
  instructors open it from the hub's Services menu to run the Formgrader, `make release`,
  `backprop-ninja grade ASSIGNMENT`, and the feedback commands.

Once, as root on the server:

    useradd -m grader-backprop-ninja
    mkdir -p /srv/nbgrader/exchange && chmod ugo+rwx /srv/nbgrader/exchange
    # every user's nbgrader finds the exchange and the course through this file:
    cat > /etc/jupyter/nbgrader_config.py <<'END'
    c = get_config()
    c.Exchange.root = "/srv/nbgrader/exchange"
    c.CourseDirectory.course_id = "backprop-ninja"
    END
    su grader-backprop-ninja -c "git clone <this repository> ~/backprop-ninja && cd ~/backprop-ninja && make release"
    openssl rand -hex 32 > /srv/jupyterhub/grader-token    # the service's API token, read below

Students need the package on the hub's Python (`pip install -e ~/backprop-ninja` by the
admin, or the course's environment.yml); the grader account needs `autograde/` as well
(`pip install -e ~/backprop-ninja/autograde`), which never goes on the students' side.

The gradebook is SQLite in the course folder. If several instructors grade at once from
different machines, point `c.CourseDirectory.db_url` in the course's nbgrader_config.py at
PostgreSQL (e.g. "postgresql://grader@db.example.org/backprop_ninja") instead.
"""

from pathlib import Path

c = get_config()  # noqa: F821 — provided by JupyterHub

COURSE = "backprop-ninja"
GRADER = f"grader-{COURSE}"
INSTRUCTORS = ["instructor1", "instructor2"]          # your instructors' and TAs' logins
STUDENTS = ["student1", "student2"]                   # or leave empty and add them from the admin page

c.JupyterHub.authenticator_class = "pam"             # or your university's OAuthenticator
c.Authenticator.allowed_users = set(INSTRUCTORS + STUDENTS + [GRADER])
c.Spawner.default_url = "/lab"

# nbgrader reads these group names: formgrade-<course> may grade, nbgrader-<course> takes the course.
c.JupyterHub.load_groups = {
    f"formgrade-{COURSE}": {"users": INSTRUCTORS + [GRADER]},
    f"nbgrader-{COURSE}": {"users": STUDENTS},
}
c.JupyterHub.load_roles = [
    {   # instructors reach the course's JupyterLab service
        "name": f"formgrade-{COURSE}",
        "groups": [f"formgrade-{COURSE}"],
        "scopes": [f"access:services!service={COURSE}"],
    },
    {   # the Assignments tab of students lists the courses they take
        "name": f"nbgrader-{COURSE}",
        "groups": [f"nbgrader-{COURSE}"],
        "scopes": ["list:services", f"read:services!service={COURSE}"],
    },
    {   # the course service reads the groups to know who may grade
        "name": f"{COURSE}-service",
        "services": [COURSE],
        "scopes": ["read:users:groups", "list:services", f"groups!group=formgrade-{COURSE}"],
    },
]

token_file = Path("/srv/jupyterhub/grader-token")
c.JupyterHub.services = [
    {
        "name": COURSE,
        "url": "http://127.0.0.1:9999",
        "command": ["jupyterhub-singleuser", "--debug"],
        "user": GRADER,
        "cwd": f"/home/{GRADER}/backprop-ninja",
        "environment": {"JUPYTERHUB_DEFAULT_URL": "/lab"},
        "api_token": token_file.read_text().strip() if token_file.exists() else "",
    }
]
