"""How a graded function's answers are judged, and what an exercise declares: one `Exercise` per graded function.

An exercise (one module per assignment in `ninja_runner.exercises`) declares its graded test cells and
their points, what each part's visible data checks, the visible test's fixed calls and the hidden test's
drawn ones (`visible(part)`, `hidden(rng, part)`: the secret is the referee's keyed seed, not the ranges),
its reference and its named mistakes. `judge(part, calls, outputs, afters)` is a `Verdict`: passed, or
which mistake (an id), on which tensor, in the lessons' words, with what was measured. A call is a dict of
the function's arguments; an output is what the function returned (arrays, or a dict of arrays) or the
`Mistake` of what went wrong; an after is the call's inputs as the function left them. The visible tests
(`visible`) judge fixed data in the student's kernel; the grader judges fresh data it draws, out of the
student's reach, with these same rules.

Expected values come from the course's forward passes, through finite differences for gradients;
the named mistakes come from `mistakes`, measured too. Nothing here knows a backward pass.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from backprop_ninja import mistakes, scale
from backprop_ninja.assistant import changed_arrays
from backprop_ninja.diagnose import diagnose, diagnose_directional, id_of
from backprop_ninja.gradcheck import agreement, along_directions, numerical_gradient, random_directions

from .verdict import PASSED, Verdict, failed


def _within(got, expected, atol, rtol):
    return got.shape == expected.shape and bool((np.abs(got - expected) <= atol + rtol * np.abs(expected)).all())


def unchanged_verdict(calls, outputs, afters, groups=None, advice="work on a copy"):
    """The one rule of every 'unchanged' test: passed if each call's inputs (those named in `groups`, nested dicts
    included; default: every input) are exactly as they were after the student's function ran."""
    for call, got, after in zip(calls, outputs, afters):
        if isinstance(got, str):
            return describe(got)
        names = groups or list(after)
        changed = changed_arrays({k: call[k] for k in names}, {k: after.get(k) for k in names})
        if changed:
            return Verdict("modified-input", f"the function modified {'its input ' if groups is None else ''}"
                           f"{', '.join(changed)} in place; {advice}", ", ".join(changed))
    return PASSED


class NumericalGradients(Mapping):
    """Central-difference gradients of loss() by each array of `params` (perturbed in place), each
    measured when it is first read: a test about one tensor pays for that tensor's alone."""

    def __init__(self, loss, params):
        self.loss, self.params, self._measured = loss, params, {}

    def __getitem__(self, name):
        if name not in self._measured:
            self._measured[name] = numerical_gradient(self.loss, self.params[name])
        return self._measured[name]

    def __iter__(self):
        return iter(self.params)

    def __len__(self):
        return len(self.params)


def describe(error, before=""):
    """The verdict on a function that gave no answer (`error`, a `Mistake` from `runner.outcome`), in the lessons'
    words when they have some."""
    said, hint = error.rstrip().rstrip(":"), mistakes.ERRORS.get(id_of(error, "raised"))
    return Verdict(id_of(error, "raised"), before + (f"{said}: {hint}" if hint else said))


@dataclass(frozen=True)
class GradedCell:
    """A graded test cell of the exercise's notebook: its nbgrader grade id, the part it tests, its points."""
    grade_id: str
    part: str
    points: int


