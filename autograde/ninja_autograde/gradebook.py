"""The course's own table in nbgrader's gradebook: each test's verdict, as data, beside nbgrader's grades.

`preprocessors.SaveVerdicts` writes a row per test of each graded notebook; the class report, the feedback
page and the regrade read them (`stored`), so every machine on one gradebook says the same.
"""

from sqlalchemy import Column, String, Text, inspect
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import declarative_base

from ninja_runner.verdict import Verdict

Base = declarative_base()


class StoredVerdict(Base):
    """One test's verdict on one student's notebook, as `Verdict.to_json`."""
    __tablename__ = "backprop_ninja_verdict"
    assignment = Column(String(128), primary_key=True)
    notebook = Column(String(128), primary_key=True)
    student = Column(String(128), primary_key=True)
    test = Column(String(128), primary_key=True)
    verdict = Column(Text, nullable=False)


def ensure_table(engine):
    """The verdicts' table in the gradebook, created on first use (two graders may race to it)."""
    if inspect(engine).has_table(StoredVerdict.__tablename__):
        return
    try:
        StoredVerdict.__table__.create(engine, checkfirst=True)
    except DatabaseError:
        if not inspect(engine).has_table(StoredVerdict.__tablename__):
            raise


def stored(gb, assignment, student):
    """{test id: Verdict} of a student's graded submission of the assignment, as SaveVerdicts stored them
    (in a gradebook that holds the verdicts' table: `ensure_table`)."""
    rows = gb.db.query(StoredVerdict).filter_by(assignment=assignment, student=student)
    return {row.test: Verdict.from_json(row.verdict) for row in rows}
