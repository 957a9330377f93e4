"""03_mlp_tanh: `mlp_tanh_backward(params, cache, y)`, the gradients of a 2-layer tanh MLP (`_mlp.MLPBackward`)."""

from . import Assignment
from ._mlp import MLPBackward

ASSIGNMENT = Assignment("03_mlp_tanh", "mlp_tanh.ipynb", (MLPBackward("mlp_tanh"),))
