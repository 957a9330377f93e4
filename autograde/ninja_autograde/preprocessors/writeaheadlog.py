"""The SQLite gradebook in write-ahead-log mode, SQLite's mode for a database with several writers.

nbgrader commits each test's score on its own: some 40 commits per graded notebook. In SQLite's
default mode (a rollback journal) each commit syncs the disk two or three times (15 ms on the
course's build machine) while it locks the whole gradebook, so parallel graders queue behind each
other's disk syncs. In write-ahead-log mode a commit appends to `gradebook.db-wal` and syncs it
once (4 ms), as durable as before, and readers no longer block the writer. The mode is kept in the
file: once set, every program on the gradebook (nbgrader, the formgrader, `backprop-ninja grade`)
uses it. A PostgreSQL gradebook is left as it is.
"""

import contextlib
import sqlite3

from nbgrader.preprocessors import NbGraderPreprocessor
from sqlalchemy.engine import make_url


def write_ahead(db_url):
    """Put the SQLite gradebook at db_url in write-ahead-log mode (nothing for other databases)."""
    url = make_url(db_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return
    try:
        with contextlib.closing(sqlite3.connect(url.database, timeout=60)) as db:
            db.execute("PRAGMA journal_mode=WAL")
    except sqlite3.OperationalError:   # busy beyond the timeout: the next notebook graded sets it
        pass


class WriteAheadLog(NbGraderPreprocessor):
    """The first step of grading a notebook: the gradebook in write-ahead-log mode (once per gradebook)."""

    def preprocess(self, nb, resources):
        write_ahead(resources["nbgrader"]["db_url"])
        return nb, resources
