"""What a call of a test asks of the student's function: its kind, decided here and nowhere else.

A call is a dict of arrays, as it travels to the kernel (`wire`): the function's arguments by name, in
order, converted by `runner.arguments`; keys starting with `_` stay with the referee. Its kind:

- "call": an ordinary call, the function on those arguments;
- "scale": a recipe ("network", "sizes", "seed", "budget", "keep": `backprop_ninja.scale.recipe`) the kernel
  builds a network of a million parameters from, run within the budget, only the kept tensor returned;
- "train": a training run by the test's own loop ("train": which, `runner.train_xor` or `train_sequences`),
  rebuilt from a seed, the function as its backward pass;
- "log": log_every > 0, the log lines the function prints read back (`runner.printed_log`).

Which inputs a function must leave unchanged is `runner.INPUTS`, for every kind.
"""


def kind(call):
    """The call's kind: "log", "scale", "train" or "call"."""
    if int(call.get("log_every", 0)):
        return "log"
    if "network" in call:
        return "scale"
    if "train" in call:
        return "train"
    return "call"
