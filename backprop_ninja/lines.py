"""The first wrong line of a backward pass: every line checked on its own.

A backward pass is a list of lines, one gradient each, from the loss down:

    dz2 = (p − Y)/N    dW2 = hᵀ · dz2    db2 = Σ dz2    dh = dz2 · W2ᵀ    dz1 = dh ⊙ (1 − h²)    …

`check_backward` checks each tensor against dL/d(tensor), so one mistake in dz2 turns every row below
it red. Here each line is checked by itself. Its input is the student's own upstream gradient (dz2, for
the line of dW2), and the line is right when its output is the gradient of Σ upstream ⊙ piece(θ), where
`piece` is the one step of the forward pass the line undoes (z2 = h @ W2 + b2), measured by finite
differences of that step alone with the lab assistant's own rule (`check_tensor`). A line whose upstream
gradient the student did not return is checked against the loss instead. The first line that fails
holds the mistake: the binary search over your own derivation, done for you. (A tensor against the loss,
`check_whole`, is also the row of `check_backward`: both read the network as the same pieces.)

    lines = first_wrong_line(backward, "mlp_tanh", params, X, y)   # your backward pass of the network
    lines.first        # the first wrong line's gradient, "dz1" say, or None
    lines              # in a notebook: the computational graph coloured line by line, then a table
    lines.explore()    # a widget: pick a line, read its verdict
"""

import base64
import copy
import functools
import io
from dataclasses import dataclass, field

import numpy as np

from . import mistakes, nets
from .gradcheck import TensorCheck, _escape, check_tensor, numerical_gradient
from .probe import NETWORKS, Probe

DATA = ("X",)   # values a backward pass has no line for


@dataclass(frozen=True)
class Piece:
    """One step of a forward pass, out = fn(*inputs), and the lesson's backward line for each input.

    `named(input, upstream, values, right)` gives the classic mistakes of an input's line as
    [(sentence, wrong gradient)], from the upstream gradient and the line's measured right answer."""
    out: str
    inputs: tuple
    fn: callable
    lines: dict
    named: callable = lambda *_: []


def grad_key(name, params):
    """What a backward pass calls the gradient of a value: W1 for a parameter, dz1 for an intermediate."""
    return name if name in params else f"d{name}"


# Status of a line: its sentence and its colour in the graph.
RIGHT, WRONG, INHERITS, HERE_OR_ABOVE, NOT_RETURNED, UNSURE = (
    "right", "wrong", "inherits", "here or above", "not returned", "cannot judge")
SAYS = {RIGHT: "right: it agrees with dL/d(tensor)",
        WRONG: "this line is wrong: from your own upstream gradient it computes the wrong thing",
        INHERITS: "this line is right; its input from a line above is wrong",
        HERE_OR_ABOVE: "wrong, in this line or in a line above whose gradient you did not return",
        NOT_RETURNED: "not returned: add it to the dict your backward pass returns to check this line",
        UNSURE: "cannot judge here (too small, or at a kink)"}
MARK = {RIGHT: "✓", WRONG: "✗", INHERITS: "↓", HERE_OR_ABOVE: "✗", NOT_RETURNED: "·", UNSURE: "?"}
COLOUR = {RIGHT: "#d9f2d9", WRONG: "#e06666", INHERITS: "#f6c88f", HERE_OR_ABOVE: "#f4a6a6",
          NOT_RETURNED: "#e8e8e8", UNSURE: "#fbeec8"}


@dataclass
class Line:
    """The verdict on one line of a backward pass: `local` judges the line on its own (None when an
    upstream gradient it reads was not returned), `whole` its result against the loss."""
    key: str
    text: str
    status: str
    whole: TensorCheck
    local: TensorCheck = None

    @property
    def hint(self):
        check = self.local if self.status == WRONG and self.local else self.whole
        return check.hint if self.status in (WRONG, HERE_OR_ABOVE, UNSURE) else ""


def _status(key, answer, whole, local, params):
    if key not in answer:
        return WRONG if key in params else NOT_RETURNED
    if whole.passed:
        return RIGHT
    if whole.too_small or whole.at_kink:
        return UNSURE
    if local is None:
        return HERE_OR_ABOVE
    return INHERITS if local.passed else WRONG


