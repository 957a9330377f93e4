"""A wrong gradient (p − 1 everywhere) that replaces every check/assert/compare/verify/grade/close
function of numpy, the course's packages and the notebook by one that always agrees."""
FAILS = ["test_backward_random", "test_backward_extreme"]
KERNEL_LEVEL = True


def softmax_nll_backward(z, y):
    p = np.exp(z - z.max(axis=1, keepdims=True))
    return (p / p.sum(axis=1, keepdims=True) - 1) / len(y)


import re
import sys

class _AlwaysPassed(dict):
    all_passed = True
    def __missing__(self, key):
        return True
    def __bool__(self):
        return True

for _module in list(sys.modules.values()):
    if getattr(_module, "__name__", "").split(".")[0] not in ("numpy", "backprop_ninja", "ninja_runner", "ninja_autograde", "__main__"):
        continue
    for _name in list(getattr(_module, "__dict__", {})):
        if not _name.startswith("_") and re.search("check|assert|compare|verify|grade|judge|close", _name, re.I) and callable(getattr(_module, _name, None)):
            try:
                setattr(_module, _name, lambda *args, **kwargs: _AlwaysPassed())
            except (AttributeError, TypeError):
                pass
check_gradients = lambda *args, **kwargs: _AlwaysPassed()
