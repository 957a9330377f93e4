"""Drawings of the hand trace's 2→3→2 network (`trace.py`): the numbers where they live.

    draw_forward(ax)        weights on the edges, biases under the nodes, every node's forward value
    draw_backward(ax)       the same graph with every gradient: dz2, dh, dz1 at the nodes, dW, db on the edges
    network_figure()        both views side by side (README, `backprop-ninja draw`, lesson 04)
    check_figure(backward)  a student's backward pass on this network, each weight green where it agrees
                            with finite differences and red where it does not
    backward_stepper()      a widget that walks the backward pass one step at a time
    draw_lines(lines)       any course network's computational graph, each gradient coloured by the verdict
                            on its line (`lines.first_wrong_line`)

Every gradient drawn comes from the trace's scalar-by-scalar computation or from finite
differences; nothing here holds a backward pass of a course network.
"""

import textwrap

import numpy as np

from . import trace as tr

INPUTS = [(0.0, 2.4), (0.0, 0.9)]
HIDDEN = [(2.4, 3.3), (2.4, 1.65), (2.4, 0.0)]
OUTPUTS = [(4.8, 2.4), (4.8, 0.9)]
LOSS = (6.2, 1.65)
RADIUS = 0.3
DEAD, LIVE, CURRENT = "#b0b0b0", "#4c72b0", "#dd8452"
RIGHT, WRONG = "#2e8b57", "#c0392b"
W2_LABEL_AT = {(1, 0): 0.6, (0, 2): 0.45}   # where the crossing edges h[0]→z2[1], h[2]→z2[0] carry their labels


def _solved():
    return tr.backward(tr.forward())


def _node(ax, xy, name, colour, edge="black"):
    from matplotlib.patches import Circle
    ax.add_patch(Circle(xy, RADIUS, facecolor=colour, edgecolor=edge, lw=2.5 if edge != "black" else 1, zorder=3))
    ax.text(*xy, name, ha="center", va="center", color="white", fontsize=8, weight="bold", zorder=4)


def _edge(ax, a, b, label, colour, dashed=False, t=0.7, weight="normal"):
    ax.plot([a[0], b[0]], [a[1], b[1]], color=colour, lw=1.3, ls="--" if dashed else "-", zorder=1)
    x, y = a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])
    if label:
        ax.text(x, y, label, ha="center", va="center", fontsize=7.5, color=colour, weight=weight, zorder=2,
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.9))


def _note(ax, xy, text, dy, colour="black"):
    if text:
        ax.text(xy[0], xy[1] + dy + (0.05 if dy > 0 else -0.05), text, ha="center",
                va="bottom" if dy > 0 else "top", fontsize=7.5, color=colour, linespacing=1.25, zorder=2)


def _frame(ax, title):
    ax.set_xlim(-0.6, 6.9)
    ax.set_ylim(-1.0, 4.3)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize=10)


def _graph(ax, t, edge_text, node_text, bias_text, colour_of=lambda key: None, current=None):
    """The network's skeleton; the callables say what to write at each weight, node and bias."""
    dead = [z <= 0 for z in t.z1]
    for j, hj in enumerate(HIDDEN):
        for i, xi in enumerate(INPUTS):
            key = ("W1", j, i)
            colour = colour_of(key) or (DEAD if dead[j] else "#555555")
            _edge(ax, xi, hj, edge_text(key), CURRENT if key == current else colour, dashed=dead[j],
                  weight="bold" if key == current else "normal")
    for k, ok in enumerate(OUTPUTS):
        for j, hj in enumerate(HIDDEN):
            key = ("W2", k, j)
            colour = colour_of(key) or (DEAD if dead[j] else "#555555")
            _edge(ax, hj, ok, edge_text(key), CURRENT if key == current else colour, dashed=dead[j],
                  t=W2_LABEL_AT.get((k, j), 0.72), weight="bold" if key == current else "normal")
        ax.plot([ok[0], LOSS[0]], [ok[1], LOSS[1]], color="#555555", lw=1.0, zorder=1)
    for i, xy in enumerate(INPUTS):
        _node(ax, xy, f"x[{i}]", "#55a868")
        _note(ax, xy, node_text(("x", i)), -RADIUS)
    for j, xy in enumerate(HIDDEN):
        _node(ax, xy, f"h[{j}]", DEAD if dead[j] else LIVE, CURRENT if current in (("dh", j), ("dz1", j)) else "black")
        _note(ax, xy, node_text(("h", j)), RADIUS)
        _note(ax, xy, bias_text(("b1", j)), -RADIUS, colour_of(("b1", j)) or "#555555")
    for k, xy in enumerate(OUTPUTS):
        _node(ax, xy, f"z2[{k}]", LIVE, CURRENT if current == ("dz2", k) else "black")
        _note(ax, xy, node_text(("z", k)), RADIUS)
        _note(ax, xy, bias_text(("b2", k)), -RADIUS, colour_of(("b2", k)) or "#555555")
    _node(ax, LOSS, "L", "#8172b2")
    _note(ax, LOSS, node_text(("L",)), RADIUS)


