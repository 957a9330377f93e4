"""A PostgreSQL gradebook for real: a server on loopback (Debian's postgresql, installed when missing),
set up as docs/deployment.md says, and two graders at once on it give SQLite's scores."""
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from ninja_autograde import course, grading
from system import debian_package, free_port

A = "02_softmax_nll"
PASSWORD = "bn-test-password"


def postgres_bin():
    """The folder of initdb and pg_ctl, installing Debian's postgresql first if it is missing."""
    found = debian_package("postgresql", lambda: sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb")))
    return found[-1].parent


@pytest.fixture(scope="module")
def postgres():
    """A PostgreSQL server in a temporary folder (its socket there too) on a free loopback port,
    with the guide's role and database; yields the db_url the guide puts in nbgrader_config.py."""
    bin_ = postgres_bin()
    root = Path(tempfile.mkdtemp(prefix="bn-postgres-"))
    server = []   # PostgreSQL refuses to run as root: as root, run it as the postgres account
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        server = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    (root / "pw").write_text(PASSWORD)
    subprocess.run(server + [bin_ / "initdb", "-D", root / "data", "-U", "postgres", "-E", "UTF8",
                             "--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={root / 'pw'}"],
                   check=True, capture_output=True)
    subprocess.run(server + [bin_ / "pg_ctl", "-D", root / "data", "-l", root / "log", "-w", "-o",
                             f"-p {port} -k {root} -c listen_addresses=127.0.0.1", "start"],
                   check=True, capture_output=True)
    try:
        psql = server + [bin_ / "psql", "-h", root, "-p", str(port), "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-c"]
        subprocess.run(psql + [f"CREATE ROLE grader LOGIN PASSWORD '{PASSWORD}'"], check=True, capture_output=True)
        subprocess.run(psql + ["CREATE DATABASE backprop_ninja OWNER grader"], check=True, capture_output=True)
        yield f"postgresql://grader:{PASSWORD}@127.0.0.1:{port}/backprop_ninja"
    finally:
        subprocess.run(server + [bin_ / "pg_ctl", "-D", root / "data", "-m", "fast", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def use_gradebook(folder, url):
    """The guide's step: db_url in the course's nbgrader_config.py, then the assignment into the gradebook."""
    with open(folder / "nbgrader_config.py", "a") as config:
        config.write(f'\nc.CourseDirectory.db_url = "{url}"\n')
    course.nbgrader("generate_assignment", A, "--force", cwd=folder)


@pytest.fixture(scope="module")
def graded_on_both(sample_class, graders, postgres, tmp_path_factory):
    """The sample class graded by one grader on SQLite and by two at once on PostgreSQL."""
    ungraded = sample_class(tmp_path_factory.mktemp("class"), A)
    on_sqlite = shutil.copytree(ungraded, tmp_path_factory.mktemp("sqlite") / "course")
    grading.grade(A, on_sqlite, jobs=2, progress=False)
    on_postgres = shutil.copytree(ungraded, tmp_path_factory.mktemp("postgres") / "course")
    use_gradebook(on_postgres, postgres)
    return on_sqlite, on_postgres, graders(on_postgres, A, 2)


def test_the_gradebook_is_postgresql(graded_on_both, postgres):
    _, on_postgres, _ = graded_on_both
    assert grading.db_url(on_postgres) == postgres
    import psycopg
    with psycopg.connect(postgres) as db:
        graded = db.execute("SELECT count(*) FROM submitted_assignment").fetchone()[0]
    assert graded == 12


def test_two_graders_on_postgresql_give_sqlites_scores(graded_on_both, class_scores):
    on_sqlite, on_postgres, runs = graded_on_both
    assert [code for code, _ in runs] == [0, 0], runs
    assert sum(int(out.split("graded ", 1)[1].split()[0]) for _, out in runs) == 12
    assert class_scores(on_postgres, A) == class_scores(on_sqlite, A)
    assert len(class_scores(on_sqlite, A)) == 12


@pytest.mark.parametrize("command", [["grade", A, "--shard", "0/2"], ["report", A]])
def test_a_missing_driver_is_one_clear_line(graded_on_both, command):
    _, on_postgres, _ = graded_on_both
    without_psycopg = ("import sys; sys.modules['psycopg'] = None; from backprop_ninja.cli import main; "
                       "sys.exit(main(sys.argv[1:]))")
    run = subprocess.run([sys.executable, "-c", without_psycopg, *command, "--course", str(on_postgres)],
                         capture_output=True, text=True)
    assert run.returncode == 2
    assert run.stdout == "PostgreSQL gradebook needs the driver: pip install -e './autograde[postgres]'\n"
    assert "Traceback" not in run.stderr, run.stderr
