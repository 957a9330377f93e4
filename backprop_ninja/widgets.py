"""The ε explorer: why the error of a finite difference is V-shaped in ε.

For a step ε the error of a difference quotient has two parts:

    truncation    forward |f''|·ε/2        central |f'''|·ε²/6      (falls with ε)
    cancellation  ε_mach·|f|/ε                                       (rises as ε shrinks)

Their sum is smallest where the two lines cross: near √ε_mach for forward and ∛ε_mach
for central differences. The complex step Im f(x + iε)/ε subtracts nothing, so it has no
cancellation error at all: it serves as the round-off-free reference.

`plot_errors(...)` draws the picture once (README, exported HTML, nbval);
`explorer()` wraps it in sliders and toggles.
"""

from dataclasses import dataclass

import numpy as np

from .data import seed_network
from .nets import mlp_tanh_forward

METHODS = ("forward", "central", "complex step")
EPS_GRID = np.logspace(-16, 0, 161)


@dataclass
class Function:
    name: str
    f: callable            # works on float32, float64 and complex arrays
    derivatives: callable  # x -> (f', f'', f''') exactly, in float64


def _tanh_derivatives(x):
    t = np.tanh(x)
    return 1 - t ** 2, -2 * t * (1 - t ** 2), (6 * t ** 2 - 2) * (1 - t ** 2)


def _seed_loss_along_weight():
    """L(w): the seed network's loss as a function of the single weight W1[0, 0]."""
    params, X, y = seed_network()

    def f(w):
        w = np.asarray(w)
        out = np.empty(w.shape, dtype=np.result_type(w, np.float32))
        for i, wi in np.ndenumerate(w):
            p = {k: v.astype(out.dtype) for k, v in params.items()}
            p["W1"][0, 0] = wi
            out[i] = mlp_tanh_forward(p, X.astype(out.dtype), y)[0]
        return out

    def derivatives(x, h=1e-3):
        # the complex step gives f' to machine precision; differences of it give f'' and f'''
        d1 = lambda w: np.imag(f(np.asarray(w) + 1e-30j)) / 1e-30
        return (d1(x), (d1(x + h) - d1(x - h)) / (2 * h),
                (d1(x + h) - 2 * d1(x) + d1(x - h)) / h ** 2)

    return Function("seed loss L(x), x = the weight W1[0,0]", f, derivatives)


FUNCTIONS = {
    "tanh": Function("tanh", np.tanh, _tanh_derivatives),
    "exp": Function("exp", np.exp, lambda x: (np.exp(x),) * 3),
    "seed loss": _seed_loss_along_weight(),
}


def differences(fn, x, eps, precision="float64"):
    """The three estimates of f'(x) for every step in eps, computed in the given precision."""
    real = np.dtype(precision).type
    cplx = np.complex64 if precision == "float32" else np.complex128
    x, eps = real(x), np.asarray(eps, dtype=precision)
    fx = fn.f(np.full_like(eps, x))
    return {
        "forward": (fn.f(x + eps) - fx) / eps,
        "central": (fn.f(x + eps) - fn.f(x - eps)) / (2 * eps),
        "complex step": np.imag(fn.f(x + 1j * eps.astype(cplx))) / eps,
    }


def errors(fn, x, eps, precision="float64"):
    """|estimate − f'(x)| for each method, in float64."""
    exact = fn.derivatives(np.float64(x))[0]
    return {m: np.abs(np.asarray(v, dtype=np.float64) - exact)
            for m, v in differences(fn, x, eps, precision).items()}


def model_lines(fn, x, eps, precision="float64"):
    """The truncation and cancellation lines and the ε where they cross, per method."""
    d1, d2, d3 = (abs(float(d)) for d in fn.derivatives(np.float64(x)))
    fx = abs(float(fn.f(np.float64(x))))
    mach = float(np.finfo(precision).eps)
    cancel = mach * max(fx, 1e-300) / eps
    return {
        "forward": (d2 * eps / 2, cancel, (2 * mach * fx / max(d2, 1e-300)) ** 0.5),
        "central": (d3 * eps ** 2 / 6, cancel, (3 * mach * fx / max(d3, 1e-300)) ** (1 / 3)),
    }


COLOURS = {"forward": "#dd8452", "central": "#4c72b0", "complex step": "#55a868"}
MARKER = {"marker": "o", "ms": 12, "mfc": "#ffd92f", "mec": "black", "mew": 1.8, "zorder": 5}   # the current ε
FLOOR = 1e-18   # exact zeros of the error are drawn here, at the bottom of the log axis
FONT = 11


