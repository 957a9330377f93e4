"""`backprop-ninja grade`: nbgrader's scores, in parallel, and bad submissions that stop nobody."""
import contextlib
import json
import shutil
import sqlite3

import nbformat
import pytest

from ninja_autograde import grading, report
from ninja_autograde import calibration, course, submissions

A = "02_softmax_nll"
NB = course.ASSIGNMENTS[A]
STUDENTS = {"ada": "correct_loops", "alan": "unstable_exp", "edsger": "wrong_axis", "linus": "unanswered"}


@pytest.fixture(scope="module")
def class_course(tmp_path_factory, sample_class):
    """A scratch course with a few sample students (right and wrong) and the bad submissions."""
    folder = sample_class(tmp_path_factory.mktemp("course"), A, STUDENTS.items())
    release = course.read_notebook(folder, "release", A)
    solutions = submissions.solution_cells(course.read_notebook(folder, "source", A))
    right = submissions.student_notebook(release, {}, solutions)

    def submit(student, edit=lambda nb: nb):
        return submissions.write_submission(folder, student, A, NB, edit(nbformat.from_dict(json.loads(json.dumps(right)))))

    def drop_cell(nb, grade_id="test_softmax_random"):
        nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != grade_id]
        return nb

    def retype_cell(nb, grade_id="test_nll_random"):
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
                cell.cell_type = "markdown"
                del cell["outputs"], cell["execution_count"]
        return nb

    for name, edit in TAMPERED.items():   # alan's answers (partly wrong), their metadata edited
        alan = submissions.student_notebook(release, calibration.case(A, STUDENTS["alan"]).answers, solutions)
        submissions.write_submission(folder, name, A, NB, edit(alan))
    submit("deleted_a_test", drop_cell)
    submit("retyped_a_test", retype_cell)
    (submit("extra_files") / "scratch.txt").write_text("notes")
    submit("added_cells", lambda nb: nb.cells.extend(nbformat.v4.new_code_cell("pass") for _ in range(501)) or nb)
    (submit("invalid_json") / NB).write_text('{"cells": [')
    with open(folder / "nbgrader_config.py", "a") as config:
        config.write("\nc.CourseDirectory.max_file_size = 2000   # kilobytes\n")
    huge = nbformat.from_dict(json.loads(json.dumps(right)))
    huge.cells.append(nbformat.v4.new_markdown_cell("x" * 3_000_000))
    submissions.write_submission(folder, "oversized", A, NB, huge)
    shutil.move(submit("renamed") / NB, folder / "submitted" / "renamed" / A / "softmax_nll (1).ipynb")
    (submit("missing") / NB).unlink()
    return folder


def _nbgrader(cell):
    return cell.metadata.get("nbgrader", {})


def _tests(nb):
    return [c for c in nb.cells if _nbgrader(c).get("grade") and not _nbgrader(c).get("solution")]


def inflate_points(nb):
    for cell in _tests(nb):
        cell.metadata.nbgrader["points"] = 1000
    return nb


def forge_a_test(nb):
    cell = nbformat.v4.new_code_cell("pass")
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "bonus", "points": 100, "locked": True,
                                 "solution": False, "schema_version": 3, "task": False}
    nb.cells.append(cell)
    return nb


def retag_cells(nb):
    for cell in nb.cells:
        if _nbgrader(cell).get("solution"):   # the answer cells claim to be locked tests worth 50
            cell.metadata.nbgrader.update(grade=True, points=50, solution=False, locked=True)
    for cell in _tests(nb):
        cell.metadata.nbgrader.update(task=True)
    return nb


def move_grade_ids(nb):
    """Each test's grade_id on a harmless cell at the top; the real tests renamed."""
    tests = _tests(nb)
    for cell in tests:
        fake = nbformat.v4.new_code_cell("pass")
        fake.metadata["nbgrader"] = dict(_nbgrader(cell))
        cell.metadata.nbgrader["grade_id"] += "_renamed"
        nb.cells.insert(0, fake)
    return nb


TAMPERED = {"inflated_points": inflate_points, "forged_a_test": forge_a_test, "retagged_cells": retag_cells,
            "moved_grade_ids": move_grade_ids}


def scores(folder):
    return {r.student: r.score for r in report.collect(folder, A)}


def journal_mode(folder):
    with contextlib.closing(sqlite3.connect(folder / "gradebook.db")) as db:
        return db.execute("PRAGMA journal_mode").fetchone()[0]


