"""The instructor's picture of a graded assignment: scores, test pass rates, common mistakes.

Reads nbgrader's gradebook and the autograded notebooks; writes a CSV and one figure.
"""

import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import nbformat


@dataclass
class StudentResult:
    student: str
    score: float                    # of the autograded tests; written answers are graded by hand
    max_score: float
    tests: dict                     # grade id -> (score, max score)
    mistakes: list = field(default_factory=list)


def collect(course, assignment):
    """One StudentResult per submission of the assignment in the course's gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    from .grading import db_url

    results = []
    with Gradebook(db_url(course)) as gb:
        for student in sorted(s.id for s in gb.students):
            try:
                submission = gb.find_submission(assignment, student)
            except MissingEntry:
                continue
            tests = {g.name: (g.score, g.max_score) for nb in submission.notebooks for g in nb.grades
                     if g.cell.cell_type == "code" and g.auto_score is not None}
            score, max_score = (sum(t[i] for t in tests.values()) for i in (0, 1))
            results.append(StudentResult(student, score, max_score, tests,
                                         _mistakes(Path(course) / "autograded" / student / assignment)))
    return results


def _mistakes(folder):
    """The diagnoses the hidden tests gave this student, each once."""
    found = []
    for path in sorted(folder.glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if "hidden_test(" not in cell.source:
                continue
            found += [mistake(out["evalue"]) for out in cell.get("outputs", [])
                      if out.get("output_type") == "error" and out.get("ename") == "AssertionError"]
    return list(dict.fromkeys(found))


def mistake(message):
    """The lesson's words for a failed hidden test: its message without call numbers and errors."""
    text = re.sub(r" \(call \d+ of \d+\)$", "", message.splitlines()[0] if message else "")
    text = re.sub(r"^call \d+: ", "", text)
    if "NotImplementedError" in text:
        return "not answered"
    if "wrong shape" in text:   # "dW1: wrong shape (6, 2), expected (2, 6). transpose: got shape ..., ...; the values..."
        hint = text.split(". ", 1)[-1]
        return re.sub(r": got shape \(.*?\), expected \(.*?\)[;,]?", ":", hint).rstrip(": ")
    return text.split(": ", 1)[1] if "max error" in text or "relative error" in text else text


def write_csv(results, path):
    tests = sorted({t for r in results for t in r.tests})
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "score", "max_score"] + tests)
        for r in results:
            writer.writerow([r.student, r.score, r.max_score] + [r.tests.get(t, (None,))[0] for t in tests])
    return path


def summary(results, assignment):
    """The terminal summary: one line per student, then pass rates and the commonest mistakes."""
    if not results:
        return f"{assignment}: no graded submissions"
    lines = [f"{assignment}: {len(results)} submissions (autograded tests; written answers are graded by hand)"]
    for r in results:
        bar = "█" * round(20 * r.score / r.max_score) if r.max_score else ""
        lines.append(f"  {r.student:<16} {r.score:5g}/{r.max_score:<4g} {bar}")
    lines.append("  pass rate per test:")
    for test, rate in pass_rates(results).items():
        lines.append(f"    {test:<28} {rate:6.0%}")
    common = Counter(m for r in results for m in r.mistakes).most_common(5)
    if common:
        lines.append("  commonest mistakes (students):")
        lines += [f"    {n:3d}  {m}" for m, n in common]
    return "\n".join(lines)


def pass_rates(results):
    tests = sorted({t for r in results for t in r.tests})
    return {t: sum(r.tests.get(t, (0, 1))[0] == r.tests.get(t, (0, 1))[1] for r in results) / len(results)
            for t in tests}


def plot(results, assignment, path):
    """Score distribution, pass rate of each test and the commonest diagnosed mistakes, in one PNG."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a, b, c) = plt.subplots(1, 3, figsize=(17, 5), gridspec_kw={"width_ratios": [1, 1.3, 1.6]})
    scores = [100 * r.score / r.max_score for r in results if r.max_score]
    a.hist(scores, bins=range(0, 105, 10), color="#4c72b0", edgecolor="white")
    a.set(title="score distribution (autograded tests)", xlabel="score (%)", ylabel="students")
    a.yaxis.get_major_locator().set_params(integer=True)
    rates = pass_rates(results)
    names = list(rates)
    b.barh(names, [100 * rates[n] for n in names],
           color=["#55a868" if rates[n] >= 0.7 else "#dd8452" if rates[n] >= 0.4 else "#c44e52" for n in names])
    b.set(title="pass rate of each test", xlabel="% of students", xlim=(0, 100))
    b.invert_yaxis()
    common = Counter(m for r in results for m in r.mistakes).most_common(8)
    if common:
        labels = [_wrap(m) for m, _ in common]
        c.barh(labels, [n for _, n in common], color="#8172b2")
        c.invert_yaxis()
        c.tick_params(axis="y", labelsize=8)
        c.xaxis.get_major_locator().set_params(integer=True)
    c.set(title="commonest diagnosed mistakes", xlabel="students")
    fig.suptitle(f"{assignment}: {len(results)} submissions")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _wrap(text, width=42):
    words, lines, line = text.split(), [], ""
    for w in words:
        if len(line) + len(w) + 1 > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    return "\n".join(lines + [line])[:130]
