"""The lab assistant: check hand-derived gradients against finite differences.

    report = check_gradients(loss_fn, params, grads)

`loss_fn(params) -> float`; `params` and `grads` map a tensor's name to an array.
It needs no analytic reference. Small tensors are checked element by element with
central differences,

    dL/dθ_i ≈ (L(θ + eps·e_i) − L(θ − eps·e_i)) / (2·eps),

large ones along a few random directions u, where the same formula measures the
directional derivative ∇L·u in two forward passes whatever the tensor's size.

The verdict is scale-free. Each entry's error is relative,

    error = |a − n| / max(|a|, |n|, floor),      floor = max(1e-2 · the tensor's scale, 1e5 · noise),

where `noise` is the round-off a central difference makes on this loss (ε_mach·|L|/eps) and the
scale is the tensor's largest entry: a sign flip (error 2), a zero (1) or a factor of 2 (0.5) fails
whether the gradient is near 1 or near 1e-8, and a tensor whose whole gradient is within a hundred
times the noise is said to be too small to judge.
"""

import re
from dataclasses import dataclass, field

import numpy as np

from .diagnose import diagnose, diagnose_directional

EPS = 1e-5          # the course's step: near the cube root of float64's machine epsilon
RTOL = 1e-4         # the largest relative error a right gradient shows
SCALE_FLOOR = 1e-2  # entries this much smaller than the tensor's largest are judged against its scale
NOISE_MARGIN = 10   # a right gradient may differ from the measurement by this many times its round-off
TOO_SMALL = 100     # a tensor whose largest entry is below this many times the round-off cannot be judged
ELEMENTWISE_MAX = 512   # tensors up to this size are checked element by element
DIRECTIONS = 4      # random directions for larger tensors


def numerical_gradient(f, x, eps=EPS):
    """Central-difference gradient of the scalar function f at x (float64 array).

    x is perturbed in place one element at a time and restored exactly."""
    return numerical_jacobian(f, x, eps).reshape(x.shape)


def numerical_jacobian(f, x, eps=EPS):
    """Central differences of f (scalar or array valued) by every element of x: shape (f's size, x's size).

    x is perturbed in place one element at a time and restored exactly."""
    flat = x.reshape(-1)
    columns = []
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        f_plus = np.array(f(), dtype=np.float64)
        flat[i] = old - eps
        f_minus = np.array(f(), dtype=np.float64)
        flat[i] = old
        columns.append(((f_plus - f_minus) / (2 * eps)).reshape(-1))
    return np.stack(columns, axis=1) if columns else np.zeros((np.size(f()), 0))


def directional_derivatives(f, x, directions, eps=EPS):
    """Central differences of f along each direction u (unit norm): ≈ ∇f·u.

    The step eps·sqrt(size) moves each coordinate by about eps, as the element-wise check does."""
    step = eps * np.sqrt(x.size)
    original = x.copy()
    slopes = []
    for u in directions:
        x[...] = original + step * u
        f_plus = f()
        x[...] = original - step * u
        f_minus = f()
        slopes.append((f_plus - f_minus) / (2 * step))
    x[...] = original
    return np.array(slopes)


def round_off(loss, step=EPS):
    """The error a central difference of step `step` makes from round-off alone, on a loss of this size."""
    return float(np.finfo(np.float64).eps * max(abs(float(loss)), np.finfo(np.float64).tiny) / step)


@dataclass
class Agreement:
    """How a gradient compares with its measurement (see the module's docstring)."""
    errors: np.ndarray      # relative error per entry
    scale: float
    noise: float

    @property
    def max_error(self):
        return float(self.errors.max(initial=0.0))

    @property
    def passed(self):
        return self.max_error <= RTOL

    @property
    def too_small(self):
        return self.scale < TOO_SMALL * self.noise


def agreement(analytic, numeric, noise):
    """Entry-by-entry relative errors of `analytic` against the measurement `numeric`."""
    a, n = np.asarray(analytic, dtype=np.float64), np.asarray(numeric, dtype=np.float64)
    scale = float(max(np.abs(a).max(initial=0.0), np.abs(n).max(initial=0.0)))
    floor = max(SCALE_FLOOR * scale, NOISE_MARGIN * noise / RTOL)
    with np.errstate(invalid="ignore", over="ignore"):
        errors = np.abs(a - n) / np.maximum(np.maximum(np.abs(a), np.abs(n)), floor)
    return Agreement(np.where(np.isfinite(errors), errors, np.inf), scale, noise)


@dataclass
class TensorCheck:
    """The verdict on one tensor (or intermediate)."""
    name: str
    passed: bool
    max_error: float
    method: str
    hint: str = ""
    too_small: bool = False