def draw_forward(ax, t=None):
    """Weights on the edges, biases under the nodes, each node's forward value beside it."""
    t = t or tr.forward()
    weight = {"W1": tr.W1, "W2": tr.W2}
    values = {"x": lambda i: f"{tr.X[i]:+.2f}",
              "h": lambda j: f"z1={t.z1[j]:+.3f}\nh={t.h[j]:.3f}" + ("  dead" if t.z1[j] <= 0 else ""),
              "z": lambda k: f"z2={t.z2[k]:+.3f}\np={t.p[k]:.3f}",
              "L": lambda: f"L={t.L:.4f}\n(class {tr.Y})"}
    bias = {"b1": tr.B1, "b2": tr.B2}
    _graph(ax, t,
           edge_text=lambda key: f"{weight[key[0]][key[1]][key[2]]:+.2f}",
           node_text=lambda key: values[key[0]](*key[1:]),
           bias_text=lambda key: f"b={bias[key[0]][key[1]]:+.2f}")
    _frame(ax, "forward: weights on the edges, values at the nodes")


def _value(t, key):
    """The gradient the trace computed for a step key such as ("dW1", j, i) or ("dh", j)."""
    value = getattr(t, key[0])
    for index in key[1:]:
        value = value[index]
    return value


def draw_backward(ax, t=None, shown=None, current=None, grads=None, verdict=None):
    """Every gradient: dz2, dh, dz1 at the nodes; dW on the edges; db under the nodes.

    shown: the step keys to write (default all); current: the step to highlight;
    grads / verdict: someone else's weight gradients {"W1": ...} (source convention) and
    {key: agrees} to write and colour instead of the trace's own."""
    t = t or _solved()
    shown = set(key for key, _ in t.steps) if shown is None else set(shown)

    def grad_of(key):   # ("W1", j, i) → the number to write, or "" while not yet shown
        step = ("d" + key[0],) + key[1:]
        if grads is not None and key[0] in grads:
            return f"{np.asarray(grads[key[0]])[key[1:]]:+.3f}"
        return f"{_value(t, step) + 0.0:+.3f}" if step in shown else ""

    def node_text(key):
        name, *index = key
        if name == "h":
            j = index[0]
            lines = [f"dh={t.dh[j]:+.3f}" if ("dh", j) in shown else "",
                     f"dz1={t.dz1[j] + 0.0:+.3f}" if ("dz1", j) in shown else ""]
            return "\n".join(lines).strip()
        if name == "z":
            return f"dz2={t.dz2[index[0]]:+.3f}" if ("dz2", index[0]) in shown else ""
        if name == "L":
            return "dL/dL = 1"
        return ""

    colour_of = (lambda key: None) if verdict is None else (lambda key: (RIGHT if verdict[key] else WRONG)
                                                            if key in verdict else None)
    _graph(ax, t, edge_text=grad_of, node_text=node_text,
           bias_text=lambda key: ("db=" + grad_of(key)) if grad_of(key) else "",
           colour_of=colour_of, current=None if current is None else _as_param(current))
    _frame(ax, "backward: the gradient of every node and weight")


def _as_param(key):
    """A step key ("dW1", j, i) as the parameter it belongs to, ("W1", j, i); node steps stay as they are."""
    return (key[0][1:],) + key[1:] if key[0] in ("dW1", "dW2", "db1", "db2") else key


def network_figure():
    """The forward view and the backward view side by side."""
    import matplotlib.pyplot as plt
    t = _solved()
    fig, (left, right) = plt.subplots(1, 2, figsize=(14, 5.2))
    draw_forward(left, t)
    draw_backward(right, t)
    fig.tight_layout()
    return fig