def test_parallel_grading_gives_nbgraders_own_scores(class_course, tmp_path):
    outcomes = {o.student: o for o in grading.grade(A, class_course, jobs=2, progress=False)}
    parallel = scores(class_course)
    plain = shutil.copytree(class_course, tmp_path / "plain")
    (plain / "gradebook.db").unlink()
    shutil.rmtree(plain / "autograded")
    course.nbgrader("generate_assignment", A, "--force", cwd=plain)
    for student in STUDENTS:
        course.nbgrader("autograde", A, "--student", student, "--force", cwd=plain)
        assert scores(plain)[student] == parallel[student], student
    # both gradebooks in write-ahead-log mode (ninja_autograde/preprocessors/writeaheadlog.py), set by the course's config
    assert journal_mode(class_course) == journal_mode(plain) == "wal"
    assert outcomes["ada"].success and parallel["ada"] == 15
    assert 0 < parallel["alan"] < 15 and parallel["linus"] == 0


def test_bad_submissions_get_a_clear_message_and_stop_nobody(class_course):
    outcomes = {o.student: o for o in grading.grade(A, class_course, progress=False)}
    assert outcomes["invalid_json"].error.startswith(f"{NB} is not a valid notebook")
    assert outcomes["missing"].error == f"{NB} is missing"
    assert "softmax_nll (1).ipynb: renamed?" in outcomes["renamed"].error
    assert outcomes["oversized"].error.startswith(f"{NB} is 3.") and outcomes["oversized"].error.endswith(
        "MB, more than the course's limit of 2.0 MB (CourseDirectory.max_file_size): huge outputs? Clear them and submit again")
    assert "has 530 cells, 501 more than the release: the course grades at most 500 added cells" in \
        outcomes["added_cells"].error
    for student in ("invalid_json", "missing", "renamed", "oversized", "added_cells"):
        assert not outcomes[student].success
    graded = scores(class_course)
    # a deleted test cell is put back, a retyped one restored, extra files ignored: full marks for right answers
    for student in ("deleted_a_test", "retyped_a_test", "extra_files"):
        assert outcomes[student].success, outcomes[student].error
        assert graded[student] == 15, student
    # grading again changes nothing
    grading.grade(A, class_course, progress=False)
    assert scores(class_course) == graded


def test_edited_cell_metadata_gains_nothing_and_is_graded_as_released(class_course):
    """The release's metadata is restored: the same answers score the same, whatever the JSON claims."""
    outcomes = {o.student: o for o in grading.grade(A, class_course, progress=False)}
    graded = scores(class_course)
    assert 0 < graded["alan"] < 15
    for student in ("inflated_points", "forged_a_test", "retagged_cells"):
        assert outcomes[student].success, outcomes[student].error
        assert graded[student] == graded["alan"], student
    # the tests, put back where the student moved their ids (before the answers), find nothing to test
    assert outcomes["moved_grade_ids"].success and graded["moved_grade_ids"] <= graded["alan"]


def test_a_bad_resubmission_loses_nothing_already_graded(class_course):
    grading.grade(A, class_course, progress=False)
    before = scores(class_course)["ada"]
    (class_course / "submitted" / "ada" / A / NB).write_text("not a notebook")
    outcome = {o.student: o for o in grading.grade(A, class_course, progress=False)}["ada"]
    assert not outcome.success and "not a valid notebook" in outcome.error
    assert scores(class_course)["ada"] == before == 15


def test_grade_says_what_is_wrong_with_the_course_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="no nbgrader_config.py"):
        grading.grade(A, tmp_path)
    shutil.copy(course.REPO / "nbgrader_config.py", tmp_path)
    with pytest.raises(FileNotFoundError, match="no submissions"):
        grading.grade(A, tmp_path)


def test_when_nbgrader_fails_its_reason_is_shown_and_no_report_is_replaced(class_course, tmp_path, capsys,
                                                                         monkeypatch):
    """A course whose gradebook never learnt the assignment (generate_assignment never ran there)."""
    import os
    import sys

    from backprop_ninja import cli

    monkeypatch.setenv("PATH", f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}")  # nbgrader's alembic

    folder = tmp_path / "unregistered"
    shutil.copytree(class_course / "source", folder / "source")
    shutil.copy(class_course / "nbgrader_config.py", folder)
    # alan's submission is a valid notebook (an earlier test breaks ada's in the shared course)
    shutil.copytree(class_course / "submitted" / "alan", folder / "submitted" / "alan")
    (folder / "reports").mkdir()
    kept = (folder / "reports" / f"{A}.csv")
    kept.write_text("student,score\nalan,15\n")
    assert cli.main(["grade", A, "--course", str(folder), "--jobs", "1"]) != 0
    said = capsys.readouterr().out
    assert f"could not grade alan: No assignment with ID '{A}' exists in the database" in said
    assert "graded 0 of 1 submissions" in said
    assert kept.read_text() == "student,score\nalan,15\n"


