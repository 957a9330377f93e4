#!/usr/bin/env bash
# Install a Backprop Ninja class on a JupyterHub server. Run as root; docs/deployment.md explains each step.
#
#   docs/install_hub.sh COURSE_DIR INSTRUCTOR [STUDENT ...]
#
# COURSE_DIR is the instructor's clone of the course repository (e.g. /home/INSTRUCTOR/backprop-ninja); it stays
# private to that account (mode 0700). Environment, with its defaults:
#   PREFIX=/opt/backprop-ninja        the hub, the proxy, the students' and the grader's Pythons, the kit
#   EXCHANGE=/srv/nbgrader/exchange   nbgrader's exchange, where assignments, submissions and feedback pass
#   PYTHON=/usr/bin/python3           a Python >= 3.11 every account can run (the system's, not one in /root)
set -euo pipefail
[ $# -ge 2 ] || { sed -n 2,11p "$0"; exit 2; }
COURSE_DIR=$(realpath "$1"); INSTRUCTOR=$2; shift 2; STUDENTS=("$@")
PREFIX=${PREFIX:-/opt/backprop-ninja}
EXCHANGE=${EXCHANGE:-/srv/nbgrader/exchange}
PYTHON=${PYTHON:-/usr/bin/python3}
COURSE_ID=backprop-ninja
pin() {   # the version the course pins for a package, from its pyproject.toml
    "$PYTHON" -c "import re, sys, tomllib; p = tomllib.load(open(sys.argv[1], 'rb'))['project']
print(next(d for g in p['optional-dependencies'].values() for d in g if re.match(sys.argv[2] + r'==', d)))" \
        "$COURSE_DIR/pyproject.toml" "$1"
}
venv() { "$PYTHON" -m venv "$1" && "$1/bin/pip" install --quiet --upgrade pip; }
say() { echo "== $*"; }
id "$INSTRUCTOR" >/dev/null
mkdir -p "$PREFIX"

"$PYTHON" -c "import ensurepip" 2>/dev/null || { apt-get update -qq && apt-get install -y -qq python3-venv; }

say "1. the proxy: configurable-http-proxy from npm (Node.js from Debian if missing)"
command -v npm >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs npm; }
npm install --silent --no-fund --no-audit --prefix "$PREFIX/proxy" configurable-http-proxy@5.3.0

say "2. the hub's Python: JupyterHub alone"
venv "$PREFIX/hub"
"$PREFIX/hub/bin/pip" install --quiet "$(pin jupyterhub)"

say "3. the grader's Python: the course with autograde/, editable from the instructor's private folder"
venv "$PREFIX/grader"
"$PREFIX/grader/bin/pip" install --quiet -e "$COURSE_DIR[course,hub]" -e "$COURSE_DIR/autograde[postgres]"

say "4. the students' Python: the kit's wheel (no ninja_autograde, nothing from the course folder)"
"$PREFIX/grader/bin/backprop-ninja" kit --out "$PREFIX/kit" >/dev/null
venv "$PREFIX/student"
"$PREFIX/student/bin/pip" install --quiet "$(ls "$PREFIX"/kit/backprop_ninja-*.whl)[course,hub]"
# Students see the Assignments tab and Validate, not Formgrader, Create assignment or the course list.
for ext in @jupyter/nbgrader:formgrader @jupyter/nbgrader:create-assignment @jupyter/nbgrader:course-list; do
    "$PREFIX/student/bin/jupyter" labextension disable --level=sys_prefix "$ext" >/dev/null 2>&1
done
for ext in formgrader course_list; do
    "$PREFIX/student/bin/jupyter" server extension disable --sys-prefix "nbgrader.server_extensions.$ext" >/dev/null 2>&1
done

say "5. nbgrader on the hub: the exchange, and courses from the hub's groups (JupyterHubAuthPlugin)"
# Everyone may write the exchange (nbgrader's rule), the sticky bit keeps anyone from renaming or deleting what
# others made in it (a course's folder, to put a fake one in its place).
mkdir -p "$EXCHANGE" && chmod 1777 "$EXCHANGE"
for python in grader student; do
    cat > "$PREFIX/$python/etc/jupyter/nbgrader_config.py" <<END
c = get_config()
c.Exchange.root = "$EXCHANGE"
c.Exchange.path_includes_course = True
c.Authenticator.plugin_class = "nbgrader.auth.JupyterHubAuthPlugin"
END
done
# The instructor's nbgrader (Formgrader, terminals) works on the course wherever it is started.
echo "load_subconfig(\"$COURSE_DIR/nbgrader_config.py\")" >> "$PREFIX/grader/etc/jupyter/nbgrader_config.py"
# The lab's Formgrader tab frames the instructor's own server: JupyterHub's default CSP (frame-ancestors 'none')
# makes it say "127.0.0.1 refused to connect". 'self' lets pages of this hub's origin frame it.
cat > "$PREFIX/grader/etc/jupyter/jupyter_server_config.py" <<'END'
c.ServerApp.tornado_settings = {"headers": {"Content-Security-Policy": "frame-ancestors 'self'"}}
END

say "6. the course folder: the instructor's alone"
chown -R "$INSTRUCTOR:" "$COURSE_DIR" && chmod 0700 "$COURSE_DIR"

say "7. every account's home its owner's alone: no student reads a classmate's notebooks, feedback or nbgrader's"
say "   submission secret (useradd -m makes homes 0755; the hub keeps students' homes 0700 at every start)"
for user in "$INSTRUCTOR" "${STUDENTS[@]}"; do chmod 0700 "$(getent passwd "$user" | cut -d: -f6)"; done

say "8. the hub's configuration and its class list"
cp "$(dirname "$0")/jupyterhub_config.py" "$PREFIX/jupyterhub_config.py"
"$PYTHON" - "$PREFIX/class.json" "$COURSE_DIR" "$EXCHANGE" "$INSTRUCTOR" "${STUDENTS[@]}" <<'END'
import json, sys
out, course_dir, exchange, instructor, *students = sys.argv[1:]
json.dump({"course_dir": course_dir, "exchange": exchange, "instructors": [instructor], "students": students},
          open(out, "w"), indent=2)
END
mkdir -p -m 0700 "$PREFIX/state"   # the hub's database and cookie secret: root's alone
say "done: cd $PREFIX && hub/bin/jupyterhub -f jupyterhub_config.py"
