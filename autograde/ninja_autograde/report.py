"""The instructor's picture of a graded assignment: scores, written answers, lateness, test pass
rates and the commonest mistakes.

Everything comes from nbgrader's gradebook (the referee's verdicts are stored there with the
grades, `diagnoses`), so every grader sharing one gradebook prints the same report. Writes a CSV
and one figure.
"""

import csv
import re
from collections import Counter
from dataclasses import dataclass, field

from . import diagnoses
from .printable import printable


@dataclass
class StudentResult:
    student: str
    score: float                    # of the autograded tests
    max_score: float
    tests: dict                     # test id -> (score, max score)
    mistakes: list = field(default_factory=list)   # kinds of mistake, each once
    written: dict = field(default_factory=dict)    # written answer id -> (score or None if not graded yet, max)
    seconds_late: float = 0.0
    penalty: float = 0.0            # points taken off for lateness (nbgrader's late policy)

    @property
    def written_score(self):
        return sum(s for s, _ in self.written.values() if s is not None)

    @property
    def written_max(self):
        return sum(m for _, m in self.written.values())

    @property
    def written_graded(self):
        return all(s is not None for s, _ in self.written.values())

    @property
    def total(self):
        return self.score + self.written_score - self.penalty

    @property
    def total_max(self):
        return self.max_score + self.written_max


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
            grades = [g for nb in submission.notebooks for g in nb.grades]
            tests = {g.name: (g.score, g.max_score) for g in grades if g.cell.cell_type == "code" and g.auto_score is not None}
            written = {g.name: (g.manual_score, g.max_score) for g in grades if g.cell.cell_type != "code"}
            verdicts = {}
            for nb in submission.notebooks:
                for comment in nb.comments:
                    verdicts.update(diagnoses.parse(comment.auto_comment))
            score, max_score = (sum(t[i] for t in tests.values()) for i in (0, 1))
            failed = [verdicts[t] for t, (s, m) in sorted(tests.items()) if s < m and t in verdicts]
            results.append(StudentResult(student, score, max_score, tests,
                                         list(dict.fromkeys(filter(None, map(kind, failed)))), written,
                                         submission.total_seconds_late or 0.0, submission.late_submission_penalty or 0.0))
    return results


_LARGE = r"on (a network of [\d,]+ parameters|logits of [\d,]+ × [\d,]+)"   # `scale.where`
_NUMBERED = [
    (r"^d?\w+: wrong shape \(.*?\), expected \(.*?\)\. ", ""),        # the shape line before its diagnosis
    (r"^(d\w+|the result) is wrong, (max|relative) error [^:]*: ", ""),
    (rf"^d\w+ is wrong {_LARGE}: ", "on the large network: "),
    (rf"^d\w+ {_LARGE}: ", "on the large network: "),
    (r"^(d\w+|the result): ", ""),
    (rf"^took longer than .*? s {_LARGE}", "too slow on the large network"),
    (r"^d[A-Za-z]+\d* (has|is) ", r"the gradient \1 "),
    (r"^\d+ steps of gradient descent .* accuracy on XOR.*", "gradient descent with this backward pass does not learn XOR"),
    (r" in cell \d+", ""),
    (r"\b\d+ of \d+ entries are off", "entries are off"),
    (r", but off by up to \S+", ", but slightly off"),
    (r"\b\d+(\.\d+)?× too (large|small)", r"too \2 by a constant factor"),
    (r"\s*\([^()]*(\d\.\d|\de[+-]|\d+ of \d+|N = \d|\d, \d|\d,\))[^()]*\)", ""),   # parentheses of measurements, shapes
    (r"\s*\[[^\[\]]*\d[^\[\]]*\]", ""),
    (r"\s*(?<![\w.])-?\d+\.\d+(e[+-]?\d+)?( ?%)?(?![\w·²])", ""),   # measured numbers left; a formula's
    (r"\s*(?<![\w.])-?\d+(e[+-]?\d+|\s?%)(?![\w·²])", ""),           # integers stay (1 − h², 2·eps)
]


def kind(message):
    """The kind of a mistake: the referee's words without the numbers of this student's case.

    "dW1 is wrong, max error 2.57e-05: 8 of 8 entries are off (correlation 0.96): ..." and the same
    verdict with other numbers are one kind."""
    text = " ".join((message or "").split())
    if "NotImplementedError" in text:
        return "not answered"
    for pattern, replacement in _NUMBERED:
        text = re.sub(pattern, replacement, text)
    text = re.sub(r"got shape ?, expected ?[;,]? ?", "", text)
    return re.sub(r"\s+([,.;:?])", r"\1", text).strip(" ,;:")


def _row(r, tests, written):
    return ([r.student, r.score, r.max_score, r.written_score if r.written else "",
             r.written_max if r.written else "", "yes" if r.written_graded else "no", r.total, r.total_max,
             round(r.seconds_late), r.penalty]
            + [r.tests.get(t, (None,))[0] for t in tests] + [r.written.get(w, (None,))[0] for w in written])


FORMULA = ("=", "+", "-", "@", "\t", "\r")   # how a cell a spreadsheet runs as a formula starts (OWASP)


