"""The course's networks as chains of intermediates, measured piece by piece with finite differences.

    X → z1 → h1 → z2 → … → zL → loss          (the two-layer networks call h1 plain "h")

A `Probe` measures, at one point, what every backward step of such a chain does, without knowing
any backward formula: the gradient of the loss by the logits zL, and the Jacobian of each forward
piece (z_i by W_i, b_i and its input; h_j by z_j), all by central differences of the course's own
forward pass (`nets.resume`). Chaining the measured pieces with one of them swapped for a classic
mistake gives the gradients a student who makes that mistake returns (`mistakes`); the intermediates'
gradients (dz2, dh, …) are measured the same way, by perturbing a cached intermediate.
"""

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from . import nets
from .gradcheck import EPS, numerical_gradient, numerical_jacobian


@dataclass(frozen=True)
class Network:
    """A course network: its forward pass, its hidden activation, its depth (None: any)."""
    name: str
    forward: callable
    act: str
    depth: int = None

    def names(self, depth):
        """Course name of each intermediate, by its place in the chain: z1, h1 (or h), …, zL."""
        chain = [f"{kind}{i}" for i in range(1, depth + 1) for kind in "zh" if (kind, i) != ("h", depth)]
        return {node: ("h" if node == "h1" and depth == 2 else node) for node in chain}


NETWORKS = {
    "mlp_tanh": Network("mlp_tanh", nets.mlp_tanh_forward, "tanh", 2),
    "mlp_relu": Network("mlp_relu", nets.mlp_relu_forward, "relu", 2),
    "mlp3": Network("mlp3", nets.mlp3_forward, "tanh", 3),
    "deep_tanh": Network("deep_tanh", nets.deep_forward, "tanh"),
}


def network(name):
    if name not in NETWORKS:
        raise ValueError(f"unknown network {name!r}: one of {', '.join(NETWORKS)}")
    return NETWORKS[name]


class Probe:
    """Finite-difference measurements of one network at one point (params, X, y)."""

    def __init__(self, net, params, X, y, eps=EPS):
        self.net, self.eps = net, eps
        self.params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
        self.y = np.asarray(y)
        self.depth = len(self.params) // 2
        self.loss, cache = nets.deep_forward(self.params, np.asarray(X, dtype=np.float64), self.y, net.act)
        self.values = {k: v for k, v in cache.items() if k != "logp"}
        self.names = net.names(self.depth)
        self._jacobians = {}

    def _below(self, i):
        return "X" if i == 1 else f"h{i - 1}"

    def loss_of(self, node):
        """loss(value) with the intermediate `node` set to value: for a check of its gradient."""
        return lambda value: nets.resume(self.params, self.y, node, value, self.net.act)

    def node_gradient(self, node):
        """dL/d(node), measured by perturbing the cached intermediate and recomputing the rest."""
        value = self.values[node].copy()
        loss = self.loss_of(node)
        return numerical_gradient(lambda: loss(value), value, self.eps)

    @cached_property
    def top(self):
        """dL/dzL, measured."""
        return self.node_gradient(f"z{self.depth}")

    def layer_jacobian(self, i, wrt, layer_input=None):
        """Jacobian of z_i by W_i, b_i or the layer's input ("in"), with the given input (default: the cached one)."""
        below = self._below(i)
        inp = (self.values[below] if layer_input is None else layer_input).copy()
        params = {k: v.copy() for k, v in self.params.items()}
        z = lambda: nets.resume(params, self.y, below, inp, self.net.act, stop=f"z{i}")
        return numerical_jacobian(z, inp if wrt == "in" else params[wrt], self.eps)

    def activation_jacobian(self, j):
        """Jacobian of h_j by z_j."""
        z = self.values[f"z{j}"].copy()
        return numerical_jacobian(lambda: nets.resume(self.params, self.y, f"z{j}", z, self.net.act,
                                                      stop=f"h{j}"), z, self.eps)

    def backprop(self, top, act_step=None, z_input=()):
        """Chain the measured pieces from the upstream gradient `top` at zL down to W1.

        `act_step(j, dh)` replaces the measured step through the activation of hidden layer j when it
        returns an array; layers in `z_input` take z_{i−1} for their input h_{i−1} in dW_i.
        Returns the gradients of the parameters and of the intermediates (dz2, dh, …)."""
        out, g = {}, np.asarray(top, dtype=np.float64)
        for i in range(self.depth, 0, -1):
            out[f"d{self.names[f'z{i}']}"] = g
            wrong_input = self.values[f"z{i - 1}"] if i in z_input else None
            for name in (f"W{i}", f"b{i}"):
                out[name] = self._vjp(g, self._jacobian(i, name, wrong_input)).reshape(self.params[name].shape)
            if i == 1:
                break
            j = i - 1
            dh = self._vjp(g, self._jacobian(i, "in")).reshape(self.values[f"h{j}"].shape)
            out[f"d{self.names[f'h{j}']}"] = dh
            wrong = act_step(j, dh) if act_step else None
            g = wrong if wrong is not None else self._vjp(dh, self._jacobian(j, "act")).reshape(dh.shape)
        return out

    @staticmethod
    def _vjp(g, jacobian):
        return g.reshape(-1) @ jacobian

    def _jacobian(self, i, wrt, layer_input=None):
        key = (i, wrt, layer_input is not None)
        if key not in self._jacobians:
            self._jacobians[key] = (self.activation_jacobian(i) if wrt == "act"
                                    else self.layer_jacobian(i, wrt, layer_input))
        return self._jacobians[key]