class Exercise:
    """A graded function: its test cells, its visible and hidden calls, its reference, its named mistakes, its verdict."""
    name = ""           # the graded function
    cells = ()          # its GradedCells, in the notebook's order
    what = {}           # part: what the part's visible data checks, for the line a passing visible test prints
    after = "the grade repeats it on fresh data"   # what that line says follows
    atol, rtol = 1e-6, 1e-6
    gradient = False    # judged by the lab assistant's relative measure against finite differences
    non_finite = "has NaN or inf values (an unstable exp or log?)"

    def visible(self, part):
        """The fixed calls of the part's visible test: the same kinds of call the grader draws afresh."""
        raise NotImplementedError

    def hidden(self, rng, part):
        """The calls of the part's hidden test, drawn from rng (keyed per student and test by the referee)."""
        raise NotImplementedError

    def reference(self, call):
        raise NotImplementedError

    def tolerance(self, call, expected):
        """The absolute error a right answer may show on `expected`."""
        return self.atol

    def hypotheses(self, call, key):
        return ()

    def noise(self, call, key):
        """Round-off of the finite differences behind a gradient's reference (of tensor `key`)."""
        return 0.0

    def where(self, call, key):
        return ""

    def label(self, key):
        """How a verdict names the returned tensor `key`: a gradient's name."""
        return (key if key.startswith("d") else f"d{key}") if key else "the result"

    def judge(self, part, calls, outputs, afters):
        """The verdict on the answers of this part: the first call's that fails, else passed."""
        for call, got, after in zip(calls, outputs, afters):
            if isinstance(got, str):
                return describe(got)
            if part == "unchanged":
                return unchanged_verdict(calls, outputs, afters)
            verdict = self.judge_one(part, call, got)
            if not verdict.passed:
                return verdict
        return PASSED

    def judge_one(self, part, call, got):
        expected = self.reference(call)
        if isinstance(expected, Mapping) != isinstance(got, dict):
            kind = "a dict of gradients" if isinstance(expected, Mapping) else "an array"
            return Verdict("wrong-type", f"expected {kind}, got {'a dict' if isinstance(got, dict) else 'an array'}")
        if isinstance(expected, Mapping):
            key = part if part in expected else None
            pairs = [(key, got.get(key), expected[key])] if key else [(k, got.get(k), v) for k, v in expected.items()]
        else:
            pairs = [(None, got, np.asarray(expected, dtype=np.float64))]
        for key, g, e in pairs:
            label = self.label(key)
            if g is None:
                return Verdict("missing", f"{label} is missing from the returned dict", label)
            if g.shape != e.shape:
                hint = diagnose(g, e)
                return failed(f"{label}: wrong shape {g.shape}, expected {e.shape}. {hint}", label, mistake=hint.id)
            if not np.all(np.isfinite(g)):
                return Verdict("not-finite", f"{label} {self.non_finite}", label)
            if self.gradient:
                agree = agreement(g, e, self.noise(call, key))   # too small to judge is not wrong: not failed here
                wrong, error = agree.wrong, agree.max_error
                measure = "relative error"
            else:
                wrong, error = not _within(g, e, self.tolerance(call, e), self.rtol), float(np.max(np.abs(g - e)))
                measure = "max error"
            if wrong:
                hint = diagnose(g, e, self.hypotheses(call, key), self.where(call, key))
                return failed(f"{label} is wrong, {measure} {error:.2e}: {hint}", label, {measure: error},
                              id_of(hint))
        return PASSED


def at_scale(loss, theta, g, label, call, step):
    """A scale call's verdict on g, the gradient of loss() by theta (perturbed in place): the lab assistant's rule
    (`gradcheck.along_directions`) along three random directions (from the call's `_directions`, which stay with
    the referee), then along g's own, each over a central-difference step of length `step`, against the bound
    `scale.ROUND_OFF` on its round-off. Two forward passes a direction, whatever theta's size."""
    where = scale.where(call)
    if g is None or g.shape != theta.shape:
        return Verdict("wrong-shape", f"{label} {where}: missing or wrongly shaped (expected {theta.shape})", label)
    if not np.all(np.isfinite(g)):
        return Verdict("not-finite", f"{label} {where} has NaN or inf values", label)
    eps = step / np.sqrt(theta.size)   # directional_derivatives steps eps·√size along a unit direction
    directions = [random_directions(np.random.default_rng(int(call["_directions"])), 3, theta.shape)]
    if np.any(g):
        directions.append((g / np.sqrt((g ** 2).sum()))[None])
    judged = [along_directions(loss, theta, g, u, scale.ROUND_OFF, eps) for u in directions]
    if not any(agree.wrong for _, _, agree in judged):
        return PASSED
    analytic, numeric = (np.concatenate(values) for values in zip(*((a, n) for a, n, _ in judged)))
    hint = diagnose_directional(analytic, numeric)
    return failed(f"{label} is wrong {where}: {hint}", label, mistake=hint.id)
