"""Name the classic mistake behind a wrong gradient, from the numbers alone.

A hypothesis is a (mistake, wrong_gradient) pair: what a student would have returned
had they made that mistake. `diagnose` reports the first hypothesis that the student's
gradient matches. The generic ones need only the finite-difference reference; callers
who know the network add the named mistakes of `mistakes`, such as a missing tanh'.
Every comparison here is relative to the gradient's own scale, so a diagnosis reads the
same for gradients near 1 and near 1e-8.
"""

import re

import numpy as np

ID = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")   # what an id may be: it reaches the report and the gradebook


class Mistake(str):
    """A diagnosis's sentence that knows which mistake it names: Mistake("sign-flipped", "the sign is flipped")."""

    def __new__(cls, id, text):
        assert ID.fullmatch(id), id
        mistake = super().__new__(cls, text)
        mistake.id = id
        return mistake


def id_of(text, otherwise="unnamed"):
    """The id of a diagnosis (`otherwise` for plain text, which names no known mistake)."""
    return getattr(text, "id", otherwise) if text else ""



def _close(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or not np.all(np.isfinite(a)):
        return False
    scale = max(np.abs(a).max(initial=0.0), np.abs(b).max(initial=0.0))
    return np.abs(a - b).max(initial=0.0) <= 1e-3 * scale


def _scale_factor(grad, reference):
    """The c with grad ≈ c·reference, or None if no single c fits."""
    denom = float(np.vdot(reference, reference))
    if denom == 0 or not np.isfinite(denom):
        return None
    c = float(np.vdot(grad, reference)) / denom
    return c if _close(grad, c * reference) else None


def _near(c, target):
    return abs(c - target) <= 1e-3 * abs(target)


def _describe_factor(c):
    if _near(c, -1.0):
        return Mistake("sign-flipped", "the sign is flipped: the gradient is the negative of the true one")
    if abs(c) <= 1e-9:
        return Mistake("all-zeros", "the gradient is all zeros")
    for k in range(2, 257):
        if _near(c, k):
            return Mistake("missing-over-n", f"{k}× too large: a factor of N missing? (the mean over the batch "
                           f"brings a 1/N, if N = {k})")
        if _near(c, 1.0 / k):
            return Mistake("over-n-twice", f"{k}× too small: divided by N twice? (the 1/N of the mean belongs "
                           f"in dz only once, if N = {k})")
        if _near(c, -k) or _near(c, -1.0 / k):
            return Mistake("sign-and-factor", f"the sign is flipped and it is off by a factor {abs(c):.4g}")
    return Mistake("constant-factor", f"off by a constant factor {c:.4g}")


def _shape_hint(grad, reference):
    if grad.shape == reference.shape[::-1] and grad.ndim == 2:
        if _close(grad.T, reference):
            return Mistake("transposed", f"transpose: got shape {grad.shape}, expected {reference.shape}; the values "
                           "are right, transposed")
        return Mistake("transposed-shape", f"transpose: got shape {grad.shape}, expected {reference.shape}")
    if grad.size == reference.size and _close(grad.reshape(reference.shape), reference):
        return Mistake("kept-axis", f"shape: the values are right but the shape is {grad.shape}, expected "
                       f"{reference.shape}: a gradient has its parameter's shape (a sum with keepdims=True keeps "
                       "an axis of 1)")
    if grad.ndim == reference.ndim + 1 and grad.shape[1:] == reference.shape:
        if _close(grad.sum(axis=0), reference):
            return Mistake("batch-sum-missing", "axis: sum over the batch (axis 0) is missing; the per-example "
                           "gradients are right")
        return Mistake("batch-axis-kept", f"axis: got shape {grad.shape}, expected {reference.shape}; sum over axis 0?")
    if grad.ndim == reference.ndim == 1:
        return Mistake("bias-wrong-axis", f"axis: got shape {grad.shape}, expected {reference.shape}; "
                       "summed over the wrong axis? (a bias gradient sums over the batch, axis 0)")
    return Mistake("wrong-shape", f"shape: got {grad.shape}, expected {reference.shape}")


def diagnose(grad, reference, hypotheses=(), where=""):
    """A `Mistake`, a short sentence naming the likely mistake, or '' if grad equals reference.

    A hypothesis matches when the student's gradient is a hundred times nearer to it
    than to the reference; of several, the first within ten times the nearest (on small
    data two mistakes may coincide nearly). `where` says what the tensor's line depends on,
    for a mistake no hypothesis names."""
    grad, reference = np.asarray(grad, dtype=np.float64), np.asarray(reference, dtype=np.float64)
    if grad.shape != reference.shape:
        return _shape_hint(grad, reference)
    if not np.all(np.isfinite(grad)):
        return Mistake("not-finite", "not finite: the gradient has NaN or inf (an unstable exp or log?)")
    off = np.abs(grad - reference).max(initial=0.0)
    if off == 0:
        return ""
    distances = [(mistake, np.abs(grad - wrong).max(initial=0.0)) for mistake, wrong in
                 ((m, np.asarray(w, dtype=np.float64)) for m, w in hypotheses)
                 if wrong.shape == grad.shape and np.all(np.isfinite(wrong))]
    nearest = min((d for _, d in distances), default=np.inf)
    if nearest <= 0.01 * off:   # two mistakes may coincide on small data: the first of the nearest
        return next(mistake for mistake, d in distances if d <= 10 * nearest)
    if _close(grad, reference):
        return Mistake("slightly-off", f"close to the true gradient, but off by up to {off:.1e}")
    if grad.ndim == 2 and grad.shape[0] == grad.shape[1] and _close(grad.T, reference):
        return Mistake("transposed", "transpose: the matrix is transposed (check the order of the matmul)")
    c = _scale_factor(grad, reference)
    if c is not None:
        return _describe_factor(c)
    return _layer_hint(grad, reference) or _correlation_hint(
        grad, reference, where or "check this tensor's line of the derivation")


def _layer_hint(grad, reference):
    """Two signatures of lesson 06's layers, or '': a batch mean's path missing, a lookup's repeated rows."""
    if grad.ndim != 2 or grad.shape[0] < 2:
        return ""
    tol = 1e-6 * max(1.0, float(np.abs(reference).max()))
    if np.all(np.abs(reference.sum(axis=0)) <= tol) and not np.all(np.abs(grad.sum(axis=0)) <= tol):
        return Mistake("batch-mean-path", "every column of the true gradient sums to zero (down axis 0) and yours "
                       "does not: a path through a batch mean left out? (batchnorm's dx without the mean's path, or a "
                       "tensor below a batchnorm, such as dW1 or dC, given a dh that lacks it)")
    wrong = np.any(np.abs(grad - reference) > 1e-6 + 1e-3 * np.abs(reference), axis=1)
    if 0 < wrong.sum() < len(wrong):
        rows = ", ".join(map(str, np.flatnonzero(wrong)))
        return Mistake("some-rows-off", f"only row(s) {rows} are off and every other row is right; if this is a "
                       "lookup table (an embedding), are they the rows used more than once? Its gradient adds up "
                       "every use of a row (np.add.at, not dC[idx] += ...)")
    return ""


def _correlation_hint(grad, reference, where):
    scale = max(np.abs(grad).max(initial=0.0), np.abs(reference).max(initial=0.0))
    wrong = np.abs(grad - reference) > 1e-3 * np.maximum(np.abs(reference), 1e-2 * scale)
    if np.std(grad) > 0 and np.std(reference) > 0:
        r = float(np.corrcoef(grad.ravel(), reference.ravel())[0, 1])
    else:
        r = 0.0
    off = f"{wrong.sum()} of {wrong.size} entries are off"
    if r > 0.9:
        return Mistake("correlated", f"{off}; close in direction (correlation {r:.2f}): a missing factor? {where}")
    if r < -0.5:
        return Mistake("anti-correlated", f"{off}; anti-correlated (correlation {r:.2f}): a sign error somewhere "
                       f"upstream? {where}")
    return Mistake("entries-off", f"{off} (correlation with the true gradient {r:.2f}); {where}")


def diagnose_directional(analytic, numeric):
    """Diagnosis for a large tensor, from its directional derivatives only."""
    c = _scale_factor(analytic, numeric)
    if c is not None:
        return _describe_factor(c)
    return Mistake("disagrees-along-directions", "the gradient disagrees with finite differences along random "
                   "directions")
