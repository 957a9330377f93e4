"""The lab assistant: check hand-derived gradients against finite differences.

    report = check_gradients(loss_fn, params, grads)

`loss_fn(params) -> float`; `params` and `grads` map a tensor's name to an array.
It needs no analytic reference. Small tensors are checked element by element with
central differences,

    dL/dθ_i ≈ (L(θ + eps·e_i) − L(θ − eps·e_i)) / (2·eps),

large ones along a few random directions u, where the same formula measures the
directional derivative ∇L·u in two forward passes whatever the tensor's size.
"""

from dataclasses import dataclass, field

import numpy as np

from .diagnose import diagnose, diagnose_directional

EPS = 1e-5          # the course's step: near the cube root of float64's machine epsilon
ATOL = 1e-4         # the seed's rule: max abs error below 1e-4 ...
RTOL = 1e-5         # ... plus a relative guard for large gradients
ELEMENTWISE_MAX = 512   # tensors up to this size are checked element by element
DIRECTIONS = 4      # random directions for larger tensors


def numerical_gradient(f, x, eps=EPS):
    """Central-difference gradient of the scalar function f at x (float64 array).

    x is perturbed in place one element at a time and restored exactly."""
    grad = np.zeros_like(x, dtype=np.float64)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        f_plus = f()
        flat[i] = old - eps
        f_minus = f()
        flat[i] = old
        gflat[i] = (f_plus - f_minus) / (2 * eps)
    return grad


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


@dataclass
class TensorCheck:
    """The verdict on one tensor."""
    name: str
    passed: bool
    max_error: float
    method: str
    hint: str = ""


@dataclass
class Report:
    """One row per tensor; `passed` maps each name to a bool."""
    rows: list = field(default_factory=list)

    @property
    def passed(self):
        return {row.name: row.passed for row in self.rows}

    @property
    def all_passed(self):
        return all(self.passed.values())

    def __str__(self):
        width = max([len(r.name) for r in self.rows] + [6])
        lines = [f"  {'tensor':<{width}}  {'max error':>9}  method"]
        for r in self.rows:
            mark = "✓" if r.passed else "✗"
            lines.append(f"{mark} {r.name:<{width}}  {r.max_error:9.2e}  {r.method}")
            if r.hint:
                lines.append(f"  {'':<{width}}  → {r.hint}")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self):
        cells = []
        for r in self.rows:
            colour = "#d9f2d9" if r.passed else "#f8d0d0"
            mark = "✓" if r.passed else "✗"
            cells.append(
                f'<tr style="background:{colour}"><td>{mark}</td><td><code>{r.name}</code></td>'
                f"<td>{r.max_error:.2e}</td><td>{r.method}</td><td>{_escape(r.hint)}</td></tr>")
        head = ("<tr><th></th><th>tensor</th><th>max error</th><th>method</th>"
                "<th>what the numbers point to</th></tr>")
        return f'<table class="bn-report">{head}{"".join(cells)}</table>'


def _escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def check_gradients(loss_fn, params, grads, eps=EPS, atol=ATOL, rtol=RTOL, seed=0):
    """Compare `grads` with finite differences of `loss_fn` around `params`.

    Returns a Report; never raises for a wrong, missing or misshapen gradient."""
    work = {name: np.array(value, dtype=np.float64) for name, value in params.items()}
    rng = np.random.default_rng(seed)
    report = Report()
    for name, theta in work.items():
        report.rows.append(_check_tensor(lambda: float(loss_fn(work)), name, theta,
                                         grads.get(name), eps, atol, rtol, rng))
    return report


def _check_tensor(f, name, theta, grad, eps, atol, rtol, rng):
    if grad is None:
        return TensorCheck(name, False, np.inf, "missing", f"no gradient named {name!r}")
    try:
        grad = np.asarray(grad, dtype=np.float64)
    except (TypeError, ValueError):
        return TensorCheck(name, False, np.inf, "not numeric", "the gradient is not an array of numbers")
    if theta.size <= ELEMENTWISE_MAX:
        numeric = numerical_gradient(f, theta, eps)
        hint = diagnose(grad, numeric)
        if grad.shape != theta.shape:
            return TensorCheck(name, False, np.inf, "element-wise", hint)
        error = np.abs(grad - numeric)
        passed = bool(np.all(error <= atol + rtol * np.abs(numeric)))
        return TensorCheck(name, passed, float(error.max(initial=0.0)), "element-wise",
                           "" if passed else hint)
    if grad.shape != theta.shape:
        return TensorCheck(name, False, np.inf, "directional",
                           diagnose(grad, np.empty(theta.shape)))
    directions = rng.standard_normal((DIRECTIONS,) + theta.shape)
    directions /= np.sqrt((directions ** 2).sum(axis=tuple(range(1, directions.ndim)), keepdims=True))
    numeric = directional_derivatives(f, theta, directions, eps)
    analytic = np.tensordot(directions, grad, axes=grad.ndim)
    error = np.abs(analytic - numeric)
    passed = bool(np.all(error <= atol + rtol * np.abs(numeric)))
    hint = "" if passed else diagnose_directional(analytic, numeric)
    return TensorCheck(name, passed, float(error.max()), f"{DIRECTIONS} random directions", hint)