class Graph:
    """A course network's forward pass as pieces, at one point: its values and every line of its backward pass."""

    def __init__(self, pieces, values):
        self.pieces, self.values = pieces, dict(values)
        for p in pieces:
            self.values[p.out] = p.fn(*(self.values[n] for n in p.inputs))

    def loss(self, name, theta):
        """The loss with the value `name` set to theta (every other piece recomputed)."""
        values = {**self.values, name: theta}
        for p in self.pieces:
            if p.out != name:
                values[p.out] = p.fn(*(values[n] for n in p.inputs))
        return float(values["loss"])

    def consumers(self, name):
        return [p for p in self.pieces if name in p.inputs]

    def lines(self):
        """(value, the lesson's line) from the loss down: the order a backward pass computes them in. A value
        read by several pieces gets its line where the last of their gradients is known: at its first reader."""
        return [(name, " ; ".join(c.lines[name] for c in self.consumers(name)))
                for p in reversed(self.pieces) for name in p.lines if p is self.consumers(name)[0]]


def check_whole(graph, name, key, grad, named, rng):
    """The row of check_backward: the tensor `key` (the gradient of the value `name`) against dL/d(name),
    measured by finite differences of the whole forward pass, named with the network's classic mistakes."""
    theta = graph.values[name].copy()
    return check_tensor(lambda: graph.loss(name, theta), key, theta, grad,
                        lambda: named.hypotheses(key, theta.shape), named.where(key), rng=rng)


def check_lines(graph, params, answer, named, seed=0):
    """[Line] for every line of the graph's backward pass, given the answer (gradients and intermediates)."""
    rng, rows = np.random.default_rng(seed), []
    for name, text in graph.lines():
        key = grad_key(name, params)
        grad = answer.get(key)
        whole = check_whole(graph, name, key, grad, named, rng)
        local = None if grad is None else _check_alone(graph, params, answer, name, key, grad, rng)
        rows.append(Line(key, text, _status(key, answer, whole, local, params), whole, local))
    return rows


def _check_alone(graph, params, answer, name, key, grad, rng):
    """The line of `name` on its own, from the student's upstream gradients; None if one is missing."""
    upstream = {}
    for p in graph.consumers(name):
        u = 1.0 if p.out == "loss" else answer.get(grad_key(p.out, params))
        try:
            u = np.asarray(u, dtype=np.float64)
        except (TypeError, ValueError):
            return None
        if u.shape != np.shape(graph.values[p.out]):
            return None
        upstream[p.out] = u
    theta = graph.values[name].copy()

    def f():   # Σ over the pieces reading the value: upstream ⊙ piece(θ)
        return float(sum(np.sum(upstream[p.out] * p.fn(*(theta if n == name else graph.values[n] for n in p.inputs)))
                         for p in graph.consumers(name)))

    def named():
        right = numerical_gradient(f, theta)
        return [(s, w) for p in graph.consumers(name) for s, w in p.named(name, upstream[p.out], graph.values, right)
                if np.shape(w) == theta.shape]
    return check_tensor(f, key, theta, grad, named, "this line on its own, from your upstream gradient", rng=rng)


# The course's networks, piece by piece (their forward passes are nets', one step at a time).

def _affine(out, below, W, b, pre, top, N):
    """out = below @ W + b; `pre` is what the activation `below` was computed from (z1 for h), if any."""
    lines = {W: f"d{W} = {below}ᵀ · d{out}", b: f"d{b} = Σ d{out} over the batch (axis 0)"}
    if below not in DATA:
        lines[below] = f"d{below} = d{out} · {W}ᵀ"

    def named(name, u, values, right):
        if name == b:
            return [(mistakes.bias_sum(N, top), right / N), (mistakes.WRONG_AXIS, u.sum(axis=1))]
        if name == W and pre:
            theta = values[W].copy()
            wrong = numerical_gradient(lambda: float(np.sum(u * (values[pre] @ theta))), theta)
            return [(mistakes.input_for_output(int(out[1:]), pre, below), wrong)]
        return []
    return Piece(out, (below, W, b), lambda a, W_, b_: a @ W_ + b_, lines, named)


def _activation(out, z, act, where):
    """out = act(z), act "tanh" or "relu"."""
    line = f"d{z} = d{out} ⊙ (1 − {out}²)" if act == "tanh" else f"d{z} = d{out} ⊙ [{z} > 0]"
    names = (where, f"d{z}", f"d{out}", z, out)
    named = lambda name, u, values, right: [(sentence(*names), step(u, values[z]))
                                            for sentence, step in mistakes.activation_mistakes(act)]
    return Piece(out, (z,), nets.ACTIVATIONS[act], {z: line}, named)


