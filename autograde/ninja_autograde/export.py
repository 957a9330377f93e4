"""`nbgrader export` for the course: the final grades in reports/grades.csv, safe to open in a spreadsheet.

nbgrader's CsvExportPlugin writes grades.csv wherever it is run (in the course repository, beside the code),
lists every assignment of the gradebook at 0 for every student whether it was handed out or not, and writes
each field as it is: a comma in a name shifts the columns after it, and a student id or name such as
`=HYPERLINK(...)` runs as a formula in the spreadsheet that opens the file. `GradesCsv` writes nbgrader's
columns to `reports/grades.csv` of the course (`--to` elsewhere; reports/ is never committed), only for the
assignments students have received (released to the exchange, or submitted by someone), every field through
the csv module and `report.as_text`.
"""

import csv
from pathlib import Path

from nbgrader.api import MissingEntry
from nbgrader.exchange.default.exchange import Exchange
from nbgrader.plugins import CsvExportPlugin

from .report import as_text

COLUMNS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email", "raw_score",
           "late_submission_penalty", "score", "max_score"]   # nbgrader's


class GradesCsv(CsvExportPlugin):
    def export(self, gradebook):
        coursedir = self.parent.coursedir
        dest = Path(self.to) if self.to else Path(coursedir.root or ".") / "reports" / "grades.csv"
        dest.parent.mkdir(parents=True, exist_ok=True)
        chosen = {str(a) for a in self.assignment}
        assignments = [a for a in gradebook.assignments
                       if (a.name in chosen if chosen else self._received(gradebook, a.name))]
        self.log.info("Exporting the grades of %s to %s", ", ".join(a.name for a in assignments) or "nothing", dest)
        wanted = {str(s) for s in self.student}
        with open(dest, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(COLUMNS)
            for assignment in assignments:
                for student in gradebook.students:
                    if not wanted or student.id in wanted:
                        writer.writerow([as_text(v) for v in _row(gradebook, assignment, student)])

    def _received(self, gradebook, assignment):
        """Whether students have this assignment: released to the course's exchange, or submitted by someone."""
        exchange = self.config.Exchange
        root = exchange.root if "root" in exchange else Exchange.class_traits()["root"].default()
        released = Path(root) / self.parent.coursedir.course_id / "outbound" / assignment
        return released.is_dir() or gradebook.assignment_submissions(assignment) != []


def _row(gradebook, assignment, student):
    """nbgrader's row for one student's assignment: a score of 0 when they submitted nothing."""
    try:
        submission = gradebook.find_submission(assignment.name, student.id)
        submitted = (submission.timestamp, submission.score, submission.late_submission_penalty,
                     max(0.0, submission.score - submission.late_submission_penalty))
    except MissingEntry:
        submitted = ("", 0.0, 0.0, 0.0)
    timestamp, raw, penalty, score = submitted
    values = [assignment.name, assignment.duedate, timestamp, student.id, student.last_name, student.first_name,
              student.email, raw, penalty, score, assignment.max_score]
    return ["" if v is None else v if isinstance(v, (int, float)) else str(v) for v in values]
