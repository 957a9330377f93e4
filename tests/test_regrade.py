"""A regrade of the whole demo class changes nothing, and students with the same wrong answer get their own data.

The demo class (autograde/sample_class/roster.csv: every student's submission of every assignment `make demo`
grades, written straight into submitted/ as the demo's students submit them through the exchange) is graded with
`backprop-ninja grade` and its feedback generated, as the demo does; then all of it again, in place, as an
instructor regrading would. Scores, the referee's verdicts stored in the gradebook, the reports and every
feedback page (but for the timing of printed output, below) must come out bit-identical. One student more, hedy, submits barbara's wrong 02 notebook byte for
byte: same score, same diagnosis, different hidden data.

Slow (two gradings of 78 submissions: 9 to 11 minutes on 2 shared CPUs): run by `make test-regrade`, not `make test`.
"""
import re
import shutil

import nbformat
import numpy as np
import pytest
from nbconvert import HTMLExporter
from nbgrader.api import Gradebook

from backprop_ninja import cli
from ninja_autograde import course, demo, gradebook, grading, replay

ASSIGNMENTS = [a for a in demo.roster() if a in course.available_assignments()]
TWIN, WRONG, A, TEST = "hedy", "barbara", "02_softmax_nll", "test_backward_random"   # barbara: missing_over_n

# The kernel sends stdout and stderr as it flushes them (on a timer), so how a cell's printed text is cut into
# output blocks, and where stderr's warnings fall among stdout's lines, depend on timing, not on the student's
# answer: 04's training loop prints its progress while numpy warns. A run of consecutive stream outputs is
# compared as its whole stdout text and its whole stderr text; everything else on the page is compared as is.
STREAM = (r'<div class="output_area">\s*<div class="prompt"></div>\s*'
          r'<div class="output_subarea output_stream output_(stdout|stderr) output_text">\s*<pre>(.*?)</pre>\s*'
          r'</div>\s*</div>\s*')
STREAMS = re.compile(f"(?:{STREAM})+", re.S)


def without_stream_timing(html):
    def joined(run):
        parts = re.findall(STREAM, run.group(0), re.S)
        return "".join(f"<{name}>{''.join(t for n, t in parts if n == name)}</{name}>" for name in ("stdout", "stderr"))
    return STREAMS.sub(joined, html)


def recorded(folder):
    """assignment -> student -> (score, seconds late, {grade: (auto, manual, max)}, {comment: auto_comment},
    {test: the stored Verdict})"""
    with Gradebook(grading.db_url(folder)) as gb:
        return {a: {s.student.id: (s.score, s.total_seconds_late,
                                   {g.name: (g.auto_score, g.manual_score, g.max_score) for nb in s.notebooks
                                    for g in nb.grades},
                                   {c.name: c.auto_comment for nb in s.notebooks for c in nb.comments},
                                   gradebook.stored(gb, a, s.student.id))
                    for s in gb.assignment_submissions(a)} for a in ASSIGNMENTS}


def grade_the_class(folder):
    """`backprop-ninja grade` and nbgrader's feedback for every assignment; what the gradebook, reports and
    feedback pages then say."""
    for assignment in ASSIGNMENTS:
        assert cli.main(["grade", assignment, "--course", str(folder)]) == 0, assignment
        course.nbgrader("generate_feedback", assignment, "--force", cwd=folder)
    reports = {p.name: p.read_text() for p in (folder / "reports").glob("*.csv")}
    pages = {str(p.relative_to(folder)): p.read_text() for p in folder.glob("feedback/*/*/*.html")}
    return recorded(folder), reports, pages


@pytest.fixture(scope="module")
def graded_twice(sample_class, tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo-class") / "course"
    for assignment in ASSIGNMENTS:
        sample_class(folder, assignment)
    shutil.copytree(folder / "submitted" / WRONG / A, folder / "submitted" / TWIN / A)
    first = grade_the_class(folder)
    return folder, first, grade_the_class(folder)


def test_a_regrade_of_the_demo_class_gives_identical_scores_and_messages(graded_twice):
    _, (grades, reports, pages), (regrades, rereports, repages) = graded_twice
    students = {s for s, _ in demo.roster()[A]}
    assert all(set(grades[a]) >= students for a in ASSIGNMENTS) and len(pages) == len(ASSIGNMENTS) * len(students) + 1
    assert all(any(grades[a]["linus"][3].values()) for a in ASSIGNMENTS), "the verdicts are stored with the grades"
    assert regrades == grades
    assert rereports == reports and len(reports) == len(ASSIGNMENTS)
    assert {p: without_stream_timing(html) for p, html in repages.items()} == \
        {p: without_stream_timing(html) for p, html in pages.items()}


def test_two_students_with_the_same_wrong_answer_see_different_data(graded_twice):
    folder, (grades, _, _), _ = graded_twice
    score, _, tests, _, verdicts = grades[A][TWIN]
    assert tests == grades[A][WRONG][2] and score < sum(top for *_, top in tests.values())   # same points lost
    mistakes = [{t: v.mistake for t, v in grades[A][s][4].items()} for s in (TWIN, WRONG)]
    assert mistakes[0] == mistakes[1] and mistakes[0][TEST] == "missing-over-n"     # same diagnosis
    assert all(v.passed == (tests[t][0] == tests[t][2]) for t, v in verdicts.items())  # as nbgrader scored it
    (_, twin_calls, twin_verdict, _), = replay.replay(folder, A, TWIN, TEST)
    (_, calls, verdict, _), = replay.replay(folder, A, WRONG, TEST)
    assert twin_verdict and verdict
    assert twin_calls.keys() == calls.keys()
    small = [i for i in calls if "z" in calls[i]]                       # the scale call holds a recipe, not z
    assert small and not any(np.array_equal(twin_calls[i]["z"], calls[i]["z"]) for i in small)   # their own data
    assert all(int(twin_calls[i]["seed"]) != int(calls[i]["seed"]) for i in calls if i not in small)


def page(*outputs):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("train()", id="train", outputs=[
        nbformat.v4.new_output("stream", name=name, text=text) for name, text in outputs])])
    return HTMLExporter(template_name="classic").from_notebook_node(nb)[0]


def test_only_the_timing_of_printed_output_is_set_aside():
    printed = page(("stdout", "iter 0\n"), ("stdout", "iter 300\n"), ("stderr", "RuntimeWarning: overflow\n"))
    assert without_stream_timing(printed) == without_stream_timing(
        page(("stdout", "iter 0"), ("stderr", "RuntimeWarning: overflow\n"), ("stdout", "\niter 300\n")))
    assert without_stream_timing(printed) != without_stream_timing(
        page(("stdout", "iter 0\n"), ("stdout", "iter 600\n"), ("stderr", "RuntimeWarning: overflow\n")))
    assert without_stream_timing(printed) != without_stream_timing(page(("stdout", "iter 0\niter 300\n")))
