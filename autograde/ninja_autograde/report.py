"""The instructor's picture of a graded assignment: scores, written answers, lateness, test pass
rates and the commonest mistakes.

Everything comes from nbgrader's gradebook (the referee's verdicts are stored there with the
grades, `gradebook.stored`), so every grader sharing one gradebook prints the same report. Writes a CSV
and one figure.
"""

import csv
import textwrap
from collections import defaultdict
from dataclasses import dataclass, field

from ninja_runner.verdict import PASSED

from . import gradebook
from .printable import printable


@dataclass
class StudentResult:
    student: str
    score: float                    # of the autograded tests
    max_score: float
    tests: dict                     # test id -> (score, max score)
    mistakes: list = field(default_factory=list)   # the failed tests' Verdicts, one per mistake id
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
        gradebook.ensure_table(gb.engine)   # a gradebook graded before verdicts were stored has none yet
        for student in sorted(s.id for s in gb.students):
            try:
                submission = gb.find_submission(assignment, student)
            except MissingEntry:
                continue
            grades = [g for nb in submission.notebooks for g in nb.grades]
            tests = {g.name: (g.score, g.max_score) for g in grades if g.cell.cell_type == "code" and g.auto_score is not None}
            written = {g.name: (g.manual_score, g.max_score) for g in grades if g.cell.cell_type != "code"}
            verdicts = gradebook.stored(gb, assignment, student)
            score, max_score = (sum(t[i] for t in tests.values()) for i in (0, 1))
            failed = [verdicts[t] for t, (s, m) in sorted(tests.items()) if s < m and not verdicts.get(t, PASSED).passed]
            mistakes = {}   # the first failed test of each mistake id
            for v in failed:
                mistakes.setdefault(v.mistake, v)
            results.append(StudentResult(student, score, max_score, tests, list(mistakes.values()), written,
                                         submission.total_seconds_late or 0.0, submission.late_submission_penalty or 0.0))
    return results


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
        lines.append("  commonest mistakes (students, the mistake, where, one student's verdict):")
        lines += [f"    {m.students:3d}  {m.label}\n         e.g. {textwrap.shorten(m.example, 150, placeholder=' …')}"
                  for m in common]
    return "\n".join(lines)


def _duration(seconds):
    minutes, hours, days = seconds / 60, seconds / 3600, seconds / 86400
    return f"{days:.1f} days" if days >= 1 else f"{hours:.1f} h" if hours >= 1 else f"{minutes:.0f} min" if minutes >= 1 \
        else f"{seconds:.0f} s"


@dataclass
class Common:
    """A mistake id across the class: how many students made it, on which tensors, and one student's verdict."""
    mistake: str
    students: int
    tensors: list
    example: str

    @property
    def label(self):
        return printable(self.mistake + (f" ({', '.join(self.tensors)})" if self.tensors else ""))


def commonest(results, n):
    """The n mistake ids the most students made, as Common."""
    seen = defaultdict(list)
    for r in results:
        for v in r.mistakes:
            seen[v.mistake].append(v)
    ranked = sorted(seen.items(), key=lambda item: -len(item[1]))[:n]   # on a tie, the first met first
    return [Common(m, len(vs), sorted({v.tensor for v in vs if v.tensor}), vs[0].message) for m, vs in ranked]


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
        labels = [_wrap(m.label) for m in common]
        c.barh(labels, [m.students for m in common], color="#8172b2")
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