def test_grading_sends_nothing_to_a_kernel_that_shows_widgets(tmp_path, monkeypatch):
    """The ε explorer's Output widget once stalled a student's grading for the cell timeout: nbclient's stand-in
    for Output widgets sent comm messages on the shell channel as the cell's reply arrived. Grading has no front
    end, so nothing is sent back, and the explorer cell still runs to its end."""
    from nbclient.output_widget import OutputWidget
    from nbformat.v4 import new_code_cell, new_notebook

    from ninja_autograde.preprocessors import GraderExecute

    sent = []
    monkeypatch.setattr(OutputWidget, "send", lambda self, *args, **kwargs: sent.append(args))
    nb = new_notebook(cells=[new_code_cell("from backprop_ninja.widgets import explorer\nexplorer()")])
    GraderExecute(config=grading.load_config(course.REPO)).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    assert not sent
    assert nb.cells[0].outputs and not any(o.output_type == "error" for o in nb.cells[0].outputs)


def test_a_grading_worker_that_dies_stops_nobody(tmp_path, monkeypatch):
    """A worker killed while it grades one submission (as the out-of-memory killer would kill it): the rest of
    the class is graded, the one it was grading is graded alone again, and when that kills it too, reported."""
    import os
    import signal

    folder = course.scratch_course(tmp_path, [A])
    release = course.read_notebook(folder, "release", A)
    right = submissions.student_notebook(release, {}, submissions.solution_cells(course.read_notebook(folder, "source", A)))
    for student in ("ada", "grace", "killer", "linus", "margaret"):
        submissions.write_submission(folder, student, A, NB, right)
    checked = grading.problem

    def killed_on_the_killer(course_folder, assignment, student, *limits):
        if student == "killer":
            os.kill(os.getpid(), signal.SIGKILL)
        return checked(course_folder, assignment, student, *limits)

    monkeypatch.setattr(grading, "problem", killed_on_the_killer)   # the workers are forked: they see it
    outcomes = {o.student: o for o in grading.grade(A, folder, jobs=2, progress=False)}
    assert not outcomes["killer"].success and outcomes["killer"].error == grading.DIED
    assert {s: o.success for s, o in outcomes.items() if s != "killer"} == dict.fromkeys(
        ("ada", "grace", "linus", "margaret"), True)
    assert {s: p for s, p in scores(folder).items() if s != "killer"} == dict.fromkeys(
        ("ada", "grace", "linus", "margaret"), 15)


def test_the_grader_holds_a_bounded_share_of_a_notebooks_output(tmp_path):
    """A notebook that displays 40 MB in 40 outputs and then fails, with 4 MB allowed: the grader keeps only the
    first outputs, says how many it dropped, and keeps the error (without a traceback nobody asked it to hold)."""
    from nbformat.v4 import new_code_cell, new_notebook

    from ninja_autograde.preprocessors import GraderExecute

    flood = "for i in range(40):\n    display({'text/plain': str(i) * 10**6}, raw=True)\nraise ValueError('x' * 10**6)"
    nb = new_notebook(cells=[new_code_cell(flood)])
    config = grading.load_config(course.REPO)
    config.GraderExecute.notebook_output_chars = 4 * 10**6
    GraderExecute(config=config).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    outputs = nb.cells[0].outputs
    shown = [o for o in outputs if o.output_type == "display_data"]
    (error,) = [o for o in outputs if o.output_type == "error"]
    assert [o.data["text/plain"][0] for o in shown] == ["0", "1", "2", "3"]
    assert outputs[-1].text == "... 36 more outputs dropped by the grader ...\n"
    assert error.ename == "ValueError" and len(error.evalue) == 1000 and error.traceback == []


def test_a_message_larger_than_the_grader_takes_is_never_read(tmp_path):
    """A kernel that displays 30 MB in one message, with 10 MB allowed: ZeroMQ refuses it unread, the kernel's
    output channel stays closed, and that cell and the later ones fail saying their output did not arrive."""
    from nbformat.v4 import new_code_cell, new_notebook

    from ninja_autograde.preprocessors import GraderExecute

    cells = ["print('before')", "display({'text/plain': 'x' * 30_000_000}, raw=True)", "print('after')"]
    nb = new_notebook(cells=[new_code_cell(c) for c in cells])
    config = grading.load_config(course.REPO)
    config.GraderKernelManager.max_message_size = 10 * 10**6
    GraderExecute(config=config).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    assert nb.cells[0].outputs[0].text == "before\n"
    for cell in nb.cells[1:]:
        (error,) = cell.outputs
        assert error.output_type == "error" and "larger than the grader takes" in error.evalue
