"""Graders on several machines: `backprop-ninja grade --shard i/n` splits one class into shares that
cover it exactly once; two processes standing in for two machines give the scores of one grader."""
import shutil
import string

import pytest

from backprop_ninja import cli
from ninja_autograde import grading

A = "02_softmax_nll"


def test_shards_cover_the_class_exactly_once():
    students = ["".join(c) for c in zip(string.ascii_lowercase * 8, string.digits * 21)] + ["ada", "linus"]
    for n in (1, 2, 3, 7):
        shares = [grading.share(students, (i, n)) for i in range(n)]
        assert sorted(s for share in shares for s in share) == sorted(students)
        assert all(shares), f"an empty share among {n}"   # 210 distinct ids: every share gets some


def test_a_late_submission_moves_nobody_else():
    early = ["ada", "alan", "barbara", "claude", "donald"]
    for i in range(3):
        assert set(grading.share(early, (i, 3))) <= set(grading.share(early + ["zelda"], (i, 3)))


def test_shard_and_student_list_are_checked():
    assert grading.parse_shard("1/2") == (1, 2)
    for bad in ("2/2", "-1/2", "1", "a/b"):
        with pytest.raises(ValueError, match="--shard"):
            grading.parse_shard(bad)
    assert grading.share(["ada", "alan", "linus"], named=["linus", "ada"]) == ["ada", "linus"]
    with pytest.raises(FileNotFoundError, match="no submission from grace"):
        grading.share(["ada"], named=["ada", "grace"])


@pytest.fixture(scope="module")
def one_grader(sample_class, tmp_path_factory):
    """The sample class, ungraded, and a copy graded by a single `backprop-ninja grade`."""
    ungraded = sample_class(tmp_path_factory.mktemp("class"), A)
    graded = shutil.copytree(ungraded, tmp_path_factory.mktemp("one") / "course")
    grading.grade(A, graded, jobs=2, progress=False)
    return ungraded, graded


def test_two_graders_give_the_scores_of_one(one_grader, graders, class_scores, tmp_path):
    ungraded, graded = one_grader
    split = shutil.copytree(ungraded, tmp_path / "course")
    runs = graders(split, A, 2)
    expected = class_scores(graded, A)
    counts = [int(out.split("graded ", 1)[1].split()[0]) for _, out in runs]
    assert [code for code, _ in runs] == [0, 0], runs
    assert sum(counts) == len(expected) == 12 and all(counts), counts
    assert class_scores(split, A) == expected
    # the last grader to finish prints the whole class from the gradebook
    assert any(f"{A}: 12 submissions" in out and "partial" not in out for _, out in runs), runs


def test_a_named_share_and_the_report_that_says_it_is_partial(one_grader, class_scores, tmp_path, capsys):
    ungraded, graded = one_grader
    part = shutil.copytree(ungraded, tmp_path / "course")
    assert cli.main(["grade", A, "--course", str(part), "--students", "ada,linus", "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert f"{A}: 2 submissions" in out
    assert "partial: 10 of the submissions in submitted/ are not graded yet" in out
    full = class_scores(graded, A)
    assert class_scores(part, A) == {s: full[s] for s in ("ada", "linus")}
    assert cli.main(["grade", A, "--course", str(part), "--students", "ada,zelda"]) == 2   # no such submission
    assert "no submission from zelda" in capsys.readouterr().out