def as_text(value):
    """A CSV cell a spreadsheet shows as it is: text it would read as a formula (a student id such as
    `=HYPERLINK(...)`) gets a leading apostrophe, as OWASP advises against CSV injection; numbers stay numbers."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA) else value


def write_csv(results, path):
    tests = sorted({t for r in results for t in r.tests})
    written = sorted({w for r in results for w in r.written})
    header = ["student", "autograded", "autograded_max", "written", "written_max", "written_graded",
              "total", "total_max", "seconds_late", "late_penalty"] + tests + written
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerows([as_text(v) for v in row] for row in [header, *(_row(r, tests, written) for r in results)])
    return path


def summary(results, assignment):
    """The terminal summary: one line per student, then pass rates and the commonest mistakes."""
    if not results:
        return f"{assignment}: no graded submissions"
    written = any(r.written for r in results)
    lines = [f"{assignment}: {len(results)} submissions"
             + (" (total = autograded tests + written answers graded by hand)" if written else "")]
    width = max(len(printable(r.student)) for r in results)
    for r in results:
        bar = "█" * round(20 * r.total / r.total_max) if r.total_max else ""
        parts = [f"tests {r.score:g}/{r.max_score:g}"]
        if r.written:
            parts.append(f"written {r.written_score:g}/{r.written_max:g}" if r.written_graded else "written: not graded yet")
        if r.seconds_late > 0:
            parts.append(f"late by {_duration(r.seconds_late)}" + (f", −{r.penalty:g}" if r.penalty else ""))
        lines.append(f"  {printable(r.student):<{width}}  {r.total:5g}/{r.total_max:<4g} {bar:<20}  {'; '.join(parts)}")
    rates = pass_rates(results)
    width = max(len(t) for t in rates) if rates else 0
    lines.append("  pass rate per test:")
    lines += [f"    {test:<{width}}  {rate:4.0%}" for test, rate in rates.items()]
    common = commonest(results, 5)
    if common:
        lines.append("  commonest mistakes (students):")
        lines += [f"    {n:3d}  {m}" for m, n in common]
    return "\n".join(lines)


def _duration(seconds):
    minutes, hours, days = seconds / 60, seconds / 3600, seconds / 86400
    return f"{days:.1f} days" if days >= 1 else f"{hours:.1f} h" if hours >= 1 else f"{minutes:.0f} min" if minutes >= 1 \
        else f"{seconds:.0f} s"


def commonest(results, n):
    return Counter(m for r in results for m in r.mistakes).most_common(n)


def pass_rates(results):
    tests = sorted({t for r in results for t in r.tests})
    return {t: sum(r.tests.get(t, (0, 1))[0] == r.tests.get(t, (0, 1))[1] for r in results) / len(results)
            for t in tests}


GOOD, FAIR, POOR = "#55a868", "#dd8452", "#c44e52"


def plot(results, assignment, path):
    """Score distribution (on time and late), pass rate of each test and the commonest diagnosed mistakes."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    fig, (a, b, c) = plt.subplots(1, 3, figsize=(18, 5.5), gridspec_kw={"width_ratios": [1, 1.3, 1.6]})
    written = any(r.written for r in results) and all(r.written_graded for r in results)
    score = (lambda r: (r.total, r.total_max)) if written else (lambda r: (r.score, r.max_score))
    percent = {r.student: 100 * score(r)[0] / score(r)[1] for r in results if score(r)[1]}
    late = {r.student for r in results if r.seconds_late > 0}
    a.hist([[p for s, p in percent.items() if s not in late], [p for s, p in percent.items() if s in late]],
           bins=range(0, 105, 10), stacked=True, color=["#4c72b0", "#937860"], edgecolor="white",
           label=["on time", "late"])
    a.legend(loc="upper left")
    a.set(title="score distribution" + (" (tests + written answers)" if written else " (autograded tests)"),
          xlabel="score (%)", ylabel="students")
    a.yaxis.get_major_locator().set_params(integer=True)
    rates = pass_rates(results)
    names = list(rates)
    b.barh(names, [100 * rates[n] for n in names],
           color=[GOOD if rates[n] >= 0.7 else FAIR if rates[n] >= 0.4 else POOR for n in names])
    b.set(title="pass rate of each test", xlabel="% of students", xlim=(0, 100))
    b.legend(handles=[Patch(color=GOOD, label="≥ 70 % pass"), Patch(color=FAIR, label="40–70 %"),
                      Patch(color=POOR, label="< 40 %")], loc="lower right", fontsize=8)
    b.tick_params(axis="y", labelsize=8)
    b.invert_yaxis()
    common = commonest(results, 8)
    if common:
        labels = [_wrap(m) for m, _ in common]
        c.barh(labels, [n for _, n in common], color="#8172b2")
        c.invert_yaxis()
        c.tick_params(axis="y", labelsize=8)
        c.xaxis.get_major_locator().set_params(integer=True)
    c.set(title="commonest diagnosed mistakes", xlabel="students")
    fig.suptitle(f"{assignment}: {len(results)} submissions, {len(late)} late")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _wrap(text, width=42):
    """A label for the plot: wrapped, and with `$` escaped, since matplotlib reads $…$ as mathematics and a
    student's exception message is no formula (an unknown \\command in it would stop the whole report)."""
    words, lines, line = text.replace("$", r"\$").split(), [], ""
    for w in words:
        if len(line) + len(w) + 1 > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    return "\n".join(lines + [line])[:130]