def agreement(student_backward, atol=1e-6, rtol=1e-4):
    """The student's gradients on the trace's network (source convention) and, per weight and
    bias, whether they agree with finite differences."""
    numeric = tr.numerical_grads()
    grads = {name: g for name, g in tr.student_grads(student_backward).items() if g.shape == numeric[name].shape}
    verdict = {(name,) + index: bool(abs(g[index] - numeric[name][index]) <= atol + rtol * abs(numeric[name][index]))
               for name, g in grads.items() for index in np.ndindex(g.shape)}
    return grads, verdict


def check_figure(student_backward):
    """The backward view with the student's numbers, green where they agree with finite differences."""
    import matplotlib.pyplot as plt
    grads, verdict = agreement(student_backward)
    fig, ax = plt.subplots(figsize=(7.5, 5.4))
    draw_backward(ax, grads=grads, verdict=verdict)
    wrong = sorted(f"{k[0]}[{']['.join(map(str, k[1:]))}]" for k, ok in verdict.items() if not ok)
    ax.set_title("your gradients: green agree with finite differences, red do not"
                 + (f"\nwrong: {', '.join(wrong)}" if wrong else "\nall 17 agree"), fontsize=9)
    return fig


def backward_stepper():
    """A slider (and a play button) through the backward pass, one computed number per step."""
    import ipywidgets as w
    import matplotlib.pyplot as plt
    from IPython.display import display

    t = _solved()
    keys = [key for key, _ in t.steps]
    step = w.IntSlider(value=1, min=1, max=len(keys), description="step", continuous_update=False)
    play = w.Play(value=1, min=1, max=len(keys), interval=1500)
    w.jslink((play, "value"), (step, "value"))
    out = w.Output()

    def redraw(_=None):
        n = step.value
        with out:
            out.clear_output(wait=True)
            fig, ax = plt.subplots(figsize=(7.5, 5.4))
            draw_backward(ax, t, shown=keys[:n], current=keys[n - 1])
            plt.close(fig)
            display(fig)
            print(f"step {n}/{len(keys)}:  {t.steps[n - 1][1]}")

    step.observe(redraw, names="value")
    redraw()
    display(w.VBox([w.HBox([play, step]), out]))


def draw_lines(lines, selected=None):
    """The computational graph of `lines` (a `lines.Lines`): each tensor a box holding the gradient of its line,
    coloured by the line's status, the values left to right from X to the loss and each parameter above the
    step that reads it; the first wrong line (or `selected`) framed. Returns a matplotlib Figure."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    from .lines import COLOUR, DATA, grad_key

    graph, status = lines.graph, lines.status
    chain = list(DATA) + [p.out for p in graph.pieces]
    where = {name: (2.0 * i, 0.0) for i, name in enumerate(chain)}
    for p in graph.pieces:
        above = [n for n in p.inputs if n in lines.params]
        for j, n in enumerate(above):
            where[n] = (where[p.out][0] + 0.8 * (j - (len(above) - 1) / 2), 1.0)
    fig = Figure(figsize=(1.3 * len(chain) + 0.6, 2.9))
    ax = fig.subplots()
    for p in graph.pieces:
        for n in p.inputs:
            ax.annotate("", where[p.out], where[n], arrowprops=dict(arrowstyle="->", color="#777777",
                                                                    shrinkA=16, shrinkB=16))
    framed = selected or lines.first
    for name, (x, y) in where.items():
        key = None if name in DATA or name == "loss" else grad_key(name, lines.params)
        colour = COLOUR[status[key]] if key in status else "white"
        ax.text(x, y, key or name, ha="center", va="center", fontsize=10, family="monospace",
                bbox=dict(boxstyle="round,pad=0.4", facecolor=colour,
                          edgecolor="black", linewidth=2.5 if key and key == framed else 0.8))
    ax.set_xlim(-0.8, 2.0 * (len(chain) - 1) + 0.8)
    ax.set_ylim(-0.6, 1.5)
    ax.axis("off")
    ax.legend(handles=[Patch(facecolor=c, edgecolor="black", label=s) for s, c in COLOUR.items()
                       if s in status.values()], loc="lower center", ncol=6, fontsize=8, frameon=False,
              bbox_to_anchor=(0.5, -0.18))
    ax.set_title(textwrap.fill(lines._headline().split("\n")[0], 100), fontsize=9)
    return fig