@dataclass
class Report:
    """One row per tensor, from the loss backwards; `passed` maps each name to a bool.

    The first red row is where to look: everything above it agrees with finite differences."""
    rows: list = field(default_factory=list)

    @property
    def passed(self):
        return {row.name: row.passed for row in self.rows}

    @property
    def all_passed(self):
        return all(self.passed.values())

    @property
    def first_failure(self):
        return next((row.name for row in self.rows if not row.passed), None)

    def _mark(self, row):
        return "✓" if row.passed and not row.too_small else "?" if row.passed else "✗"

    def _note(self, row):
        return "  ← start here" if row.name == self.first_failure else ""

    def __str__(self):
        width = max([len(r.name) for r in self.rows] + [6])
        lines = [f"  {'tensor':<{width}}  {'rel.error':>9}  method"]
        for r in self.rows:
            lines.append(f"{self._mark(r)} {r.name:<{width}}  {r.max_error:9.1e}  {r.method}{self._note(r)}")
            if r.hint:
                lines.append(f"  {'':<{width}}  → {r.hint}")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self):
        cells = []
        for r in self.rows:
            colour = "#f8d0d0" if not r.passed else "#fbeec8" if r.too_small else "#d9f2d9"
            note = " <b>← start here</b>" if self._note(r) else ""
            cells.append(
                f'<tr style="background:{colour}"><td>{self._mark(r)}</td><td><code>{r.name}</code>{note}</td>'
                f"<td>{r.max_error:.1e}</td><td>{r.method}</td><td>{_escape(r.hint)}</td></tr>")
        head = ("<tr><th></th><th>tensor</th><th>rel. error</th><th>method</th>"
                "<th>what the numbers point to</th></tr>")
        return f'<table class="bn-report">{head}{"".join(cells)}</table>'


def _escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def backwards(names):
    """Names from the loss backwards: the highest layer number first (W2, b2 before W1, b1)."""
    def layer(name):
        digits = re.search(r"(\d+)$", name)
        return -int(digits.group(1)) if digits else 0
    return sorted(names, key=layer)


def check_gradients(loss_fn, params, grads, eps=EPS, seed=0):
    """Compare `grads` with finite differences of `loss_fn` around `params`.

    Returns a Report, rows from the loss backwards; never raises for a wrong, missing or misshapen gradient."""
    work = {name: np.array(value, dtype=np.float64) for name, value in params.items()}
    f = lambda: float(loss_fn(work))
    noise = round_off(f(), eps)
    rng = np.random.default_rng(seed)
    return Report([check_tensor(f, name, work[name], grads.get(name), noise, eps=eps, rng=rng)
                   for name in backwards(work)])


def check_tensor(f, name, theta, grad, noise, hypotheses=(), where="", eps=EPS, rng=None):
    """One row of a report: `grad` against central differences of f() by the array `theta` (perturbed in place).

    `hypotheses` [(mistake, wrong_gradient)], or a function returning them (called only for a wrong
    gradient), and `where` (what the tensor's line depends on) sharpen the hint."""
    if grad is None:
        return TensorCheck(name, False, np.inf, "missing", f"no gradient named {name!r}")
    try:
        grad = np.asarray(grad, dtype=np.float64)
    except (TypeError, ValueError):
        return TensorCheck(name, False, np.inf, "not numeric", "the gradient is not an array of numbers")
    if theta.size <= ELEMENTWISE_MAX:
        numeric = numerical_gradient(f, theta, eps)
        if grad.shape != theta.shape:
            return TensorCheck(name, False, np.inf, "element-wise", diagnose(grad, numeric))
        return _verdict(name, agreement(grad, numeric, noise), "element-wise",
                        lambda: diagnose(grad, numeric, hypotheses() if callable(hypotheses) else hypotheses, where))
    if grad.shape != theta.shape:
        return TensorCheck(name, False, np.inf, "directional", diagnose(grad, np.empty(theta.shape)))
    rng = rng if rng is not None else np.random.default_rng(0)
    directions = rng.standard_normal((DIRECTIONS,) + theta.shape)
    directions /= np.sqrt((directions ** 2).sum(axis=tuple(range(1, directions.ndim)), keepdims=True))
    numeric = directional_derivatives(f, theta, directions, eps)
    analytic = np.tensordot(directions, grad, axes=grad.ndim)
    return _verdict(name, agreement(analytic, numeric, noise / np.sqrt(theta.size)),
                    f"{DIRECTIONS} random directions", lambda: diagnose_directional(analytic, numeric))


def _verdict(name, agree, method, hint):
    if agree.too_small:
        note = (f"too small to judge: its largest entry, {agree.scale:.1e}, is within a hundred times the "
                f"round-off of finite differences here ({agree.noise:.0e}); check it on a smaller network")
        return TensorCheck(name, agree.passed, agree.max_error, method,
                           note if agree.passed else f"{hint()}; but {note}", too_small=True)
    return TensorCheck(name, agree.passed, agree.max_error, method, "" if agree.passed else hint())
