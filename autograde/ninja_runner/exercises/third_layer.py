"""05_third_layer: `mlp3_backward(params, cache, y)`, the gradients of a 3-layer tanh MLP (`_mlp.MLPBackward`)."""

from . import Assignment
from ._mlp import MLPBackward

ASSIGNMENT = Assignment("05_third_layer", "third_layer.ipynb", (MLPBackward("mlp3"),))
