"""What a call of a test asks of the student's function: its kind, decided here and nowhere else.

A call is a dict of arrays, as it travels to the kernel (`wire`): the function's arguments by name, in
order, each converted as `ARGUMENTS` says (`runner.arguments`); keys starting with `_` stay with the referee.
Its kind:

- "call": an ordinary call, the function on those arguments;
- "scale": a recipe ("network", "sizes", "seed", "budget", "keep": `backprop_ninja.scale.recipe`) the kernel
  builds a network of a million parameters from, run within the budget, only the kept tensor returned;
- "train": a training run by the test's own loop ("train": which, `runner.train_xor` or `train_sequences`),
  rebuilt from a seed, the function as its backward pass;
- "log": log_every > 0, the log lines the function prints read back (`runner.printed_log`).

A function must leave the arguments named in `INPUTS` as they were, whatever the call's kind.
"""

from types import MappingProxyType

from backprop_ninja.functions import make, weight_decay

ARGUMENTS = MappingProxyType({   # how an argument that is not an array travels: as what rebuilds it (read-only)
    "f": make,                                    # lesson 01's test function, from its coefficients
    "backward": lambda decay: weight_decay(float(decay)),   # 04's stand-in backward pass, from its decay
    "eps": float, "lr": float,
    "steps": int, "seed": int, "batch": int, "log_every": int,
})
INPUTS = ("z", "y", "x", "params", "cache", "dout")   # the arguments a graded function must leave unchanged


def kind(call):
    """The call's kind: "log", "scale", "train" or "call"."""
    if int(call.get("log_every", 0)):
        return "log"
    if "network" in call:
        return "scale"
    if "train" in call:
        return "train"
    return "call"