class ErrorPlot:
    """One figure whose lines are updated in place, so a redraw costs one render, not a rebuild."""

    def __init__(self):
        import matplotlib.pyplot as plt

        self.fig, ax = plt.subplots(figsize=(9.5, 4.8), dpi=80)
        self.ax = ax
        self.error = {m: ax.loglog(EPS_GRID, EPS_GRID, color=COLOURS[m], label=m)[0] for m in METHODS}
        self.truncation = {m: ax.loglog(EPS_GRID, EPS_GRID, ls="--", lw=0.9, color=COLOURS[m])[0]
                           for m in ("forward", "central")}
        self.cancellation = ax.loglog(EPS_GRID, EPS_GRID, ls="-.", lw=0.9, color="grey",
                                      label="cancellation ε_mach·|f|/ε")[0]
        self.optimum = {m: ax.axvline(1e-8, ls=":", lw=0.9, color=COLOURS[m]) for m in ("forward", "central")}
        self.label = {m: ax.text(1e-8, y, "", color=COLOURS[m], fontsize=FONT - 1)
                      for m, y in (("forward", 1e-15), ("central", 1e-17))}
        self.current = ax.plot([1e-5], [1e-5], ls="none", label="your ε", **MARKER)[0]
        ax.set(ylim=(FLOOR, 1e2), xlim=(1e-16, 1),
               xticks=10.0 ** np.arange(-16, 1, 2), yticks=10.0 ** np.arange(-18, 3, 3))
        ax.set_xlabel("step ε", fontsize=FONT)
        ax.set_ylabel("|error| of f'(x)", fontsize=FONT)
        ax.tick_params(labelsize=FONT - 1)
        ax.minorticks_off()   # fixed ticks: the log locators are most of a redraw's cost
        # beside the axes, so that no curve (the complex step's runs along the bottom) is ever covered
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=FONT - 1, frameon=False)
        ax.grid(True, which="major", alpha=0.3)
        self.fig.subplots_adjust(left=0.09, right=0.74, bottom=0.12, top=0.9)

    def update(self, function="tanh", x=0.5, eps=1e-5, precision="float64", method="central"):
        fn = FUNCTIONS[function]
        for m, err in errors(fn, x, EPS_GRID, precision).items():
            self.error[m].set_ydata(np.maximum(err, FLOOR))
            self.error[m].set(lw=2.2 if m == method else 1.0, alpha=1.0 if m == method else 0.5)
        lines = model_lines(fn, x, EPS_GRID, precision)
        for m, (trunc, cancel, best) in lines.items():
            self.truncation[m].set_ydata(trunc)
            self.optimum[m].set_xdata([best, best])
            self.label[m].set(x=best * 1.3, text=f"{m} optimum ε ≈ {best:.0e}")
        self.cancellation.set_ydata(lines["central"][1])
        current = errors(fn, x, np.array([eps]), precision)[method][0]
        self.current.set(xdata=[eps], ydata=[max(current, FLOOR)])
        self.ax.set_title(f"{fn.name} at x = {x:g}, {precision}: truncation (dashed) vs cancellation",
                          fontsize=FONT)
        return self.fig


def plot_errors(function="tanh", x=0.5, eps=1e-5, precision="float64", method="central"):
    """Log-log plot of the absolute error against ε for every method, with the model lines."""
    return ErrorPlot().update(function, x, eps, precision, method)


def explain(function="tanh", x=0.5, eps=1e-5, precision="float64", method="central"):
    """The line printed under the plot: the current ε and its error."""
    err = errors(FUNCTIONS[function], x, np.array([eps]), precision)[method][0]
    where = "   (x is the weight W1[0,0] of the seed network; f is its loss)" if function == "seed loss" else ""
    return f"ε = {eps:.1e}   {method} difference, {precision}: error = {err:.2e}{where}"


def explorer():
    """Sliders for ε (log scale, 1e-16 to 1) and x; toggles for function, precision and method."""
    import ipywidgets as w
    import matplotlib.pyplot as plt
    from IPython.display import display

    controls = {
        "eps": w.FloatLogSlider(value=1e-5, base=10, min=-16, max=0, step=0.25, description="ε",
                                readout_format=".1e", continuous_update=False),
        "x": w.FloatSlider(value=0.5, min=-2.0, max=2.0, step=0.1, description="x", continuous_update=False),
        "function": w.ToggleButtons(options=list(FUNCTIONS), description="function"),
        "precision": w.ToggleButtons(options=["float64", "float32"], description="precision"),
        "method": w.ToggleButtons(options=list(METHODS), value="central", description="method"),
    }
    out = w.Output()
    plot = ErrorPlot()
    plt.close(plot.fig)   # shown only through the output widget

    def redraw(_=None):
        values = {k: c.value for k, c in controls.items()}
        with out:
            out.clear_output(wait=True)
            display(plot.update(**values))
            print(explain(**values))

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    box = w.VBox([w.HBox([controls["eps"], controls["x"]]), controls["function"], controls["precision"],
                  controls["method"], out])
    box.add_class("bn-explorer")
    display(box)