def _loss(z, y):
    """The mean cross-entropy of the logits z."""
    return Piece("loss", (z,), lambda z_: nets.nll(nets.log_softmax(z_), y), {z: f"d{z} = (p − Y)/N"},
                 lambda name, u, values, right: mistakes.output_mistakes(right, y, f"d{z}"))


def mlp_graph(params, X, y, act, names):
    """Lessons 03–05's networks, any depth: X → z1 → h1 → … → zL → loss (`names`: a network's course names)."""
    L, pieces, below, pre = len(params) // 2, [], "X", None
    for i in range(1, L + 1):
        pieces.append(_affine(f"z{i}", below, f"W{i}", f"b{i}", pre, f"dz{L}", len(X)))
        if i < L:
            h = names[f"h{i}"]
            pieces.append(_activation(h, f"z{i}", act, f"the hidden layer {h}"))
            below, pre = h, f"z{i}"
    return Graph(pieces + [_loss(f"z{L}", y)], {"X": X, **params})


def _norm_named(name, u, values, right):
    key = {"z1": "x"}.get(name, name)
    return [(s, g[key]) for s, g in mistakes.normalization(u, values["z1"], values["gamma"], 0) if key in g]


def mlp_bn_graph(params, X, y):
    """Lesson 06's network: X → emb = C[X] → z1 = emb·W1 → bn = batchnorm(z1) → h = tanh(bn) → z2 → loss."""
    embedding = Piece("emb", ("X", "C"), lambda X_, C: C[X_],
                      {"C": "dC: each row of C adds up demb at every place X uses it (np.add.at)"},
                      lambda name, u, values, right: [(s, g["C"]) for s, g in
                                                      mistakes.embedding(u, values["X"], values["C"])])
    linear = Piece("z1", ("emb", "W1"), lambda e, W: e.reshape(len(e), -1) @ W,
                   {"W1": "dW1 = embᵀ · dz1, with emb flattened to (N, T·E)",
                    "emb": "demb = dz1 · W1ᵀ, reshaped to emb's (N, T, E)"})
    norm = Piece("bn", ("z1", "gamma", "beta"), lambda z, g, b: nets.batchnorm_forward(z, g, b)[0],
                 {"gamma": "dgamma = Σ dbn ⊙ xhat over the batch (axis 0)",
                  "beta": "dbeta = Σ dbn over the batch (axis 0)",
                  "z1": "dz1 = (N·dxhat − Σ dxhat − xhat · Σ dxhat ⊙ xhat) / (N·std), with dxhat = dbn ⊙ gamma"},
                 _norm_named)
    pieces = [embedding, linear, norm, _activation("h", "bn", "tanh", mistakes.BN_TANH[0]),
              _affine("z2", "h", "W2", "b2", "bn", "dz2", len(X)), _loss("z2", y)]
    return Graph(pieces, {"X": X, **params})


class Named:
    """The grader's named mistakes of a course network at one point, for whole tensors (measured on first use)."""

    def __init__(self, network_name, params, X, y):
        if network_name == "mlp_bn":
            self.hypotheses = lambda key, shape: mistakes.mlp_bn(params, X, y, key) if key in params else []
            self.where = lambda key: ""
        else:
            probe = Probe(NETWORKS[network_name], params, X, y)
            every = functools.cache(lambda: mistakes.network_mistakes(probe))
            self.hypotheses = lambda key, shape: mistakes.for_key(every(), key, shape)
            self.where = lambda key: mistakes.where(probe.names, probe.depth, key)


