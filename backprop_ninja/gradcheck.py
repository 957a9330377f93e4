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

where `noise` is the round-off a central difference makes on this loss, measured (`round_off`), and the
scale is the tensor's largest entry: a sign flip (error 2), a zero (1) or a factor of 2 (0.5) fails
whether the gradient is near 1 or near 1e-8. A tensor that is not wrong but whose whole gradient is
within two thousand times the noise is too small to judge: a verdict of its own, never a pass. So is an
entry whose finite difference straddles a kink (a ReLU's pre-activation within eps of 0, `straddles_kink`).
"""

import re
from dataclasses import dataclass, field

import numpy as np

from .diagnose import diagnose, diagnose_directional

EPS = 1e-5          # the course's step: near the cube root of float64's machine epsilon
RTOL = 1e-4         # the largest relative error a right gradient shows
SCALE_FLOOR = 1e-2  # entries this much smaller than the tensor's largest are judged against its scale
NOISE_MARGIN = 10   # a right gradient may differ from the measurement by this many times its round-off
TOO_SMALL = 2000    # below this many times the round-off, a 1 % error in the largest entry may hide in it
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


NOISE_POINTS = 12   # evaluations of the loss that measure its round-off


def round_off(f, x, eps=EPS):
    """The error a central difference of step eps in x makes from round-off alone, measured.

    f is evaluated at 12 points along a fixed random direction, spread irregularly over 3·eps: so close, a
    smooth loss is a cubic (its next term f⁗·eps⁴ ≈ 1e-20), and what a least-squares cubic leaves is its
    noise σ at the scale of the step (σ² = residual² / 8 degrees of freedom). Irregularly, because rounding
    is a sawtooth: points an equal step apart can land on a loss's rounding grid in step with it (a
    confident network's loss, rounded where its terms are near 1, advancing 20.0 ulps a point) and show no
    noise where there is a full ulp. A loss rounded in its large terms is a staircase: where no step is
    crossed the points are equal, and they are taken 8 times further apart until some are (at most 8⁴
    times). A central difference subtracts two values over 2·eps. Measured, because a loss computed through
    large terms (log-sum-exp of logits of 1000, a confident network's loss of 1e-8) carries their round-off,
    not its own size's; never below what float64 makes of that size (ε_mach·|L|/eps). x is restored exactly."""
    original = x.copy()
    rng = np.random.default_rng(0)
    u = rng.standard_normal(x.shape)
    u *= np.sqrt(u.size / max((u ** 2).sum(), 1e-300))   # each coordinate moves about 1 per unit of t
    t = np.sort(rng.uniform(0, 3, NOISE_POINTS))
    try:
        for spread in 8.0 ** np.arange(5):
            values = []
            for ti in t:
                x[...] = original + ti * spread * eps * u
                values.append(float(f()))
            if np.ptp(values) > 0 or not np.all(np.isfinite(values)):
                break
    finally:
        x[...] = original
    values = np.array(values)
    sigma = 0.0
    if np.all(np.isfinite(values)):
        moved = values - values[0]
        residual = moved - np.polyval(np.polyfit(t, moved, 3), t)
        sigma = np.sqrt((residual ** 2).sum() / (NOISE_POINTS - 4))
    size = np.finfo(np.float64).eps * max(abs(values[0]), np.finfo(np.float64).tiny)
    return float(max(np.sqrt(2) * sigma, size) / eps)


@dataclass
class Agreement:
    """How a gradient compares with its measurement (see the module's docstring)."""
    errors: np.ndarray      # relative error per entry
    scale: float
    noise: float
    floor: float            # the smallest denominator of an entry's error

    @property
    def max_error(self):
        return float(self.errors.max(initial=0.0))

    @property
    def wrong(self):
        """Off by more than its round-off allows: wrong however small it is."""
        return self.max_error > RTOL

    @property
    def too_small(self):
        """Not wrong, but too close to the round-off for a small error to show: neither right nor wrong."""
        return not self.wrong and self.scale < TOO_SMALL * self.noise

    @property
    def passed(self):
        return not self.wrong and not self.too_small


def agreement(analytic, numeric, noise):
    """Entry-by-entry relative errors of `analytic` against the measurement `numeric`."""
    a, n = np.asarray(analytic, dtype=np.float64), np.asarray(numeric, dtype=np.float64)
    scale = float(max(np.abs(a).max(initial=0.0), np.abs(n).max(initial=0.0)))
    floor = max(SCALE_FLOOR * scale, NOISE_MARGIN * noise / RTOL)
    with np.errstate(invalid="ignore", over="ignore"):
        errors = np.abs(a - n) / np.maximum(np.maximum(np.abs(a), np.abs(n)), floor)
    return Agreement(np.where(np.isfinite(errors), errors, np.inf), scale, noise, floor)


def straddles_kink(f, x, i, value, floor, eps=EPS):
    """Whether the central difference by x's entry i straddles a kink of f (ReLU's, at 0) that explains why
    `value` disagrees with it.

    f at x_i + t·eps, t = −2 … 2, gives four slopes s1 … s4. A smooth f bends evenly: its slope changes by
    f″·eps a step, give or take f‴·eps². A kink within eps of x_i puts its jump into one or two of those
    changes. The entry is at a kink if the spread of the changes is at least value's disagreement with
    the central difference (s2 + s3)/2 (which is over ten times the round-off, or the entry would agree),
    and value lies between the one-sided slopes s2 and s3, the subgradients the step sees (within the
    tolerance of a right entry). x is restored exactly."""
    flat = x.reshape(-1)
    old = flat[i]
    values = []
    for t in (-2, -1, 0, 1, 2):
        flat[i] = old + t * eps
        values.append(f())
    flat[i] = old
    slopes = np.diff(values) / eps
    numeric = (slopes[1] + slopes[2]) / 2
    outside = max(min(slopes[1:3]) - value, value - max(slopes[1:3]), 0.0)
    return (np.ptp(np.diff(slopes)) >= abs(value - numeric)
            and outside <= RTOL * max(abs(value), abs(numeric), floor))


@dataclass
class TensorCheck:
    """The verdict on one tensor (or intermediate)."""
    name: str
    passed: bool
    max_error: float
    method: str
    hint: str = ""
    too_small: bool = False
    at_kink: bool = False


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
        """The first row found wrong (a row too small to judge or at a kink is not: it may be right)."""
        return next((row.name for row in self.rows if not (row.passed or row.too_small or row.at_kink)), None)

    def _mark(self, row):
        return "✓" if row.passed else "?" if row.too_small else "~" if row.at_kink else "✗"

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
            colour = "#d9f2d9" if r.passed else "#fbeec8" if r.too_small or r.at_kink else "#f8d0d0"
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
    rng = np.random.default_rng(seed)
    return Report([check_tensor(f, name, work[name], grads.get(name), eps=eps, rng=rng) for name in backwards(work)])


def check_tensor(f, name, theta, grad, hypotheses=(), where="", eps=EPS, rng=None):
    """One row of a report: `grad` against central differences of f() by the array `theta` (perturbed in place),
    judged against their round-off there (`round_off`).

    `hypotheses` [(mistake, wrong_gradient)], or a function returning them (called only for a wrong
    gradient), and `where` (what the tensor's line depends on) sharpen the hint."""
    if grad is None:
        return TensorCheck(name, False, np.inf, "missing", f"no gradient named {name!r}")
    try:
        grad = np.asarray(grad, dtype=np.float64)
    except (TypeError, ValueError):
        return TensorCheck(name, False, np.inf, "not numeric", "the gradient is not an array of numbers")
    noise = round_off(f, theta, eps)
    if theta.size <= ELEMENTWISE_MAX:
        numeric = numerical_gradient(f, theta, eps)
        if grad.shape != theta.shape:
            return TensorCheck(name, False, np.inf, "element-wise", diagnose(grad, numeric))
        agree = agreement(grad, numeric, noise)
        off = np.flatnonzero(agree.errors > RTOL)
        if off.size and all(straddles_kink(f, theta, i, grad.flat[i], agree.floor, eps) for i in off):
            return _at_kink(name, agree, [np.unravel_index(i, theta.shape) for i in off])
        return _verdict(name, agree, "element-wise",
                        lambda: diagnose(grad, numeric, hypotheses() if callable(hypotheses) else hypotheses, where))
    if grad.shape != theta.shape:
        return TensorCheck(name, False, np.inf, "directional", diagnose(grad, np.empty(theta.shape)))
    directions = random_directions(rng if rng is not None else np.random.default_rng(0), DIRECTIONS, theta.shape)
    analytic, numeric, agree = along_directions(f, theta, grad, directions, noise / np.sqrt(theta.size), eps)
    return _verdict(name, agree, f"{DIRECTIONS} random directions", lambda: diagnose_directional(analytic, numeric))


def random_directions(rng, count, shape):
    """`count` random directions of unit norm in arrays of `shape`."""
    directions = rng.standard_normal((count,) + tuple(shape))
    return directions / np.sqrt((directions ** 2).sum(axis=tuple(range(1, directions.ndim)), keepdims=True))


def along_directions(f, theta, grad, directions, noise, eps=EPS):
    """The one rule for a gradient too large to measure entry by entry, the lab assistant's and the grader's at
    scale: grad·u against the central difference of f along each direction u (`directional_derivatives`, f
    perturbing theta in place), judged by `agreement` against `noise`, the round-off of such a difference (the
    lab assistant measures it: `round_off`, which a step along a unit direction divides by √size; the grader,
    on a million parameters, bounds it: `scale.ROUND_OFF`). (analytic, numeric, Agreement)."""
    numeric = directional_derivatives(f, theta, directions, eps)
    analytic = np.tensordot(directions, grad, axes=grad.ndim)
    return analytic, numeric, agreement(analytic, numeric, noise)


def _verdict(name, agree, method, hint):
    if agree.too_small:   # a verdict of its own: not a pass
        note = (f"too small to judge: its largest entry, {agree.scale:.1e}, is within {TOO_SMALL:,} times the "
                f"round-off of finite differences here ({agree.noise:.0e}), where a 1 % error would not show; "
                "check it on a network whose loss is not so close to 0 (less confident, or smaller)")
        return TensorCheck(name, False, agree.max_error, method, note, too_small=True)
    return TensorCheck(name, agree.passed, agree.max_error, method, "" if agree.passed else hint())


def _at_kink(name, agree, entries):
    where = ", ".join(str(tuple(int(k) for k in e)) for e in entries)
    note = (f"at a kink: finite differences straddle a kink of ReLU at entry {where} (a pre-activation so close "
            "to 0 that the step eps crosses it), where the slope jumps; your value lies between the slopes on "
            "either side, and the entry cannot be judged there; check it where no pre-activation is so close to 0")
    return TensorCheck(name, False, agree.max_error, "element-wise", note, at_kink=True)