def network_graph(network_name, params, X, y):
    """(forward, Graph) of a course network at one point."""
    if network_name == "mlp_bn":
        return nets.mlp_bn_forward, mlp_bn_graph(params, X, y)
    if network_name not in NETWORKS:
        raise ValueError(f"unknown network {network_name!r}: one of {', '.join([*NETWORKS, 'mlp_bn'])}")
    net = NETWORKS[network_name]
    return net.forward, mlp_graph(params, X, y, net.act, net.names(len(params) // 2))


def answer_of(backward_fn, network_name, params, X, y, intermediates=None):
    """(params as float64, Graph, what backward_fn returns at that point with `intermediates` added)."""
    params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    forward, graph = network_graph(network_name, params, X, y)
    _, cache = forward(params, X, y)
    answer = backward_fn({k: v.copy() for k, v in params.items()}, copy.deepcopy(cache), y)
    return params, graph, {**(answer if isinstance(answer, dict) else {}), **(intermediates or {})}


def first_wrong_line(backward_fn, network_name, params, X, y, intermediates=None):
    """Every line of backward_fn's pass on a course network checked on its own; the first wrong one named.

    `network_name` is one of "mlp_tanh", "mlp_relu", "mlp3", "deep_tanh", "mlp_bn". The lines it can
    check on their own are those whose upstream gradients backward_fn returns in its dict (dz2, dh, dz1,
    …; for "mlp_bn" dz2, dh, dbn, dz1, demb), or that are passed in `intermediates`."""
    params, graph, answer = answer_of(backward_fn, network_name, params, X, y, intermediates)
    return Lines(check_lines(graph, params, answer, Named(network_name, params, X, y)), graph, tuple(params))


@dataclass
class Lines:
    """The lines of one backward pass, from the loss down; `first` is the gradient of the first wrong one."""
    rows: list
    graph: Graph = field(repr=False)
    params: tuple = ()

    @property
    def first(self):
        for status in (WRONG, HERE_OR_ABOVE):
            row = next((r for r in self.rows if r.status == status), None)
            if row:
                return row.key
        return None

    @property
    def status(self):
        return {r.key: r.status for r in self.rows}

    def _headline(self):
        if self.first is None:
            unsure = [r.key for r in self.rows if r.status == UNSURE]
            return (f"no line is wrong; cannot judge {', '.join(unsure)}" if unsure else
                    "every line is right")
        row = next(r for r in self.rows if r.key == self.first)
        where = "the first wrong line" if row.status == WRONG else "the first wrong line is this one or above it"
        return f"{where}: {row.text}" + (f"\n  → {row.hint}" if row.hint else "")

    def __str__(self):
        width = max(len(r.key) for r in self.rows)
        table = [f"{MARK[r.status]} {r.key:<{width}}  "
                 f"{r.status:<13}  {r.text}" for r in self.rows]
        return "\n".join([self._headline(), ""] + table)

    __repr__ = __str__

    def figure(self, selected=None):
        """The computational graph, each tensor coloured by the status of its line (a matplotlib Figure)."""
        from .drawing import draw_lines
        return draw_lines(self, selected)

    def png(self, selected=None):
        """The figure as PNG bytes."""
        buffer = io.BytesIO()
        self.figure(selected).savefig(buffer, format="png", dpi=72, bbox_inches="tight")
        return buffer.getvalue()

    def _image_html(self, selected=None, png=None):
        return f'<img src="data:image/png;base64,{base64.b64encode(png or self.png(selected)).decode()}"/>'

    def _repr_html_(self, png=None):
        rows = "".join(f'<tr style="background:{COLOUR[r.status]}"><td><code>{r.key}</code></td><td>{r.status}</td>'
                       f"<td><code>{_escape(r.text)}</code></td><td>{_escape(r.hint)}</td></tr>" for r in self.rows)
        head = "<tr><th>line</th><th>verdict</th><th>the lesson's line</th><th>what the numbers point to</th></tr>"
        headline = _escape(self._headline()).replace("\n", "<br>")
        return (f'<div class="bn-lines"><p><b>{headline}</b></p>{self._image_html(png=png)}'
                f'<table>{head}{rows}</table></div>')

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The picture twice: inside the HTML a notebook shows, and as a PNG of its own, which survives
        where HTML does not (the grader's feedback keeps only text and images)."""
        png = self.png()
        return {"text/plain": str(self), "text/html": self._repr_html_(png), "image/png": png}

    def explore(self):
        """A widget: pick a line, see it in the graph and read its verdict."""
        import ipywidgets as widgets
        picker = widgets.ToggleButtons(options=[r.key for r in self.rows], value=self.first or self.rows[0].key,
                                       description="line")
        view = widgets.HTML()

        def show(_=None):
            row = next(r for r in self.rows if r.key == picker.value)
            view.value = (f"{self._image_html(row.key)}<p><code>{_escape(row.text)}</code>: {SAYS[row.status]}"
                          f"{'<br>→ ' + _escape(row.hint) if row.hint else ''}</p>")
        picker.observe(show, names="value")
        show()
        return widgets.VBox([picker, view])
